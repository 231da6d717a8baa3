import { zErrorBody, type ErrorDetail, type TaskStatusResponse } from '@mediagen/contract';

export interface MediaGenErrorInit {
  code: string;
  status: number;
  message: string;
  details?: readonly ErrorDetail[];
  userAction?: string | undefined;
  retryAfter?: number | undefined;
}

/**
 * Every failure the client reports. `code` is the server's error code (SPEC §3) or a client one
 * (`network_error`, `bad_response`, `wait_timeout`, or a task's failure code); `userAction` is the server's
 * advice to show a person; `retryAfter` the seconds the server asked to wait (429/503).
 */
export class MediaGenError extends Error {
  override readonly name: string = 'MediaGenError';
  readonly code: string;
  /** HTTP status; 0 when no answer came */
  readonly status: number;
  readonly details: readonly ErrorDetail[];
  readonly userAction: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(init: MediaGenErrorInit) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.details = init.details ?? [];
    this.userAction = init.userAction;
    this.retryAfter = init.retryAfter;
  }
}

/** 400: a field is missing or has the wrong type (or an unknown value). */
export class InvalidRequestError extends MediaGenError {
  override readonly name: string = 'InvalidRequestError';
}
/** 422: well-typed values break a rule; `details` name the fields. */
export class ValidationError extends MediaGenError {
  override readonly name: string = 'ValidationError';
}
/** 422 prompt_policy_violation: the prompt is refused by the content policy. */
export class PolicyViolationError extends ValidationError {
  override readonly name: string = 'PolicyViolationError';
}
/** 401: no valid API key or session. */
export class AuthError extends MediaGenError {
  override readonly name: string = 'AuthError';
}
/** 403: not allowed (admin only, or a refused origin). */
export class ForbiddenError extends AuthError {
  override readonly name: string = 'ForbiddenError';
}
/** 404: no such task (or someone else's). */
export class NotFoundError extends MediaGenError {
  override readonly name: string = 'NotFoundError';
}
/** 402: the credit balance is too low. */
export class InsufficientCreditsError extends MediaGenError {
  override readonly name: string = 'InsufficientCreditsError';
}
/** 409: an Idempotency-Key reused with another request, or a refused state change. */
export class ConflictError extends MediaGenError {
  override readonly name: string = 'ConflictError';
}
/** 413: the body or a file is too large. */
export class PayloadTooLargeError extends MediaGenError {
  override readonly name: string = 'PayloadTooLargeError';
}
/** 429: too many requests; `retryAfter` says when to come back (the client already retried). */
export class RateLimitedError extends MediaGenError {
  override readonly name: string = 'RateLimitedError';
}
/** 503: the queue is full or no backend serves the model; `retryAfter` says when to come back. */
export class OverloadedError extends MediaGenError {
  override readonly name: string = 'OverloadedError';
}
/** 5xx other than 503: a server fault. */
export class ServerError extends MediaGenError {
  override readonly name: string = 'ServerError';
}
/** No answer: the server is unreachable, or the connection broke. */
export class NetworkError extends MediaGenError {
  override readonly name: string = 'NetworkError';
}
/** The server answered something the contract does not describe. */
export class BadResponseError extends MediaGenError {
  override readonly name: string = 'BadResponseError';
}
/** wait() gave up before the task ended. */
export class WaitTimeoutError extends MediaGenError {
  override readonly name: string = 'WaitTimeoutError';
}

/** The task ended `failed`; `code` is its failure code (`backend_error`, `queue_overloaded`, …). */
export class TaskFailedError extends MediaGenError {
  override readonly name: string = 'TaskFailedError';
  /** the same job may succeed if submitted again */
  readonly retriable: boolean;
  constructor(
    readonly taskId: string,
    init: { code: string; message: string; retriable: boolean },
    readonly task?: TaskStatusResponse,
  ) {
    super({ code: init.code, status: 200, message: init.message });
    this.retriable = init.retriable;
  }
}

/** The task was cancelled. */
export class TaskCancelledError extends MediaGenError {
  override readonly name: string = 'TaskCancelledError';
  constructor(readonly taskId: string) {
    super({ code: 'cancelled', status: 200, message: `Task ${taskId} was cancelled` });
  }
}

type ErrorClass = new (init: MediaGenErrorInit) => MediaGenError;

const BY_CODE: Record<string, ErrorClass> = {
  invalid_request: InvalidRequestError,
  unsupported_media_type: InvalidRequestError,
  method_not_allowed: InvalidRequestError,
  validation_error: ValidationError,
  fixed_parameter_violation: ValidationError,
  prompt_policy_violation: PolicyViolationError,
  unauthorized: AuthError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  insufficient_credits: InsufficientCreditsError,
  conflict: ConflictError,
  invalid_transition: ConflictError,
  payload_too_large: PayloadTooLargeError,
  rate_limited: RateLimitedError,
  queue_overloaded: OverloadedError,
  no_backend_available: OverloadedError,
  internal_error: ServerError,
};

const BY_STATUS: Record<number, ErrorClass> = {
  400: InvalidRequestError,
  401: AuthError,
  402: InsufficientCreditsError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: ValidationError,
  429: RateLimitedError,
  503: OverloadedError,
};

/** `Retry-After`: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The typed error of a non-2xx answer (reads the body). */
export async function errorFromResponse(res: Response): Promise<MediaGenError> {
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  let body: unknown;
  try {
    body = JSON.parse(await res.text());
  } catch {
    body = undefined;
  }
  const parsed = zErrorBody.safeParse(body);
  const code = parsed.success ? parsed.data.code : `http_${res.status}`;
  const Cls = BY_CODE[code] ?? BY_STATUS[res.status] ?? (res.status >= 500 ? ServerError : MediaGenError);
  return new Cls({
    code,
    status: res.status,
    message: parsed.success ? parsed.data.error : `HTTP ${res.status} ${res.statusText}`.trim(),
    details: parsed.success ? (parsed.data.details ?? []) : [],
    userAction: parsed.success ? (parsed.data.user_action ?? parsed.data.detail.user_action) : undefined,
    retryAfter,
  });
}
