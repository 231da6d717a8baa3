import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { PG_URL_ENV } from './test-databases.ts';

/** Integration tier: one throwaway PostgreSQL server for the run (unless MEDIAGEN_TEST_PG_URL names one). */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env[PG_URL_ENV]) return undefined;
  const server = await startEmbeddedPostgres();
  process.env[PG_URL_ENV] = server.adminUrl;
  return () => server.stop();
}
