import type { WebhookEvent } from '@mediagen/contract';

/** A user's signing secrets and default webhook. */
export interface WebhookAccountRecord {
  userId: string;
  secret: string | null;
  secretCreatedAt: number | null;
  /** the secret before the last rotation: it still signs (a second signature) until `previousSecretUntil` */
  previousSecret: string | null;
  previousSecretUntil: number | null;
  defaultUrl: string | null;
  defaultEvents: WebhookEvent[];
  updatedAt: number;
}

/** Which events of one task go where (written before the task row, so a task never lacks its webhook). */
export interface WebhookSubscription {
  taskId: string;
  ownerId: string;
  url: string;
  events: WebhookEvent[];
  createdAt: number;
}

export type OutboxStatus = 'pending' | 'sending' | 'delivered' | 'failed';

/** One message of the durable outbox: one event of one task, with a body fixed when the event happened. */
export interface OutboxMessage {
  /** the `webhook-id` header, the same on every try */
  id: string;
  /** at most one message per key (a task's final event has one key, so a replayed hook cannot send it twice) */
  dedupeKey: string;
  taskId: string;
  ownerId: string;
  event: WebhookEvent;
  url: string;
  payload: string;
  createdAt: number;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: string | null;
  lastStatus: number | null;
  finishedAt: number | null;
}

export type NewOutboxMessage = Pick<
  OutboxMessage,
  'id' | 'dedupeKey' | 'taskId' | 'ownerId' | 'event' | 'url' | 'payload' | 'createdAt'
>;

export type AttemptOutcomeRecord = 'delivered' | 'retry' | 'failed';

export interface DeliveryAttempt {
  messageId: string;
  taskId: string;
  attempt: number;
  at: number;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
  outcome: AttemptOutcomeRecord;
}

/** After a try: the next state of its message. */
export type AttemptNext = { status: 'pending'; nextAttemptAt: number } | { status: 'delivered' | 'failed' };

/**
 * Webhook state in the store: settings, subscriptions, the outbox and the log of tries. Several gateways
 * may deliver from one store: a message is claimed with a lease (compare-and-set), and a lease that runs
 * out (its gateway died mid-send) makes the message claimable again.
 */
export interface WebhookStore {
  account(userId: string): Promise<WebhookAccountRecord | undefined>;
  setSecret(
    userId: string,
    s: { secret: string; createdAt: number; previousSecret: string | null; previousSecretUntil: number | null },
  ): Promise<void>;
  setDefault(userId: string, d: { url: string | null; events: WebhookEvent[]; at: number }): Promise<void>;
  subscribe(s: WebhookSubscription): Promise<void>;
  subscription(taskId: string): Promise<WebhookSubscription | undefined>;
  /** false when a message with the same dedupe key exists; `settles` marks the subscription's final event as queued */
  enqueue(m: NewOutboxMessage, opts?: { settles?: boolean }): Promise<boolean>;
  /** subscribed tasks that ended but whose final message was never queued (a crash between the two writes) */
  unsettledFinished(limit: number): Promise<string[]>;
  /** claim due messages (pending and due, or sending with an expired lease) for `leaseMs` */
  claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxMessage[]>;
  /** log a try and move its message on; false (the try is still logged) when the lease was lost meanwhile */
  recordAttempt(owner: string, a: DeliveryAttempt, next: AttemptNext & { lastError: string | null }): Promise<boolean>;
  /** when the next pending message is due (null: none) */
  nextDueAt(): Promise<number | null>;
  messages(q: { taskId?: string; status?: OutboxStatus; limit: number }): Promise<OutboxMessage[]>;
  attempts(messageIds: readonly string[]): Promise<DeliveryAttempt[]>;
}
