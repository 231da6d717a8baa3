import type pg from 'pg';
import type { Logger } from 'pino';
import type { SharedWindowCounter } from '#ports/rate-counter.ts';

interface Pending {
  key: string;
  windowStart: number;
  resolve: (n: number) => void;
  reject: (err: unknown) => void;
}

/**
 * `rate_windows` (PostgreSQL migration 5): the hits of one event-loop turn go in one statement, summed per key
 * (INSERT … ON CONFLICT DO UPDATE SET n = n + hits RETURNING n: atomic across gateways), and each caller is
 * answered its own place in the total. Windows older than two lengths are swept every minute.
 */
export function createPostgresWindowCounter(
  pool: pg.Pool,
  log: Logger,
  o: { keepMs?: number; now?: () => number } = {},
): SharedWindowCounter & { close(): void } {
  const now = o.now ?? Date.now;
  let batch: Pending[] = [];

  const run = async (hits: Pending[]): Promise<void> => {
    const byKey = new Map<string, Pending[]>();
    for (const h of hits) {
      const k = `${h.windowStart}\u0000${h.key}`;
      const list = byKey.get(k);
      if (list) list.push(h);
      else byKey.set(k, [h]);
    }
    // rows written in one order on every gateway: two statements locking shared rows in opposite orders deadlock
    const groups = [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, g]) => g);
    try {
      const r = await pool.query<{ key: string; window_start: number; n: number }>(
        `INSERT INTO rate_windows (key, window_start, n)
          SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[])
          ON CONFLICT (key, window_start) DO UPDATE SET n = rate_windows.n + EXCLUDED.n
          RETURNING key, window_start, n`,
        [groups.map((g) => g[0]?.key ?? ''), groups.map((g) => g[0]?.windowStart ?? 0), groups.map((g) => g.length)],
      );
      const totals = new Map(r.rows.map((row) => [`${row.window_start}\u0000${row.key}`, row.n]));
      for (const [k, g] of byKey) {
        const total = totals.get(k) ?? g.length;
        // the hits of this batch are the last g.length of the total, in the order they were made
        g.forEach((h, i) => h.resolve(total - g.length + 1 + i));
      }
    } catch (err) {
      for (const h of hits) h.reject(err);
    }
  };

  const sweep = setInterval(() => {
    pool
      .query('DELETE FROM rate_windows WHERE window_start < $1', [now() - (o.keepMs ?? 120_000)])
      .catch((err: unknown) => log.debug({ err }, 'could not sweep old rate-limit windows'));
  }, 60_000);
  sweep.unref();

  return {
    hit(key, windowStart) {
      return new Promise<number>((resolve, reject) => {
        if (batch.length === 0) {
          setImmediate(() => {
            const hits = batch;
            batch = [];
            void run(hits);
          });
        }
        batch.push({ key, windowStart, resolve, reject });
      });
    },
    close() {
      clearInterval(sweep);
    },
  };
}
