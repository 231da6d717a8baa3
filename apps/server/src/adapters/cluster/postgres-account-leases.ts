import type pg from 'pg';
import type { AccountLeases } from '#ports/account-leases.ts';

/** The database's clock in epoch ms: every instance judges expiry by this one clock, whatever its own says. */
const NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/** This instance's lease rows, locked in id order (see below): the rows a renewal or a release then writes. */
const mineInOrder = (and = ''): string =>
  `SELECT account_id FROM account_leases WHERE instance_id = $1 ${and} ORDER BY account_id FOR UPDATE`;

/**
 * Leases in PostgreSQL (migration 4): `gateway_instances` says who is alive, `account_leases` who drives which account.
 * Taking a lease is one INSERT … ON CONFLICT DO UPDATE … WHERE the lease has lapsed: the row lock makes it atomic,
 * so of two instances that reach for one account at once, one gets it and the other's statement returns nothing.
 * The candidates are picked at random (instances spread over the accounts) but locked in id order, as renewals and
 * releases lock theirs: two statements that took rows in different orders could each wait on the other's, which
 * PostgreSQL ends as a deadlock.
 */
export function createPostgresAccountLeases(pool: pg.Pool, o: { instanceId: string; ttlMs: number }): AccountLeases {
  const { instanceId: me, ttlMs } = o;
  return {
    instanceId: me,
    holdsEveryAccount: false,
    ttlMs,
    async beat() {
      await pool.query(
        `INSERT INTO gateway_instances (id, started_at, heartbeat_at) VALUES ($1, ${NOW}, ${NOW})
          ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at`,
        [me],
      );
      // renewed whether or not it lapsed meanwhile: while the row still names this instance, no one else took it
      const held = await pool.query<{ account_id: string }>(
        `UPDATE account_leases SET expires_at = ${NOW} + $2 WHERE instance_id = $1 AND account_id IN (${mineInOrder()})
          RETURNING account_id`,
        [me, ttlMs],
      );
      const counts = await pool.query<{ live: number; accounts: number }>(
        `WITH gone AS (DELETE FROM gateway_instances WHERE heartbeat_at < ${NOW} - 10 * $1::bigint)
         SELECT (SELECT COUNT(*) FROM gateway_instances WHERE heartbeat_at >= ${NOW} - $1::bigint)::int AS live,
                (SELECT COUNT(*) FROM accounts)::int AS accounts`,
        [ttlMs],
      );
      const c = counts.rows[0];
      return {
        held: held.rows.map((r) => r.account_id),
        liveInstances: Math.max(1, c?.live ?? 1),
        accounts: c?.accounts ?? 0,
      };
    },
    async acquire(max) {
      if (max <= 0) return [];
      const r = await pool.query<{ account_id: string }>(
        `WITH t AS (SELECT ${NOW} AS now)
         INSERT INTO account_leases (account_id, instance_id, expires_at)
         SELECT c.id, $1, c.now + $2 FROM (
           SELECT a.id, t.now FROM accounts a CROSS JOIN t
             LEFT JOIN account_leases l ON l.account_id = a.id
            WHERE l.account_id IS NULL OR l.expires_at < t.now
            ORDER BY random() LIMIT $3) c
          ORDER BY c.id
         ON CONFLICT (account_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, expires_at = EXCLUDED.expires_at
          WHERE account_leases.expires_at < EXCLUDED.expires_at - $2
         RETURNING account_id`,
        [me, ttlMs, max],
      );
      return r.rows.map((x) => x.account_id);
    },
    async release(accountIds) {
      if (accountIds) {
        if (accountIds.length === 0) return;
        await pool.query(
          `DELETE FROM account_leases WHERE instance_id = $1 AND account_id IN (${mineInOrder('AND account_id = ANY($2)')})`,
          [me, accountIds],
        );
        return;
      }
      await pool.query(`DELETE FROM account_leases WHERE instance_id = $1 AND account_id IN (${mineInOrder()})`, [me]);
      await pool.query('DELETE FROM gateway_instances WHERE id = $1', [me]);
    },
  };
}
