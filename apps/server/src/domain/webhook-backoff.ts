/** How a delivery is retried (SPEC §11: at least 8 tries over at least an hour by default). */
export interface WebhookRetryPolicy {
  /** tries in all, the first one included */
  maxAttempts: number;
  /** the wait after the first failed try; each later wait doubles */
  baseDelayMs: number;
  /** no single wait is longer */
  maxDelayMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 3_600_000,
};

/**
 * The wait before try `attempt + 1` after try `attempt` (1-based) failed: exponential, with ±20 % jitter
 * so that a receiver coming back is not hit by every queued message at once.
 */
export function retryDelayMs(attempt: number, policy: WebhookRetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/** The shortest total time the tries can span (every jitter at its low end). */
export function minimumRetrySpanMs(policy: WebhookRetryPolicy): number {
  let total = 0;
  for (let a = 1; a < policy.maxAttempts; a++) {
    total += Math.round(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (a - 1)) * 0.8);
  }
  return total;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

/**
 * What one answer means: any 2xx delivers; 410 Gone stops (the receiver says the endpoint is gone, as
 * Standard Webhooks suggests); everything else — other statuses, redirects (never followed), timeouts,
 * network errors — is retried while tries remain. A refused target (`refused`) is final at once.
 */
export function attemptOutcome(
  answer: { status: number } | { error: string; refused?: boolean },
  attempt: number,
  policy: WebhookRetryPolicy,
): AttemptOutcome {
  if ('status' in answer) {
    if (answer.status >= 200 && answer.status < 300) return 'delivered';
    if (answer.status === 410) return 'failed';
  } else if (answer.refused) return 'failed';
  return attempt >= policy.maxAttempts ? 'failed' : 'retry';
}
