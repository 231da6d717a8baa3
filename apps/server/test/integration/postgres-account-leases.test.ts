import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresAccountLeases } from '#adapters/cluster/postgres-account-leases.ts';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import { openPostgresStore } from '#adapters/store/postgres-store.ts';
import type { Store } from '#ports/store.ts';
import { accountRecord } from '../factories.ts';
import { freshDatabase } from '../test-databases.ts';

// The lease statements of ADR 0011 against a real PostgreSQL: many instances reaching at once never share an account.
const opened: Array<{ close?(): Promise<void>; end?(): Promise<void> }> = [];
afterAll(async () => {
  for (const o of opened.reverse()) await (o.close ?? o.end)?.call(o);
});

async function database(accounts: number): Promise<{ store: Store; pool: pg.Pool; ids: string[] }> {
  const url = await freshDatabase('leases');
  const store = await openPostgresStore(openPostgresPool(url));
  const pool = openPostgresPool(url, 12);
  opened.push(store, pool);
  const ids: string[] = [];
  for (let i = 0; i < accounts; i++) {
    const a = accountRecord({ name: `gpu-${i}` });
    await store.accounts.insert(a);
    ids.push(a.id);
  }
  return { store, pool, ids };
}

describe('PostgreSQL account leases', () => {
  it('eight instances taking all they can at once: every account once, none on two instances', async () => {
    const { pool, ids } = await database(10);
    const instances = Array.from({ length: 8 }, (_, i) =>
      createPostgresAccountLeases(pool, { instanceId: `gw-${i}`, ttlMs: 60_000 }),
    );
    for (let round = 0; round < 3; round++) {
      const taken = await Promise.all(instances.map((l) => l.acquire(10)));
      const all = taken.flat();
      expect(new Set(all).size).toBe(all.length);
      if (round === 0) expect(all.sort()).toEqual([...ids].sort());
      else expect(all).toEqual([]); // nothing free, nothing lapsed
    }
    const beats = await Promise.all(instances.map((l) => l.beat()));
    expect(beats.flatMap((b) => b.held).sort()).toEqual([...ids].sort());
    // counted after every instance has registered: a beat that ran alongside the others may have counted fewer
    expect(await instances[0]!.beat()).toMatchObject({ liveInstances: 8, accounts: 10 });
  });

  it('instances that take and give back many accounts at once in a loop never deadlock', async () => {
    const { pool, ids } = await database(40);
    const instances = Array.from({ length: 8 }, (_, i) =>
      createPostgresAccountLeases(pool, { instanceId: `gw-${i}`, ttlMs: 60_000 }),
    );
    for (let round = 0; round < 25; round++) {
      const taken = await Promise.all(instances.map((l) => l.acquire(40)));
      const all = taken.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual([...ids].sort());
      await Promise.all(instances.map((l, i) => l.release(taken[i])));
    }
  });

  it('renewals, releases and takings of leases that lapse at once, all interleaved, never deadlock', async () => {
    const { pool } = await database(30);
    const instances = Array.from({ length: 8 }, (_, i) =>
      createPostgresAccountLeases(pool, { instanceId: `gw-${i}`, ttlMs: 1 }),
    );
    const churn = async (l: (typeof instances)[number], i: number): Promise<void> => {
      for (let step = 0; step < 60; step++) {
        const op = (i + step) % 4;
        if (op === 0 || op === 1) await l.acquire(30);
        else if (op === 2) await l.beat();
        else await l.release((await l.beat()).held.filter((_, k) => k % 2 === 0));
      }
    };
    await Promise.all(instances.map(churn));
  });

  it('a lease that lapsed is taken by another; the old holder’s renewal then finds it gone; release frees at once', async () => {
    const { pool, store, ids } = await database(2);
    const a = createPostgresAccountLeases(pool, { instanceId: 'gw-a', ttlMs: 300 });
    const b = createPostgresAccountLeases(pool, { instanceId: 'gw-b', ttlMs: 300 });
    expect((await a.acquire(2)).sort()).toEqual([...ids].sort());
    expect(await b.acquire(2)).toEqual([]);
    await new Promise((r) => setTimeout(r, 400)); // a stops renewing past its time to live
    expect((await b.acquire(1)).length).toBe(1);
    const renewed = await a.beat();
    expect(renewed.held).toHaveLength(1); // the other one: it had lapsed too, but no one had taken it
    await a.release(renewed.held);
    expect(await b.acquire(5)).toEqual(renewed.held);
    expect((await a.beat()).held).toEqual([]);
    await b.release();
    expect((await a.beat()).liveInstances).toBe(1); // b's registration went with its leases
    // an account deleted takes its lease with it
    expect((await a.acquire(5)).length).toBe(2);
    await store.accounts.delete(ids[0]!);
    expect((await a.beat()).held).toEqual([ids[1]]);
  });
});
