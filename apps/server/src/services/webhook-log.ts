import type { WebhookLog } from '@mediagen/contract';
import type { DeliveryAttempt, OutboxMessage } from '#ports/webhook-store.ts';

const iso = (t: number): string => new Date(t).toISOString();

/** Outbox messages with their tries, as the delivery log answers them (newest message first). */
export function webhookLogView(messages: readonly OutboxMessage[], attempts: readonly DeliveryAttempt[]): WebhookLog {
  const byMessage = new Map<string, DeliveryAttempt[]>();
  for (const a of attempts) byMessage.set(a.messageId, [...(byMessage.get(a.messageId) ?? []), a]);
  return {
    items: messages.map((m) => ({
      id: m.id,
      task_id: m.taskId,
      event: m.event,
      url: m.url,
      status: m.status,
      attempts: m.attempts,
      created_at: iso(m.createdAt),
      next_attempt_at: m.status === 'pending' ? iso(m.nextAttemptAt) : null,
      last_error: m.lastError,
      tries: (byMessage.get(m.id) ?? []).map((a) => ({
        attempt: a.attempt,
        at: iso(a.at),
        duration_ms: a.durationMs,
        response_status: a.responseStatus,
        error: a.error,
        outcome: a.outcome,
      })),
    })),
  };
}
