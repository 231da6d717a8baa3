import type Database from 'better-sqlite3';
import type { DeliveryAttempt, WebhookAccountRecord, WebhookStore, WebhookSubscription } from '#ports/webhook-store.ts';
import {
  events,
  message,
  type AccountRow,
  type SubscriptionRow,
  type OutboxRow,
  type AttemptRow,
} from './webhook-rows.ts';

export function createSqliteWebhookRepo(db: Database.Database, q: (sql: string) => Database.Statement): WebhookStore {
  const ensureAccount = (userId: string, at: number): void => {
    q('INSERT INTO webhook_accounts (user_id, updated_at) VALUES (?, ?) ON CONFLICT(user_id) DO NOTHING').run(
      userId,
      at,
    );
  };
  const enqueue = db.transaction((m: Parameters<WebhookStore['enqueue']>[0], settles: boolean): boolean => {
    const inserted =
      q(`INSERT INTO webhook_outbox (id, dedupe_key, task_id, owner_id, event, url, payload, created_at, status, next_attempt_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT(dedupe_key) DO NOTHING`).run(
        m.id,
        m.dedupeKey,
        m.taskId,
        m.ownerId,
        m.event,
        m.url,
        m.payload,
        m.createdAt,
        m.createdAt,
      ).changes;
    if (settles) q('UPDATE webhook_subscriptions SET settled = 1 WHERE task_id = ?').run(m.taskId);
    return inserted === 1;
  });
  const record = db.transaction(
    (owner: string, a: DeliveryAttempt, next: Parameters<WebhookStore['recordAttempt']>[2]): boolean => {
      q(`INSERT INTO webhook_deliveries (message_id, task_id, attempt, at, duration_ms, response_status, error, outcome)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
        a.messageId,
        a.taskId,
        a.attempt,
        a.at,
        a.durationMs,
        a.responseStatus,
        a.error,
        a.outcome,
      );
      const pending = next.status === 'pending';
      return (
        q(`UPDATE webhook_outbox SET status = ?, attempts = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL,
          last_error = ?, last_status = ?, finished_at = ? WHERE id = ? AND status = 'sending' AND lease_owner = ?`).run(
          next.status,
          a.attempt,
          pending ? next.nextAttemptAt : a.at,
          next.lastError,
          a.responseStatus,
          pending ? null : a.at,
          a.messageId,
          owner,
        ).changes === 1
      );
    },
  );

  return {
    async account(userId) {
      const r = q('SELECT * FROM webhook_accounts WHERE user_id = ?').get(userId) as AccountRow | undefined;
      if (!r) return undefined;
      const out: WebhookAccountRecord = {
        userId: r.user_id,
        secret: r.secret,
        secretCreatedAt: r.secret_created_at,
        previousSecret: r.previous_secret,
        previousSecretUntil: r.previous_secret_until,
        defaultUrl: r.default_url,
        defaultEvents: events(r.default_events),
        updatedAt: r.updated_at,
      };
      return out;
    },
    async setSecret(userId, s) {
      ensureAccount(userId, s.createdAt);
      q(`UPDATE webhook_accounts SET secret = ?, secret_created_at = ?, previous_secret = ?, previous_secret_until = ?,
        updated_at = ? WHERE user_id = ?`).run(
        s.secret,
        s.createdAt,
        s.previousSecret,
        s.previousSecretUntil,
        s.createdAt,
        userId,
      );
    },
    async setDefault(userId, d) {
      ensureAccount(userId, d.at);
      q('UPDATE webhook_accounts SET default_url = ?, default_events = ?, updated_at = ? WHERE user_id = ?').run(
        d.url,
        JSON.stringify(d.events),
        d.at,
        userId,
      );
    },
    async subscribe(s: WebhookSubscription) {
      q(`INSERT INTO webhook_subscriptions (task_id, owner_id, url, events, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(task_id) DO UPDATE SET url = excluded.url, events = excluded.events`).run(
        s.taskId,
        s.ownerId,
        s.url,
        JSON.stringify(s.events),
        s.createdAt,
      );
    },
    async subscription(taskId) {
      const r = q('SELECT * FROM webhook_subscriptions WHERE task_id = ?').get(taskId) as SubscriptionRow | undefined;
      return r
        ? { taskId: r.task_id, ownerId: r.owner_id, url: r.url, events: events(r.events), createdAt: r.created_at }
        : undefined;
    },
    enqueue: async (m, opts = {}) => enqueue(m, opts.settles ?? false),
    async unsettledFinished(limit) {
      // a subscription whose task ended with a subscribed status and whose final message was never queued
      const rows = q(`SELECT s.task_id FROM webhook_subscriptions s JOIN tasks t ON t.id = s.task_id
        WHERE s.settled = 0 AND t.status IN ('completed','failed','cancelled')
          AND instr(s.events, '"' || t.status || '"') > 0 ORDER BY s.created_at LIMIT ?`).all(limit) as Array<{
        task_id: string;
      }>;
      return rows.map((r) => r.task_id);
    },
    async claimDue(at, owner, leaseMs, limit) {
      // one statement: SQLite runs it atomically, so two gateways on one file never claim the same message
      const rows = q(`UPDATE webhook_outbox SET status = 'sending', lease_owner = ?, lease_until = ?
        WHERE id IN (SELECT id FROM webhook_outbox WHERE (status = 'pending' AND next_attempt_at <= ?)
          OR (status = 'sending' AND lease_until <= ?) ORDER BY next_attempt_at LIMIT ?)
        RETURNING *`).all(owner, at + leaseMs, at, at, limit) as OutboxRow[];
      return rows.map(message).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
    },
    recordAttempt: async (owner, a, next) => record(owner, a, next),
    async nextDueAt() {
      const r = q(`SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) AS due
        FROM webhook_outbox WHERE status IN ('pending','sending')`).get() as { due: number | null };
      return r.due;
    },
    async messages({ taskId, status, limit }) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (taskId !== undefined) {
        where.push('task_id = ?');
        args.push(taskId);
      }
      if (status !== undefined) {
        where.push('status = ?');
        args.push(status);
      }
      const sql = `SELECT * FROM webhook_outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ?`;
      return (q(sql).all(...args, limit) as OutboxRow[]).map(message);
    },
    async attempts(ids) {
      if (ids.length === 0) return [];
      const rows = db
        .prepare(
          `SELECT * FROM webhook_deliveries WHERE message_id IN (${ids.map(() => '?').join(',')}) ORDER BY message_id, id`,
        )
        .all(...ids) as AttemptRow[];
      return rows.map((r) => ({
        messageId: r.message_id,
        taskId: r.task_id,
        attempt: r.attempt,
        at: r.at,
        durationMs: r.duration_ms,
        responseStatus: r.response_status,
        error: r.error,
        outcome: r.outcome,
      }));
    },
  };
}
