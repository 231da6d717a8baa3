import { z } from 'zod';

/** Error code → HTTP status. The single table both server and web read. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  insufficient_credits: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  invalid_transition: 409,
  conflict: 409,
  payload_too_large: 413,
  storage_quota_exceeded: 413,
  unsupported_media_type: 415,
  validation_error: 422,
  fixed_parameter_violation: 422,
  prompt_policy_violation: 422,
  reference_policy_violation: 422,
  rate_limited: 429,
  user_queue_full: 429,
  too_many_streams: 429,
  internal_error: 500,
  queue_overloaded: 503,
  no_backend_available: 503,
  storage_full: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const zErrorCode = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/** Failure codes a task can end with (stored on the task, shown by status and SSE). */
export const zTaskErrorCode = z.enum([
  'backend_lost',
  'backend_error',
  'invalid_workflow',
  'output_missing',
  'conversion_failed',
  'queue_overloaded',
  'no_backend_available',
  'internal_error',
  'gateway_restarted',
  'storage_full',
  'cancelled_by_admin',
  'output_policy_violation',
]);
export type TaskErrorCode = z.infer<typeof zTaskErrorCode>;

export const zErrorDetail = z.object({ path: z.string(), message: z.string() });
export type ErrorDetail = z.infer<typeof zErrorDetail>;

/** Both error shapes of the seed guide in one body (SPEC §3). */
export const zErrorBody = z.object({
  status: z.literal('error'),
  error: z.string(),
  code: zErrorCode,
  details: z.array(zErrorDetail).optional(),
  user_action: z.string().optional(),
  detail: z.object({ code: zErrorCode, detail: z.string(), user_action: z.string().optional() }),
});
export type ErrorBody = z.infer<typeof zErrorBody>;

export const DEFAULT_USER_ACTION: Partial<Record<ErrorCode, string>> = {
  queue_overloaded: 'Retry later.',
  no_backend_available: 'Retry later.',
  rate_limited: 'Slow down and retry later.',
  validation_error: 'Fix the fields named in details and send again.',
  fixed_parameter_violation: "Use the model's fixed value for the fields named in details.",
  unauthorized: 'Sign in with your access key.',
  insufficient_credits: 'Ask an administrator for more credits.',
  storage_full: 'The server is out of storage; retry later.',
  storage_quota_exceeded: 'Delete older items from your gallery, then send again.',
  user_queue_full: 'Wait for some of your queued jobs to finish, or cancel some, then send again.',
  too_many_streams: 'Close other tabs or event streams, then reconnect.',
  reference_policy_violation: 'Use another reference image.',
};

export function errorBody(code: ErrorCode, message: string, details?: ErrorDetail[], userAction?: string): ErrorBody {
  const action = userAction ?? DEFAULT_USER_ACTION[code];
  return {
    status: 'error',
    error: message,
    code,
    ...(details && details.length > 0 ? { details } : {}),
    ...(action ? { user_action: action } : {}),
    detail: { code, detail: message, ...(action ? { user_action: action } : {}) },
  };
}
