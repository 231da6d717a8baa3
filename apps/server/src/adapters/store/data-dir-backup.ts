// `npm run backup -- DIR` / `npm run restore -- DIR`: the database (a consistent snapshot) plus everything else
// in DATA_DIR (media, uploads, thumbnails, admin key, C2PA keys), with a manifest of checksums.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { backupSqlite, sha256File } from './sqlite-backup.ts';

export const BACKUP_MANIFEST = 'backup.json';
const FORMAT = 'mediagen-backup';
const FORMAT_VERSION = 1;
/** automatic pre-migration copies live here; a backup does not carry them */
export const PRE_MIGRATION_DIR = 'backups';

export type DatabaseLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface DataPaths {
  dataDir: string;
  database: DatabaseLocation;
}

/** DATA_DIR and DATABASE_URL read the way apps/server/src/config.ts reads them (postgres included). */
export function resolveDataPaths(env: NodeJS.ProcessEnv): DataPaths {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const url = env.DATABASE_URL;
  if (url && url.startsWith('postgres')) return { dataDir, database: { kind: 'postgres', url } };
  const file = url ? path.resolve(url.replace(/^sqlite:(\/\/)?/, '')) : path.join(dataDir, 'mediagen.db');
  return { dataDir, database: { kind: 'sqlite', file } };
}

export interface BackupManifest {
  format: typeof FORMAT;
  formatVersion: number;
  createdAt: string;
  mediagenVersion: string;
  database:
    | { kind: 'sqlite'; file: string; bytes: number; sha256: string; schemaVersion: number }
    | {
        kind: 'postgres';
        dumpCommand: string;
        /** the dump found in DIR/database/ when the backup ran (run pg_dump first), with its checksum */
        dump?: { file: string; bytes: number; sha256: string };
      };
  files: { count: number; bytes: number; list: Array<[path: string, bytes: number, sha256: string]> };
  /** files listed but deleted before they could be copied (a user deleted them during the backup) */
  vanished: string[];
}

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A URL with its password blanked, for printing. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export const PG_DUMP_FILE = 'mediagen.pgdump';

export function pgDumpCommand(backupDir: string): string {
  return `pg_dump --format=custom --no-owner --file "${path.join(backupDir, 'database', PG_DUMP_FILE)}" "$DATABASE_URL"`;
}

export function pgRestoreCommand(backupDir: string): string {
  return `pg_restore --no-owner --exit-on-error --dbname "$DATABASE_URL" "${path.join(backupDir, 'database', PG_DUMP_FILE)}"`;
}

/** Regular files under `root`, relative POSIX-style paths, sorted; `skip` sees each relative path. */
async function listFiles(root: string, skip: (rel: string) => boolean): Promise<string[]> {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (skip(rel)) continue;
      if (entry.isDirectory()) await walk(abs);
      else if (entry.isFile()) out.push(rel);
    }
  };
  await walk(root);
  return out.sort();
}

/** Copy one file, hashing the bytes on the way; keeps the mode (private keys stay 0600). */
async function copyHashed(from: string, to: string): Promise<{ bytes: number; sha256: string }> {
  const mode = (await fsp.stat(from)).mode & 0o777;
  await fsp.mkdir(path.dirname(to), { recursive: true });
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(fs.createReadStream(from), tap, fs.createWriteStream(to, { mode }));
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * Back up a running installation into `dest` (new or empty). The database snapshot is taken first and the
 * files copied after it, so every file a snapshot row names is in the backup (files of later rows may be too).
 */
export async function backupDataDir(opts: {
  paths: DataPaths;
  dest: string;
  version: string;
  now?: Date;
}): Promise<BackupManifest> {
  const { dataDir, database } = opts.paths;
  const dest = path.resolve(opts.dest);
  if (isInside(dest, dataDir)) throw new BackupError(`the backup folder ${dest} is inside DATA_DIR ${dataDir}`);
  const dumpFile = path.join(dest, 'database', PG_DUMP_FILE);
  const hasDump = database.kind === 'postgres' && fs.existsSync(dumpFile);
  if (fs.existsSync(dest) && !(await onlyHolds(dest, hasDump ? [path.join('database', PG_DUMP_FILE)] : []))) {
    throw new BackupError(`${dest} is not empty: back up into a new or empty folder`);
  }
  if (!fs.existsSync(dataDir)) throw new BackupError(`DATA_DIR ${dataDir} does not exist`);
  await fsp.mkdir(dest, { recursive: true, mode: 0o700 }); // it holds the admin key and the signing key

  let dbManifest: BackupManifest['database'];
  const dbFiles = new Set<string>();
  if (database.kind === 'sqlite') {
    const copy = await backupSqlite(database.file, path.join(dest, 'database', path.basename(database.file)));
    dbManifest = { kind: 'sqlite', file: path.basename(database.file), ...pick(copy) };
    for (const suffix of ['', '-wal', '-shm', '-journal']) dbFiles.add(path.resolve(database.file + suffix));
  } else {
    dbManifest = { kind: 'postgres', dumpCommand: pgDumpCommand(dest) };
    if (hasDump) {
      const bytes = (await fsp.stat(dumpFile)).size;
      dbManifest.dump = { file: PG_DUMP_FILE, bytes, sha256: await sha256File(dumpFile) };
    }
  }

  const skip = (rel: string): boolean =>
    rel === PRE_MIGRATION_DIR ||
    rel.endsWith('.tmp') ||
    rel.endsWith('.partial') ||
    dbFiles.has(path.resolve(dataDir, rel));
  const list: BackupManifest['files']['list'] = [];
  const vanished: string[] = [];
  let bytes = 0;
  for (const rel of await listFiles(dataDir, skip)) {
    try {
      const copied = await copyHashed(path.join(dataDir, rel), path.join(dest, 'data', rel));
      list.push([rel, copied.bytes, copied.sha256]);
      bytes += copied.bytes;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      vanished.push(rel);
      await fsp.rm(path.join(dest, 'data', rel), { force: true });
    }
  }
  const manifest: BackupManifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    createdAt: (opts.now ?? new Date()).toISOString(),
    mediagenVersion: opts.version,
    database: dbManifest,
    files: { count: list.length, bytes, list },
    vanished,
  };
  await fsp.writeFile(path.join(dest, BACKUP_MANIFEST), JSON.stringify(manifest, null, 1) + '\n', { mode: 0o600 });
  return manifest;
}

/** true when `dir` holds nothing but the given relative files (and their folders) */
async function onlyHolds(dir: string, allowed: string[]): Promise<boolean> {
  const present = await listFiles(dir, () => false);
  const want = new Set(allowed.map((f) => f.split(path.sep).join('/')));
  return present.every((f) => want.has(f));
}

function pick(r: { bytes: number; sha256: string; schemaVersion: number }): {
  bytes: number;
  sha256: string;
  schemaVersion: number;
} {
  return { bytes: r.bytes, sha256: r.sha256, schemaVersion: r.schemaVersion };
}

export async function readBackupManifest(backupDir: string): Promise<BackupManifest> {
  const file = path.join(backupDir, BACKUP_MANIFEST);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (err) {
    throw new BackupError(`${file} cannot be read: ${(err as Error).message}`);
  }
  const m = parsed as Partial<BackupManifest> | null;
  if (m?.format !== FORMAT || typeof m.formatVersion !== 'number' || !m.database || !m.files) {
    throw new BackupError(`${file} is not a MediaGen backup manifest`);
  }
  if (m.formatVersion > FORMAT_VERSION) {
    throw new BackupError(`backup format ${m.formatVersion} is newer than this MediaGen understands`);
  }
  return m as BackupManifest;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  if (!fs.existsSync(dir)) return true;
  return (await fsp.readdir(dir)).length === 0;
}

/**
 * Restore `backupDir` into an empty (or missing) DATA_DIR. Everything is checked against the manifest's
 * checksums and assembled in a sibling folder first, then moved into place: a failed restore leaves no
 * half-restored DATA_DIR behind.
 */
export async function restoreDataDir(opts: { backupDir: string; paths: DataPaths }): Promise<BackupManifest> {
  const backupDir = path.resolve(opts.backupDir);
  const { dataDir, database } = opts.paths;
  const manifest = await readBackupManifest(backupDir);
  if (!(await isEmptyOrMissing(dataDir))) {
    throw new BackupError(`DATA_DIR ${dataDir} is not empty: restore only into a new or empty folder`);
  }
  if (manifest.database.kind === 'sqlite' && database.kind !== 'sqlite') {
    throw new BackupError('this backup holds a SQLite database, but DATABASE_URL points at PostgreSQL');
  }
  const dbTarget = database.kind === 'sqlite' ? database.file : undefined;
  const dbInside = dbTarget !== undefined && isInside(dbTarget, dataDir);
  if (dbTarget && !dbInside && fs.existsSync(dbTarget)) throw new BackupError(`${dbTarget} already exists`);

  // 1. the database copy must match its checksum before anything is written
  let dbSource: string | undefined;
  if (manifest.database.kind === 'sqlite') {
    dbSource = path.join(backupDir, 'database', manifest.database.file);
    const actual = fs.existsSync(dbSource) ? await sha256File(dbSource) : 'missing';
    if (actual !== manifest.database.sha256) {
      throw new BackupError(`the database copy ${dbSource} does not match backup.json (sha256 ${actual})`);
    }
  }

  if (manifest.database.kind === 'postgres' && manifest.database.dump) {
    const dump = path.join(backupDir, 'database', manifest.database.dump.file);
    const actual = fs.existsSync(dump) ? await sha256File(dump) : 'missing';
    if (actual !== manifest.database.dump.sha256) {
      throw new BackupError(`the database dump ${dump} does not match backup.json (sha256 ${actual})`);
    }
  }

  // 2. assemble beside the target, checking every file on the way
  const staging = `${dataDir.replace(/[/\\]+$/, '')}.restoring-${process.pid}`;
  await fsp.rm(staging, { recursive: true, force: true });
  await fsp.mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    for (const [rel, bytes, sha256] of manifest.files.list) {
      if (rel.split('/').includes('..') || path.isAbsolute(rel))
        throw new BackupError(`unsafe path in manifest: ${rel}`);
      const copied = await copyHashed(path.join(backupDir, 'data', rel), path.join(staging, rel)).catch((err) => {
        throw new BackupError(`${rel} is missing from the backup (${(err as Error).message})`);
      });
      if (copied.sha256 !== sha256 || copied.bytes !== bytes)
        throw new BackupError(`${rel} does not match backup.json`);
    }
    if (dbSource && dbTarget) {
      const stagedDb = dbInside ? path.join(staging, path.relative(dataDir, dbTarget)) : `${dbTarget}.restoring`;
      await copyHashed(dbSource, stagedDb);
      const db = new Database(stagedDb, { fileMustExist: true });
      try {
        const check = db.pragma('quick_check', { simple: true });
        if (check !== 'ok') throw new BackupError(`the restored database failed its check: ${String(check)}`);
      } finally {
        db.close();
      }
      if (!dbInside) {
        await fsp.mkdir(path.dirname(dbTarget), { recursive: true });
        await fsp.rename(stagedDb, dbTarget);
      }
    }
    // 3. into place
    if (fs.existsSync(dataDir)) await fsp.rmdir(dataDir); // empty, checked above
    await fsp.mkdir(path.dirname(dataDir), { recursive: true });
    await fsp.rename(staging, dataDir);
  } catch (err) {
    await fsp.rm(staging, { recursive: true, force: true });
    if (dbTarget && !dbInside) await fsp.rm(`${dbTarget}.restoring`, { force: true });
    throw err;
  }
  return manifest;
}
