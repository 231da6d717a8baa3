// Rows of the webhook tables as both SQL adapters read them, and their records.
import { zWebhookEvent, type WebhookEvent } from '@mediagen/contract';
import type { DeliveryAttempt, OutboxMessage, OutboxStatus } from '#ports/webhook-store.ts';

export interface AccountRow {
  user_id: string;
  secret: string | null;
  secret_created_at: number | null;
  previous_secret: string | null;
  previous_secret_until: number | null;
  default_url: string | null;
  default_events: string;
  updated_at: number;
}
export interface SubscriptionRow {
  task_id: string;
  owner_id: string;
  url: string;
  events: string;
  created_at: number;
}
export interface OutboxRow {
  id: string;
  dedupe_key: string;
  task_id: string;
  owner_id: string;
  event: string;
  url: string;
  payload: string;
  created_at: number;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  last_status: number | null;
  finished_at: number | null;
}
export interface AttemptRow {
  message_id: string;
  task_id: string;
  attempt: number;
  at: number;
  duration_ms: number;
  response_status: number | null;
  error: string | null;
  outcome: DeliveryAttempt['outcome'];
}

export const events = (json: string): WebhookEvent[] => zWebhookEvent.array().parse(JSON.parse(json));

export const message = (r: OutboxRow): OutboxMessage => ({
  id: r.id,
  dedupeKey: r.dedupe_key,
  taskId: r.task_id,
  ownerId: r.owner_id,
  event: zWebhookEvent.parse(r.event),
  url: r.url,
  payload: r.payload,
  createdAt: r.created_at,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until,
  lastError: r.last_error,
  lastStatus: r.last_status,
  finishedAt: r.finished_at,
});

/** Webhook settings, subscriptions, the outbox (claimed with leases) and the log of tries, in SQLite. */
