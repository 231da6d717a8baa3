import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import { openPostgresStore } from '#adapters/store/postgres-store.ts';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';
import type { Store } from '#ports/store.ts';
import { databaseEnvFor } from './test-databases.ts';

/**
 * The database of a test gateway's DATA_DIR, whichever the kit runs it on (its SQLite file, or its PostgreSQL
 * database under MEDIAGEN_TEST_DB=postgres), for tests that read or age rows behind the API: a second connection,
 * as another process would have.
 */
export interface GatewayDatabase {
  /** one statement with `?` placeholders (numbered for PostgreSQL); the rows it returns */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openGatewayDatabase(dataDir: string): Promise<GatewayDatabase> {
  const url = (await databaseEnvFor(dataDir)).DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      async query<T>(sql: string, params: unknown[] = []) {
        let n = 0;
        return (
          await client.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows as T[];
      },
      close: () => client.end(),
    };
  }
  const db = new Database(path.join(dataDir, 'mediagen.db'));
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      const statement = db.prepare(sql);
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
    },
    async close() {
      db.close();
    },
  };
}

/** The Store adapter on a test gateway's database (a second one, as another process would open). */
export async function openGatewayStore(dataDir: string): Promise<Store> {
  const url = (await databaseEnvFor(dataDir)).DATABASE_URL;
  return url ? openPostgresStore(openPostgresPool(url, 2)) : openSqliteStore(path.join(dataDir, 'mediagen.db'));
}
