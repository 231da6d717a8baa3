import { ERROR_STATUS, type ErrorCode, type ErrorDetail } from '@mediagen/contract';

/** The one error type services throw; the HTTP error handler maps it to status + body. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly extra: { retryAfterSeconds?: number; userAction?: string } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what = 'Task'): AppError => new AppError('not_found', `${what} not found`);
