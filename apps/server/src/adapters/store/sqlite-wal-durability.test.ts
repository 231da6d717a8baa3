import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.ts';
import { createWalSync, startSqliteCheckpointer, withoutFsync } from './sqlite-wal-durability.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function walDatabase(): { db: Database.Database; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-wal-'));
  const file = path.join(dir, 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)');
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => db.open && db.close());
  return { db, file };
}

describe('group commit with the fsync off the event loop', () => {
  it('answers nobody before the batch is durable; the batch commits with NORMAL, other writes keep FULL', async () => {
    const { db } = walDatabase();
    let syncs = 0;
    let release: () => void = () => undefined;
    const modes: number[] = [];
    const put = db.prepare('INSERT INTO t (n) VALUES (?)');
    const insert = groupCommit(
      db,
      (n: number) => {
        modes.push(db.pragma('synchronous', { simple: true }) as number);
        return put.run(n).changes;
      },
      {
        durable: () => {
          syncs++;
          return new Promise<void>((r) => (release = r));
        },
      },
    );
    let answered = 0;
    const calls = [1, 2, 3].map((n) => insert(n).then(() => answered++));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(db.prepare('SELECT COUNT(*) AS c FROM t').get()).toEqual({ c: 3 }); // committed…
    expect(answered).toBe(0); // …but not answered until the fsync ends
    expect(syncs).toBe(1);
    expect(modes).toEqual([1, 1, 1]); // NORMAL inside the batch
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL again for every other write
    release();
    await Promise.all(calls);
    expect(answered).toBe(3);
  });

  it('a failed fsync fails every caller of its batch', async () => {
    const { db } = walDatabase();
    const put = db.prepare('INSERT INTO t (n) VALUES (?)');
    const insert = groupCommit(db, (n: number) => put.run(n).changes, {
      durable: () => Promise.reject(new Error('EIO')),
    });
    const outcomes = await Promise.allSettled([insert(1), insert(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('createWalSync coalesces: calls made while one fsync runs share the next one', async () => {
    const { db, file } = walDatabase();
    db.prepare('INSERT INTO t (n) VALUES (1)').run();
    const wal = createWalSync(`${file}-wal`);
    cleanup.push(() => wal.close());
    const started: number[] = [];
    const all = Array.from({ length: 6 }, (_, i) => wal.sync().then(() => started.push(i)));
    await Promise.all(all);
    expect(started).toHaveLength(6);
  });
});

describe('the WAL checkpointer thread', () => {
  const grow = (db: Database.Database, rows: number, from = 0): void => {
    const put = db.prepare('INSERT INTO t (n, pad) VALUES (?, ?)');
    for (let i = 0; i < rows; i++) db.transaction(() => put.run(from + i, 'x'.repeat(2000)))();
  };

  it('keeps the WAL bounded while the writer never checkpoints; stop() leaves it checkpointed', async () => {
    const { db, file } = walDatabase();
    db.pragma('synchronous = OFF'); // thousands of commits: what is checked here is the WAL's size, not fsyncs
    db.pragma('wal_autocheckpoint = 0');
    const failures: Error[] = [];
    const cp = startSqliteCheckpointer(file, { intervalMs: 20, onFailure: (e) => failures.push(e) });
    cleanup.push(() => cp.stop());
    await cp.ready;
    for (let round = 0; round < 20; round++) {
      grow(db, 200, round * 200);
      await new Promise((r) => setTimeout(r, 30)); // the checkpointer's turn; the writer then restarts the WAL
    }
    // 4,000 commits of ~2 KB with no checkpoint would leave a WAL of well over 16 MB
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(4 * 1024 * 1024);
    await cp.stop();
    expect(failures).toEqual([]);
    expect(db.pragma('wal_checkpoint(PASSIVE)')).toEqual([
      { busy: 0, log: expect.any(Number), checkpointed: expect.any(Number) },
    ]);
  });

  it('without it, the same writes grow the WAL (the check above can fail)', async () => {
    const { db, file } = walDatabase();
    db.pragma('synchronous = OFF');
    db.pragma('wal_autocheckpoint = 0');
    grow(db, 4000);
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(16 * 1024 * 1024);
  });
});

describe('withoutFsync', () => {
  it('runs the write with synchronous=NORMAL and restores FULL, also when the write throws', () => {
    const { db } = walDatabase();
    const put = db.prepare('INSERT INTO t (n) VALUES (?)');
    const mode = (): unknown => db.pragma('synchronous', { simple: true });
    expect(withoutFsync(db, () => [mode(), put.run(1).changes])).toEqual([1, 1]);
    expect(mode()).toBe(2);
    expect(() => withoutFsync(db, () => put.run(1))).toThrow(/UNIQUE/);
    expect(mode()).toBe(2);
  });
});
