import {
  ERROR_STATUS,
  zErrorBody,
  zErrorCode,
  zErrorDetail,
  type ErrorCode,
  type ErrorDetail,
} from '@mediagen/contract';

/** Codes the client itself produces when no server error body exists. */
export type ClientErrorCode = 'network_error' | 'bad_response' | 'unknown_error';
export type ApiErrorCode = ErrorCode | ClientErrorCode;

export interface ApiErrorInit {
  status: number;
  code: ApiErrorCode;
  message: string;
  details?: readonly ErrorDetail[];
  userAction?: string | undefined;
  retryAfterSeconds?: number | undefined;
}

/** Every failed call surfaces as this one typed error, whatever shape the server sent. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status; 0 when the request never got an answer */
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly details: readonly ErrorDetail[];
  readonly userAction: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.userAction = init.userAction;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  get isNetwork(): boolean {
    return this.code === 'network_error';
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function codeForStatus(status: number): ApiErrorCode {
  const hit = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((code) => ERROR_STATUS[code] === status);
  return hit ?? 'unknown_error';
}

function readCode(value: unknown): ErrorCode | undefined {
  const parsed = zErrorCode.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function readDetails(value: unknown): ErrorDetail[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((d) => {
    const parsed = zErrorDetail.safeParse(d);
    return parsed.success ? [parsed.data] : [];
  });
}

/** Tolerates the seed's older shapes (`{detail:{code,detail,user_action}}`, `{error, code}`). */
function readLooseBody(body: unknown): {
  code?: ErrorCode;
  message?: string;
  details: ErrorDetail[];
  userAction?: string;
} {
  if (!isRecord(body)) return { details: [] };
  const nested = isRecord(body.detail) ? body.detail : undefined;
  const code = readCode(body.code) ?? readCode(nested?.code);
  const message =
    typeof body.error === 'string'
      ? body.error
      : typeof nested?.detail === 'string'
        ? nested.detail
        : typeof body.detail === 'string'
          ? body.detail
          : typeof body.message === 'string'
            ? body.message
            : undefined;
  const action =
    typeof body.user_action === 'string'
      ? body.user_action
      : typeof nested?.user_action === 'string'
        ? nested.user_action
        : undefined;
  return {
    ...(code ? { code } : {}),
    ...(message ? { message } : {}),
    details: readDetails(body.details),
    ...(action ? { userAction: action } : {}),
  };
}

/** Builds the typed error from a non-2xx response (body read here, once). */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'));
  let body: unknown;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const strict = zErrorBody.safeParse(body);
  if (strict.success) {
    const b = strict.data;
    return new ApiError({
      status: res.status,
      code: b.code,
      message: b.error,
      details: b.details ?? [],
      userAction: b.user_action ?? b.detail.user_action,
      retryAfterSeconds,
    });
  }
  const loose = readLooseBody(body);
  return new ApiError({
    status: res.status,
    code: loose.code ?? codeForStatus(res.status),
    message: loose.message ?? (res.statusText || `HTTP ${res.status}`),
    details: loose.details,
    userAction: loose.userAction,
    retryAfterSeconds,
  });
}
