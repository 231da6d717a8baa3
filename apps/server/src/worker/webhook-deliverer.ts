import { attemptOutcome, retryDelayMs, type AttemptOutcome, type WebhookRetryPolicy } from '#domain/webhook-backoff.ts';
import type { Store } from '#ports/store.ts';
import type { AttemptNext, OutboxMessage } from '#ports/webhook-store.ts';
import type { WebhookAnswer, WebhookTransport } from '#ports/webhook-transport.ts';
import type { DeliveryTarget } from '#services/webhook-targets.ts';
import { webhookSignature } from '#services/webhook-signing.ts';

export interface WebhookDelivererDeps {
  store: Store;
  targets: { resolve(url: string): Promise<DeliveryTarget> };
  transport: WebhookTransport;
  /** the secrets that sign a message of this owner (current first; the previous one during a rotation) */
  secrets: (ownerId: string) => Promise<string[]>;
  retry: WebhookRetryPolicy;
  now: () => number;
  random: () => number;
  /** names this gateway's leases */
  instanceId: string;
  userAgent: string;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  /** the receiver's whole answer must come within this (SPEC: 5 s) */
  timeoutMs?: number;
  /** how often the outbox is read when nothing wakes the deliverer (other gateways queue messages too) */
  pollMs?: number;
  /** messages sent at once */
  batch?: number;
}

/**
 * Delivers the webhook outbox: claims due messages with a lease (compare-and-set, so several gateways can
 * run one each), resolves and pins the target, signs (Standard Webhooks), sends, logs the try and schedules
 * the next one with exponential backoff. A gateway that dies mid-send leaves a lease that runs out, and
 * the message is sent again (at-least-once; the unchanged `webhook-id` lets receivers drop duplicates).
 */
export class WebhookDeliverer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly d: WebhookDelivererDeps) {}

  private get timeoutMs(): number {
    return this.d.timeoutMs ?? 5000;
  }

  /** a lease outlives the longest try: lookup + the answer's timeout, with room to spare */
  private get leaseMs(): number {
    return this.timeoutMs + 10_000;
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Look at the outbox now (a message was queued). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.tick().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      } else void this.schedule();
    });
  }

  private async tick(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const due = await this.d.store.webhooks.claimDue(
          this.d.now(),
          this.d.instanceId,
          this.leaseMs,
          this.d.batch ?? 8,
        );
        if (due.length === 0) return;
        await Promise.all(due.map((m) => this.deliver(m)));
      }
    } catch (err) {
      this.d.log.error({ err }, 'webhook delivery pass failed');
    }
  }

  private async schedule(): Promise<void> {
    if (this.stopped) return;
    const poll = this.d.pollMs ?? 1000;
    let wait = poll;
    try {
      const next = await this.d.store.webhooks.nextDueAt();
      if (next !== null) wait = Math.max(10, Math.min(poll, next - this.d.now()));
    } catch {
      // the store is closing; the next wake or start reads it again
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => this.wake(), wait);
    this.timer.unref();
  }

  /** One try of one claimed message. */
  async deliver(m: OutboxMessage): Promise<AttemptOutcome> {
    const attempt = m.attempts + 1;
    const started = this.d.now();
    const answer = await this.send(m);
    const outcome = attemptOutcome(answer, attempt, this.d.retry);
    const error = describeFailure(answer);
    const next: AttemptNext =
      outcome === 'retry'
        ? { status: 'pending', nextAttemptAt: this.d.now() + retryDelayMs(attempt, this.d.retry, this.d.random) }
        : { status: outcome };
    const at = this.d.now();
    await this.d.store.webhooks.recordAttempt(
      this.d.instanceId,
      {
        messageId: m.id,
        taskId: m.taskId,
        attempt,
        at,
        durationMs: at - started,
        responseStatus: 'status' in answer ? answer.status : null,
        error,
        outcome,
      },
      { ...next, lastError: error },
    );
    const log = { messageId: m.id, taskId: m.taskId, event: m.event, attempt, outcome };
    if (outcome === 'failed') this.d.log.warn({ ...log, error }, 'webhook delivery failed for good');
    else if (outcome === 'retry') this.d.log.info({ ...log, error }, 'webhook delivery failed; will retry');
    return outcome;
  }

  private async send(m: OutboxMessage): Promise<WebhookAnswer & { refused?: boolean }> {
    const target = await this.d.targets.resolve(m.url);
    if (!target.ok) return { error: `refused: ${target.reason}`, refused: target.final };
    const secrets = await this.d.secrets(m.ownerId);
    if (secrets.length === 0) return { error: 'no signing secret (POST /api/account/webhook-secret)', refused: true };
    const timestamp = Math.floor(this.d.now() / 1000);
    return this.d.transport.post({
      url: target.url,
      address: target.address,
      headers: {
        'content-type': 'application/json',
        'user-agent': this.d.userAgent,
        'webhook-id': m.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': webhookSignature(secrets, m.id, timestamp, m.payload),
      },
      body: m.payload,
      timeoutMs: this.timeoutMs,
    });
  }
}

function describeFailure(a: WebhookAnswer): string | null {
  if ('error' in a) return a.error;
  if (a.status >= 200 && a.status < 300) return null;
  if (a.status >= 300 && a.status < 400) {
    return `HTTP ${a.status}: redirect${a.location ? ` to ${a.location}` : ''} not followed`;
  }
  return `HTTP ${a.status}`;
}
