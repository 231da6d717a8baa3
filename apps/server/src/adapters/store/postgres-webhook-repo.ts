import type pg from 'pg';
import type { WebhookAccountRecord, WebhookStore, WebhookSubscription } from '#ports/webhook-store.ts';
import { transaction } from './postgres-db.ts';
import {
  events,
  message,
  type AccountRow,
  type SubscriptionRow,
  type OutboxRow,
  type AttemptRow,
} from './webhook-rows.ts';

export function createPostgresWebhookRepo(pool: pg.Pool): WebhookStore {
  const ensureAccount = async (userId: string, at: number): Promise<void> => {
    await pool.query(
      'INSERT INTO webhook_accounts (user_id, updated_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING',
      [userId, at],
    );
  };
  return {
    async account(userId) {
      const r = (await pool.query<AccountRow>('SELECT * FROM webhook_accounts WHERE user_id = $1', [userId])).rows[0];
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
      await ensureAccount(userId, s.createdAt);
      await pool.query(
        `UPDATE webhook_accounts SET secret = $2, secret_created_at = $3, previous_secret = $4, previous_secret_until = $5,
          updated_at = $3 WHERE user_id = $1`,
        [userId, s.secret, s.createdAt, s.previousSecret, s.previousSecretUntil],
      );
    },
    async setDefault(userId, d) {
      await ensureAccount(userId, d.at);
      await pool.query(
        'UPDATE webhook_accounts SET default_url = $2, default_events = $3, updated_at = $4 WHERE user_id = $1',
        [userId, d.url, JSON.stringify(d.events), d.at],
      );
    },
    async subscribe(s: WebhookSubscription) {
      await pool.query(
        `INSERT INTO webhook_subscriptions (task_id, owner_id, url, events, created_at) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (task_id) DO UPDATE SET url = excluded.url, events = excluded.events`,
        [s.taskId, s.ownerId, s.url, JSON.stringify(s.events), s.createdAt],
      );
    },
    async subscription(taskId) {
      const r = (await pool.query<SubscriptionRow>('SELECT * FROM webhook_subscriptions WHERE task_id = $1', [taskId]))
        .rows[0];
      return r
        ? { taskId: r.task_id, ownerId: r.owner_id, url: r.url, events: events(r.events), createdAt: r.created_at }
        : undefined;
    },
    enqueue: (m, opts = {}) =>
      transaction(pool, async (c) => {
        const inserted = await c.query(
          `INSERT INTO webhook_outbox (id, dedupe_key, task_id, owner_id, event, url, payload, created_at, status, next_attempt_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $8) ON CONFLICT (dedupe_key) DO NOTHING`,
          [m.id, m.dedupeKey, m.taskId, m.ownerId, m.event, m.url, m.payload, m.createdAt],
        );
        if (opts.settles)
          await c.query('UPDATE webhook_subscriptions SET settled = TRUE WHERE task_id = $1', [m.taskId]);
        return inserted.rowCount === 1;
      }),
    async unsettledFinished(limit) {
      const r = await pool.query<{ task_id: string }>(
        `SELECT s.task_id FROM webhook_subscriptions s JOIN tasks t ON t.id = s.task_id
          WHERE NOT s.settled AND t.status IN ('completed','failed','cancelled')
            AND strpos(s.events, '"' || t.status || '"') > 0 ORDER BY s.created_at LIMIT $1`,
        [limit],
      );
      return r.rows.map((x) => x.task_id);
    },
    async claimDue(at, owner, leaseMs, limit) {
      const r = await pool.query<OutboxRow>(
        `UPDATE webhook_outbox SET status = 'sending', lease_owner = $1, lease_until = $2
          WHERE id IN (SELECT id FROM webhook_outbox WHERE (status = 'pending' AND next_attempt_at <= $3)
            OR (status = 'sending' AND lease_until <= $3) ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [owner, at + leaseMs, at, limit],
      );
      return r.rows.map(message).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
    },
    recordAttempt: (owner, a, next) =>
      transaction(pool, async (c) => {
        await c.query(
          `INSERT INTO webhook_deliveries (message_id, task_id, attempt, at, duration_ms, response_status, error, outcome)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [a.messageId, a.taskId, a.attempt, a.at, a.durationMs, a.responseStatus, a.error, a.outcome],
        );
        const pending = next.status === 'pending';
        const r = await c.query(
          `UPDATE webhook_outbox SET status = $1, attempts = $2, next_attempt_at = $3, lease_owner = NULL, lease_until = NULL,
            last_error = $4, last_status = $5, finished_at = $6 WHERE id = $7 AND status = 'sending' AND lease_owner = $8`,
          [
            next.status,
            a.attempt,
            pending ? next.nextAttemptAt : a.at,
            next.lastError,
            a.responseStatus,
            pending ? null : a.at,
            a.messageId,
            owner,
          ],
        );
        return r.rowCount === 1;
      }),
    async nextDueAt() {
      const r = await pool.query<{ due: number | null }>(
        `SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) AS due
          FROM webhook_outbox WHERE status IN ('pending','sending')`,
      );
      return r.rows[0]?.due ?? null;
    },
    async messages({ taskId, status, limit }) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (taskId !== undefined) {
        args.push(taskId);
        where.push(`task_id = $${args.length}`);
      }
      if (status !== undefined) {
        args.push(status);
        where.push(`status = $${args.length}`);
      }
      args.push(limit);
      const sql = `SELECT * FROM webhook_outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT $${args.length}`;
      return (await pool.query<OutboxRow>(sql, args)).rows.map(message);
    },
    async attempts(ids) {
      if (ids.length === 0) return [];
      const r = await pool.query<AttemptRow>(
        'SELECT * FROM webhook_deliveries WHERE message_id = ANY($1) ORDER BY message_id, id',
        [[...ids]],
      );
      return r.rows.map((x) => ({
        messageId: x.message_id,
        taskId: x.task_id,
        attempt: x.attempt,
        at: x.at,
        durationMs: x.duration_ms,
        responseStatus: x.response_status,
        error: x.error,
        outcome: x.outcome,
      }));
    },
  };
}
