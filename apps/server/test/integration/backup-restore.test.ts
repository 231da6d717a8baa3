// Backups under load: a writer process keeps committing media rows through the real store while the backup
// runs; the restore must hold every row committed before the backup began, and every row's file.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupError,
  backupDataDir,
  readBackupManifest,
  resolveDataPaths,
  restoreDataDir,
  type DataPaths,
} from '#adapters/store/data-dir-backup.ts';
import { backupSqliteBeforeMigration, readSchemaVersion } from '#adapters/store/sqlite-backup.ts';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const WRITER = path.resolve(import.meta.dirname, '../backup-load-writer.ts');

class Writer {
  readonly committed: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;

  constructor(dataDir: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], { cwd: repoRoot });
    let buffered = '';
    this.child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('committed ')) this.committed.push(line.slice(10));
    });
    let stderr = '';
    this.child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        if (code !== 0) process.stderr.write(stderr);
        resolve(code);
      }),
    );
  }

  async waitFor(rows: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (this.committed.length < rows) {
      if (Date.now() > deadline) throw new Error(`the writer committed only ${this.committed.length} rows`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

function assetRows(dbFile: string): Array<{ id: string; path: string; bytes: number }> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, path, bytes FROM assets').all() as Array<{ id: string; path: string; bytes: number }>;
  } finally {
    db.close();
  }
}

describe('backup and restore of a running installation', () => {
  let tmp: string;
  let source: DataPaths;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mediagen-backup-test-'));
    source = resolveDataPaths({ DATA_DIR: path.join(tmp, 'data') });
    fs.mkdirSync(source.dataDir, { recursive: true });
    fs.writeFileSync(path.join(source.dataDir, 'admin.key'), 'k'.repeat(32), { mode: 0o600 });
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('takes a backup under load that restores into a fresh DATA_DIR with every earlier row and its file', async () => {
    const writer = new Writer(source.dataDir);
    let before: string[];
    let during: number;
    try {
      await writer.waitFor(200);
      before = [...writer.committed];
      const manifest = await backupDataDir({ paths: source, dest: path.join(tmp, 'backup'), version: 'test' });
      during = writer.committed.length - before.length;
      expect(manifest.database.kind).toBe('sqlite');
      expect(manifest.files.count).toBeGreaterThanOrEqual(before.length + 1); // + admin.key
      expect(manifest.files.list.some(([rel]) => rel.endsWith('.tmp') || rel.startsWith('mediagen.db'))).toBe(false);
    } finally {
      expect(await writer.stop()).toBe(0);
    }
    expect(during).toBeGreaterThan(0); // the writer really kept committing while the backup ran

    const target = resolveDataPaths({ DATA_DIR: path.join(tmp, 'restored') });
    await restoreDataDir({ backupDir: path.join(tmp, 'backup'), paths: target });
    const restoredDb = target.database.kind === 'sqlite' ? target.database.file : '';
    const rows = assetRows(restoredDb);
    const ids = new Set(rows.map((r) => r.id));
    for (const id of before) expect(ids.has(id)).toBe(true);
    expect(rows.length).toBeLessThanOrEqual(before.length + during + 1);
    for (const row of rows) {
      const file = path.join(target.dataDir, row.path);
      expect(fs.existsSync(file)).toBe(true);
      expect(fs.statSync(file).size).toBe(row.bytes);
    }
    expect(fs.readFileSync(path.join(target.dataDir, 'admin.key'), 'utf8')).toBe('k'.repeat(32));
    expect(fs.statSync(path.join(target.dataDir, 'admin.key')).mode & 0o077).toBe(0);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.restoring'))).toEqual([]);

    const store = openSqliteStore(restoredDb); // the real store opens it (and migrates nothing new)
    const first = before[0] ?? '';
    expect((await store.assets.get(first))?.path).toBe(`media/${first}/0.png`);
    await store.close();
  });

  it('refuses to restore into a non-empty DATA_DIR, and to back up into a non-empty folder', async () => {
    const busy = resolveDataPaths({ DATA_DIR: path.join(tmp, 'busy') });
    fs.mkdirSync(busy.dataDir, { recursive: true });
    fs.writeFileSync(path.join(busy.dataDir, 'something'), 'x');
    await expect(restoreDataDir({ backupDir: path.join(tmp, 'backup'), paths: busy })).rejects.toThrow(/not empty/);
    await expect(
      backupDataDir({ paths: source, dest: path.join(tmp, 'backup'), version: 'test' }),
    ).rejects.toBeInstanceOf(BackupError);
    await expect(
      backupDataDir({ paths: source, dest: path.join(source.dataDir, 'inside'), version: 'test' }),
    ).rejects.toThrow(/inside DATA_DIR/);
  });

  it('refuses a damaged backup and leaves no half-restored DATA_DIR', async () => {
    const damaged = path.join(tmp, 'damaged');
    fs.cpSync(path.join(tmp, 'backup'), damaged, { recursive: true });
    const manifest = await readBackupManifest(damaged);
    const [rel] = manifest.files.list.find(([r]) => r.startsWith('media/')) ?? [''];
    fs.appendFileSync(path.join(damaged, 'data', rel), 'x');
    const target = resolveDataPaths({ DATA_DIR: path.join(tmp, 'from-damaged') });
    await expect(restoreDataDir({ backupDir: damaged, paths: target })).rejects.toThrow(/does not match/);
    expect(fs.existsSync(target.dataDir)).toBe(false);

    const db = path.join(damaged, 'database', 'mediagen.db');
    fs.writeFileSync(db, Buffer.concat([fs.readFileSync(db).subarray(0, 4096), Buffer.alloc(10)]));
    await expect(restoreDataDir({ backupDir: damaged, paths: target })).rejects.toThrow(/sha256/);
  });

  it('runs as npm run backup / npm run restore with DATA_DIR from the environment', () => {
    const env = { ...process.env, DATA_DIR: source.dataDir };
    const backup = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', path.join(tmp, 'cli')], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
    });
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/backup written to/);
    const restoredDir = path.join(tmp, 'cli-restored');
    const restore = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/restore.ts', path.join(tmp, 'cli')], {
      cwd: repoRoot,
      env: { ...process.env, DATA_DIR: restoredDir },
      encoding: 'utf8',
    });
    expect(restore.status, restore.stderr).toBe(0);
    expect(fs.existsSync(path.join(restoredDir, 'mediagen.db'))).toBe(true);
    const again = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/restore.ts', path.join(tmp, 'cli')], {
      cwd: repoRoot,
      env: { ...process.env, DATA_DIR: restoredDir },
      encoding: 'utf8',
    });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/restore failed: .*not empty/);
  });

  it('prints the pg_dump line and copies the files when DATABASE_URL is PostgreSQL', async () => {
    const pgEnv = {
      ...process.env,
      DATA_DIR: source.dataDir,
      DATABASE_URL: 'postgres://mg:secret@db.internal/mediagen',
    };
    const run = (script: string, dir: string, env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ['--import', 'tsx', script, dir], { cwd: repoRoot, env, encoding: 'utf8' });
    const out = run('scripts/backup.ts', path.join(tmp, 'pg'), pgEnv);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/pg_dump --format=custom .*mediagen\.pgdump" "\$DATABASE_URL"/);
    expect(out.stdout).not.toMatch(/secret/);
    expect(out.stdout).toMatch(/mg:\*\*\*@db\.internal/);

    // the documented order: pg_dump into the empty folder first, then the script, which records the dump
    const dumped = path.join(tmp, 'pg-dumped');
    fs.mkdirSync(path.join(dumped, 'database'), { recursive: true });
    fs.writeFileSync(path.join(dumped, 'database', 'mediagen.pgdump'), 'PGDMP fake dump');
    const second = run('scripts/backup.ts', dumped, pgEnv);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/PostgreSQL dump mediagen\.pgdump/);
    const manifest = await readBackupManifest(dumped);
    expect(manifest.database.kind === 'postgres' && manifest.database.dump?.bytes).toBe(15);
    const restored = run('scripts/restore.ts', dumped, { ...pgEnv, DATA_DIR: path.join(tmp, 'pg-restored') });
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/pg_restore --no-owner/);
    expect(fs.existsSync(path.join(tmp, 'pg-restored', 'admin.key'))).toBe(true);
  });

  it('keeps the newest copies made before migrations', async () => {
    const db = source.database.kind === 'sqlite' ? source.database.file : '';
    const dir = path.join(tmp, 'pre-migration');
    const version = readSchemaVersion(db);
    expect(version).toBeGreaterThan(0);
    for (let i = 0; i < 4; i++) {
      const made = await backupSqliteBeforeMigration(db, dir, { keep: 2, now: new Date(Date.UTC(2026, 0, 1, 0, i)) });
      expect(made?.schemaVersion).toBe(version);
      const t = new Date(Date.UTC(2026, 0, 1, 0, i)).getTime() / 1000;
      if (made) fs.utimesSync(made.file, t, t);
    }
    expect(fs.readdirSync(dir).sort()).toEqual([
      `mediagen-v${version}-2026-01-01T00-02-00Z.db`,
      `mediagen-v${version}-2026-01-01T00-03-00Z.db`,
    ]);
    expect(await backupSqliteBeforeMigration(path.join(tmp, 'none.db'), dir)).toBeUndefined();
  });
});
