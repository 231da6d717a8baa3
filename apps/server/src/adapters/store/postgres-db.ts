import pg from 'pg';

/** BIGINT (epoch ms, balances, counts) as a JS number: every value we store fits in 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * One pool per store; `max` connections (a few per gateway are plenty: every query is short). `ephemeral`: what this
 * pool writes may be lost in a crash (rate-limit windows, preview frames, notifications), so its commits do not wait
 * for the WAL flush (`synchronous_commit = off`: still atomic and at once visible, never corrupting).
 */
export function openPostgresPool(url: string, max = 10, o: { ephemeral?: boolean } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types,
    idleTimeoutMillis: 30_000,
    ...(o.ephemeral ? { options: '-c synchronous_commit=off' } : {}),
  });
  // an idle client that loses its connection (the server restarted) must not crash the process
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Text from users as PostgreSQL can hold it: a `text` value cannot contain U+0000 (SQLite's can), so that one
 * character is stored as U+FFFD rather than failing the request. JSON text columns keep it escaped, but jsonb refuses
 * the escape: queries that read fields of such a column replace it first (postgres-task-repo.ts).
 */
export const pgText = (s: string): string => s.replaceAll('\u0000', '\uFFFD');

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Thrown inside `transaction` to roll back and still answer a value. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/** BEGIN … COMMIT on one connection; a throw rolls back (a `Rollback` answers its value). */
export async function transaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    try {
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      if (err instanceof Rollback) return err.value as T;
      throw err;
    }
  } finally {
    c.release();
  }
}
