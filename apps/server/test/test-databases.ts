import crypto from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for the integration tier. `integration-global-setup.ts` starts one throwaway server per run (or uses
 * MEDIAGEN_TEST_PG_URL when a developer points it at their own) and every test gets databases of its own on it.
 * MEDIAGEN_TEST_DB=postgres runs the gateways that the test kit starts on PostgreSQL instead of SQLite.
 */
export const PG_URL_ENV = 'MEDIAGEN_TEST_PG_URL';

export function postgresAdminUrl(): string {
  const url = process.env[PG_URL_ENV];
  if (!url) throw new Error(`${PG_URL_ENV} is not set: the integration tier's global setup starts PostgreSQL`);
  return url;
}

/** The gateways of the test kit run on PostgreSQL (MEDIAGEN_TEST_DB=postgres). */
export function gatewaysOnPostgres(): boolean {
  return process.env.MEDIAGEN_TEST_DB === 'postgres';
}

function databaseUrl(name: string): string {
  const u = new URL(postgresAdminUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

async function ensureDatabase(name: string): Promise<string> {
  const c = new pg.Client({ connectionString: postgresAdminUrl() });
  await c.connect();
  try {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE "${name}"`);
  } catch (err) {
    // two creators at once: the loser finds it made
    if (!(err instanceof Error && /already exists/.test(err.message))) throw err;
  } finally {
    await c.end();
  }
  return databaseUrl(name);
}

/** A new, empty database. */
export function freshDatabase(label = 'test'): Promise<string> {
  return ensureDatabase(`mg_${label.replace(/\W/g, '_').slice(0, 20)}_${crypto.randomBytes(5).toString('hex')}`);
}

/**
 * The database of a gateway's DATA_DIR when the kit runs gateways on PostgreSQL: one per DATA_DIR, so a restart
 * on the same DATA_DIR finds its data as it would in the SQLite file. {} on SQLite.
 */
export async function databaseEnvFor(dataDir: string): Promise<Record<string, string>> {
  if (!gatewaysOnPostgres()) return {};
  const name = `mg_dir_${crypto.createHash('sha1').update(dataDir).digest('hex').slice(0, 16)}`;
  return { DATABASE_URL: await ensureDatabase(name) };
}
