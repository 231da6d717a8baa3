import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { pgDumpCommand, redactUrl, resolveDataPaths } from './data-dir-backup.ts';

describe('resolveDataPaths', () => {
  it.each([
    {},
    { DATA_DIR: '/srv/mediagen' },
    { DATA_DIR: 'rel/data', DATABASE_URL: '/var/lib/mg/main.db' },
    { DATABASE_URL: 'sqlite:///tmp/x.db' },
    { DATABASE_URL: 'sqlite:rel.db' },
  ])('finds the database and data folder where the server does (%j)', (env) => {
    const config = loadConfig(env);
    expect(resolveDataPaths(env)).toEqual({
      dataDir: config.dataDir,
      database: { kind: 'sqlite', file: config.databaseFile },
    });
  });

  it('recognises PostgreSQL, and never prints its password', () => {
    const url = 'postgres://mg:s3cret@db:5432/mediagen';
    expect(resolveDataPaths({ DATABASE_URL: url }).database).toEqual({ kind: 'postgres', url });
    expect(redactUrl(url)).toBe('postgres://mg:***@db:5432/mediagen');
    expect(pgDumpCommand('/b')).toBe(
      `pg_dump --format=custom --no-owner --file "${path.join('/b', 'database', 'mediagen.pgdump')}" "$DATABASE_URL"`,
    );
  });
});
