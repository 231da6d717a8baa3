import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.ts';

let db: Database.Database;
afterEach(() => db?.close());

function setUp(maxRows?: number): { insert: (n: number) => Promise<number>; batches: number[] } {
  db = new Database(':memory:');
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
  const batches: number[] = [];
  const put = db.prepare('INSERT INTO t (n) VALUES (?)');
  const insert = groupCommit(
    db,
    (n: number) => {
      put.run(n);
      if (n < 0) throw new Error(`refused ${n}`);
      return n * 10;
    },
    { ...(maxRows ? { maxRows } : {}), onBatch: (rows) => batches.push(rows) },
  );
  return { insert, batches };
}

const rows = (): number[] => (db.prepare('SELECT n FROM t ORDER BY n').all() as Array<{ n: number }>).map((r) => r.n);

describe('groupCommit', () => {
  it('calls of one event-loop turn share one transaction; each is answered with its own result', async () => {
    const { insert, batches } = setUp();
    const results = await Promise.all([1, 2, 3, 4].map((n) => insert(n)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([4]);
    expect(rows()).toEqual([1, 2, 3, 4]);
  });

  it('a call that throws is undone alone (its savepoint); the rest of the batch commits', async () => {
    const { insert, batches } = setUp();
    const outcomes = await Promise.allSettled([insert(1), insert(-2), insert(3)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([3]);
    expect(rows()).toEqual([1, 3]);
  });

  it('a batch closes at maxRows', async () => {
    const { insert, batches } = setUp(2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => insert(n)));
    expect(batches).toEqual([2, 2, 1]);
  });

  it('calls of later turns form later batches; nothing is answered before its commit', async () => {
    const { insert, batches } = setUp();
    const first = insert(1);
    let answered = false;
    void first.then(() => (answered = true));
    expect(answered).toBe(false);
    expect(rows()).toEqual([]); // not committed before the turn ends
    await first;
    await insert(2);
    expect(batches).toEqual([1, 1]);
  });

  it('when the commit itself fails, every call of the batch is refused and nothing is kept', async () => {
    db = new Database(':memory:');
    // a deferred foreign key passes each statement (and savepoint) and fails only at the batch's COMMIT
    db.exec(`PRAGMA foreign_keys = ON; CREATE TABLE parent (n INTEGER PRIMARY KEY);
      CREATE TABLE child (p INTEGER REFERENCES parent(n) DEFERRABLE INITIALLY DEFERRED)`);
    const add = db.prepare('INSERT INTO child (p) VALUES (?)');
    const addParent = db.prepare('INSERT INTO parent (n) VALUES (?)');
    const insert = groupCommit(db, (n: number) => {
      if (n > 0) addParent.run(n);
      add.run(Math.abs(n));
    });
    const outcomes = await Promise.allSettled([insert(1), insert(-2), insert(3)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM child').get()).toEqual({ n: 0 });
    expect(db.inTransaction).toBe(false);
    // the next batch commits normally
    await insert(4);
    expect(db.prepare('SELECT COUNT(*) AS n FROM child').get()).toEqual({ n: 1 });
  });
});
