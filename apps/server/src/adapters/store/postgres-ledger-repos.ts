import type pg from 'pg';
import type { AuditEntry, CreditEntry, Store } from '#ports/store.ts';
import { transaction, type Queryable } from './postgres-db.ts';

interface LedgerRow {
  id: number;
  user_id: string;
  task_id: string | null;
  kind: CreditEntry['kind'];
  amount: number;
  balance_after: number;
  created_at: number;
}

type CreditMove = { userId: string; taskId: string | null; kind: CreditEntry['kind']; amount: number; at: number };

/**
 * One ledger entry and the balance move, inside the caller's transaction. The user's row is locked (FOR UPDATE),
 * so concurrent moves of one balance — from any gateway — queue up instead of losing an update. A task's
 * reservation is released, and its run charged, at most once: two gateways settling the same task (a reconcile
 * at start-up racing a live settle) cannot both pay back.
 */
export async function applyCredit(
  c: Queryable,
  e: CreditMove,
  allowNegative: boolean,
  o: { skipUnlimited?: boolean } = {},
): Promise<{ ok: boolean; balance: number | null }> {
  const row = (
    await c.query<{ credits: number | null }>('SELECT credits FROM users WHERE id = $1 FOR UPDATE', [e.userId])
  ).rows[0];
  if (!row) return { ok: false, balance: null };
  if (o.skipUnlimited && row.credits === null) return { ok: false, balance: null };
  if (e.taskId !== null && (e.kind === 'release' || e.kind === 'charge')) {
    const done = await c.query('SELECT 1 FROM credit_ledger WHERE task_id = $1 AND kind = $2 LIMIT 1', [
      e.taskId,
      e.kind,
    ]);
    if ((done.rowCount ?? 0) > 0) return { ok: false, balance: row.credits };
  }
  const next = (row.credits ?? 0) + e.amount;
  if (next < 0 && !allowNegative) return { ok: false, balance: row.credits };
  await c.query('UPDATE users SET credits = $2 WHERE id = $1', [e.userId, next]);
  await c.query(
    'INSERT INTO credit_ledger (user_id, task_id, kind, amount, balance_after, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [e.userId, e.taskId, e.kind, e.amount, next, e.at],
  );
  return { ok: true, balance: next };
}

/** Credits: an append-only ledger (triggers refuse UPDATE, DELETE and TRUNCATE) with the balance on the user row. */
export function createPostgresCreditRepo(pool: pg.Pool): Store['credits'] {
  return {
    apply: (e, allowNegative = false) => transaction(pool, (c) => applyCredit(c, e, allowNegative)),
    async open() {
      const r = await pool.query<{ task_id: string; user_id: string; reserved: number }>(
        `SELECT task_id, user_id, (-SUM(CASE WHEN kind = 'reserve' THEN amount ELSE 0 END))::bigint AS reserved
          FROM credit_ledger WHERE task_id IS NOT NULL GROUP BY task_id, user_id
          HAVING COUNT(*) FILTER (WHERE kind IN ('release','charge')) = 0
            AND -SUM(CASE WHEN kind = 'reserve' THEN amount ELSE 0 END) > 0`,
      );
      return r.rows.map((x) => ({ taskId: x.task_id, userId: x.user_id, reserved: x.reserved }));
    },
    async reservedFor(taskId) {
      const r = (
        await pool.query<{ user_id: string; reserved: number; settled: number }>(
          `SELECT user_id, (-SUM(CASE WHEN kind = 'reserve' THEN amount ELSE 0 END))::bigint AS reserved,
            COUNT(*) FILTER (WHERE kind IN ('release','charge')) AS settled
            FROM credit_ledger WHERE task_id = $1 GROUP BY user_id`,
          [taskId],
        )
      ).rows[0];
      return r ? { userId: r.user_id, reserved: r.reserved, settled: r.settled > 0 } : undefined;
    },
    async ledger(userId, limit) {
      const r = await pool.query<LedgerRow>(
        'SELECT * FROM credit_ledger WHERE user_id = $1 ORDER BY id DESC LIMIT $2',
        [userId, limit],
      );
      return r.rows.map((x) => ({
        id: x.id,
        userId: x.user_id,
        taskId: x.task_id,
        kind: x.kind,
        amount: x.amount,
        balanceAfter: x.balance_after,
        createdAt: x.created_at,
      }));
    },
  };
}

export function createPostgresAuditRepo(pool: pg.Pool): Store['audit'] {
  return {
    async append(e) {
      await pool.query(
        'INSERT INTO audit_log (at, actor, action, target, status, ip) VALUES ($1, $2, $3, $4, $5, $6)',
        [e.at, e.actor, e.action, e.target, e.status, e.ip],
      );
    },
    async list(limit) {
      return (await pool.query<AuditEntry>('SELECT * FROM audit_log ORDER BY id DESC LIMIT $1', [limit])).rows;
    },
  };
}
