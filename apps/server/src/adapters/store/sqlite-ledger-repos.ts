import type Database from 'better-sqlite3';
import type { AuditEntry, CreditEntry, Store } from '#ports/store.ts';

interface LedgerRow {
  id: number;
  user_id: string;
  task_id: string | null;
  kind: CreditEntry['kind'];
  amount: number;
  balance_after: number;
  created_at: number;
}

export type CreditApply = (
  e: { userId: string; taskId: string | null; kind: CreditEntry['kind']; amount: number; at: number },
  allowNegative: boolean,
) => { ok: boolean; balance: number | null };

/** One ledger entry and the balance move, in a transaction (nested calls become savepoints). */
export function sqliteCreditApply(db: Database.Database, q: (sql: string) => Database.Statement): CreditApply {
  return db.transaction(
    (
      e: { userId: string; taskId: string | null; kind: CreditEntry['kind']; amount: number; at: number },
      allowNegative: boolean,
    ) => {
      const row = q('SELECT credits FROM users WHERE id = ?').get(e.userId) as { credits: number | null } | undefined;
      if (!row) return { ok: false, balance: null };
      const next = (row.credits ?? 0) + e.amount;
      if (next < 0 && !allowNegative) return { ok: false, balance: row.credits };
      q('UPDATE users SET credits = ? WHERE id = ?').run(next, e.userId);
      q(
        'INSERT INTO credit_ledger (user_id, task_id, kind, amount, balance_after, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(e.userId, e.taskId, e.kind, e.amount, next, e.at);
      return { ok: true, balance: next };
    },
  );
}

/** Credits: an append-only ledger (triggers refuse UPDATE/DELETE) with the balance cached on the user row. */
export function createSqliteCreditRepo(
  db: Database.Database,
  q: (sql: string) => Database.Statement,
): Store['credits'] {
  const apply = sqliteCreditApply(db, q);
  return {
    apply: async (e, allowNegative = false) => apply(e, allowNegative),
    async open() {
      return (
        q(`SELECT task_id, user_id, -SUM(CASE WHEN kind = 'reserve' THEN amount ELSE 0 END) AS reserved,
          SUM(kind IN ('release','charge')) AS settled FROM credit_ledger WHERE task_id IS NOT NULL GROUP BY task_id, user_id HAVING settled = 0 AND reserved > 0`).all() as Array<{
          task_id: string;
          user_id: string;
          reserved: number;
        }>
      ).map((r) => ({ taskId: r.task_id, userId: r.user_id, reserved: r.reserved }));
    },
    async reservedFor(taskId) {
      const r =
        q(`SELECT user_id, -SUM(CASE WHEN kind = 'reserve' THEN amount ELSE 0 END) AS reserved, SUM(kind IN ('release','charge')) AS settled
        FROM credit_ledger WHERE task_id = ? GROUP BY user_id`).get(taskId) as
          { user_id: string; reserved: number; settled: number } | undefined;
      return r ? { userId: r.user_id, reserved: r.reserved, settled: r.settled > 0 } : undefined;
    },
    async ledger(userId, limit) {
      return (
        q('SELECT * FROM credit_ledger WHERE user_id = ? ORDER BY id DESC LIMIT ?').all(userId, limit) as LedgerRow[]
      ).map((r) => ({
        id: r.id,
        userId: r.user_id,
        taskId: r.task_id,
        kind: r.kind,
        amount: r.amount,
        balanceAfter: r.balance_after,
        createdAt: r.created_at,
      }));
    },
  };
}

export function createSqliteAuditRepo(q: (sql: string) => Database.Statement): Store['audit'] {
  return {
    async append(e) {
      q('INSERT INTO audit_log (at, actor, action, target, status, ip) VALUES (?, ?, ?, ?, ?, ?)').run(
        e.at,
        e.actor,
        e.action,
        e.target,
        e.status,
        e.ip,
      );
    },
    async list(limit) {
      return q('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as AuditEntry[];
    },
  };
}
