// Consistent copies of the SQLite database while MediaGen runs: SQLite's online backup API (through
// better-sqlite3) reads one snapshot under a read transaction; in WAL mode the gateway keeps writing meanwhile.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { pendingMigrations } from './migrations.ts';

export interface SqliteBackupResult {
  file: string;
  bytes: number;
  sha256: string;
  pages: number;
  /** highest applied migration in the copy (0 for a database MediaGen never migrated) */
  schemaVersion: number;
}

/** SHA-256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

function schemaVersionOf(db: Database.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Copy `dbFile` to `destFile` (which must not exist) as one consistent snapshot, while other connections and
 * processes keep writing. The copy is checked (integrity_check) and left as one self-contained file in rollback
 * journal mode (no -wal/-shm beside it); the gateway switches it back to WAL when it opens it.
 */
export async function backupSqlite(dbFile: string, destFile: string): Promise<SqliteBackupResult> {
  if (!fs.existsSync(dbFile)) throw new Error(`no database at ${dbFile}`);
  if (fs.existsSync(destFile)) throw new Error(`${destFile} already exists`);
  await fsp.mkdir(path.dirname(destFile), { recursive: true });
  const partial = `${destFile}.partial`;
  await fsp.rm(partial, { force: true });
  const source = new Database(dbFile, { fileMustExist: true });
  let pages: number;
  try {
    source.pragma('busy_timeout = 10000');
    // all remaining pages in one step: a step holds the read transaction, so the copy is one snapshot and never
    // restarts because a writer changed the source between steps
    const result = await source.backup(partial, { progress: () => 0x7fffffff });
    pages = result.totalPages;
  } finally {
    source.close();
  }
  let schemaVersion: number;
  const copy = new Database(partial, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
    schemaVersion = schemaVersionOf(copy);
  } finally {
    copy.close();
  }
  await fsp.rename(partial, destFile);
  const bytes = (await fsp.stat(destFile)).size;
  return { file: destFile, bytes, sha256: await sha256File(destFile), pages, schemaVersion };
}

/** The applied migration version of a database file, without migrating it (0 when none applied yet). */
export function readSchemaVersion(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return schemaVersionOf(db);
  } finally {
    db.close();
  }
}

/**
 * Before migrations change an existing database: a copy in `dir` named after the schema version it has, e.g.
 * `mediagen-v3-2026-12-02T10-15-00Z.db`; only the `keep` newest such copies stay. Returns undefined when there
 * is no database yet (first start: nothing to protect).
 */
export async function backupSqliteBeforeMigration(
  dbFile: string,
  dir: string,
  opts: { keep?: number; now?: Date } = {},
): Promise<SqliteBackupResult | undefined> {
  if (!fs.existsSync(dbFile)) return undefined;
  const version = readSchemaVersion(dbFile);
  const stamp = (opts.now ?? new Date())
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const base = path.basename(dbFile, path.extname(dbFile));
  const result = await backupSqlite(dbFile, path.join(dir, `${base}-v${version}-${stamp}.db`));
  const keep = Math.max(1, opts.keep ?? 5);
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-v\\d+-.+\\.db$`);
  const copies = (await fsp.readdir(dir)).filter((f) => pattern.test(f));
  const withTimes = await Promise.all(copies.map(async (f) => ({ f, t: (await fsp.stat(path.join(dir, f))).mtimeMs })));
  withTimes.sort((a, b) => b.t - a.t || b.f.localeCompare(a.f));
  for (const { f } of withTimes.slice(keep)) await fsp.rm(path.join(dir, f), { force: true });
  return result;
}

/**
 * At start, before `migrate`: when the database exists and has migrations still to run, a copy is taken first
 * (backupSqliteBeforeMigration into `dir`). Returns the copy, or undefined when nothing needed protecting.
 */
export async function backupIfMigrationsPending(dbFile: string, dir: string): Promise<SqliteBackupResult | undefined> {
  if (!fs.existsSync(dbFile)) return undefined;
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  let pending: number[];
  try {
    pending = pendingMigrations(db);
  } finally {
    db.close();
  }
  if (pending.length === 0) return undefined;
  await fsp.mkdir(dir, { recursive: true });
  return backupSqliteBeforeMigration(dbFile, dir);
}
