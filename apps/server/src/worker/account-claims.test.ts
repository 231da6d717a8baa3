import { describe, expect, it } from 'vitest';
import { createSingleInstanceLeases } from '#adapters/cluster/single-instance-leases.ts';
import { MemoryLeaseTable } from '#test/fakes/memory-account-leases.ts';
import { ManualClock } from '#test/fakes/manual-clock.ts';
import { RecordingLog } from '#test/fakes/service-kit.ts';
import { AccountClaims } from './account-claims.ts';

const TTL = 15_000;

/** Several gateways' claims on one in-memory lease table, with what each was told it gained and lost. */
function cluster(accounts: string[]) {
  const clock = new ManualClock();
  const table = new MemoryLeaseTable(clock.now, TTL, () => accounts);
  const busy = new Set<string>();
  const gateway = (id: string) => {
    const gained: string[] = [];
    const lost: string[] = [];
    const claims = new AccountClaims({
      leases: table.instance(id),
      refresh: async () => undefined,
      now: clock.now,
      heartbeatMs: TTL / 3,
      busy: (a) => busy.has(`${id}:${a}`),
      onGained: async (ids) => void gained.push(...ids),
      onLost: (ids) => void lost.push(...ids),
      log: new RecordingLog(),
    });
    return { id, claims, gained, lost };
  };
  return { clock, table, busy, gateway };
}

describe('AccountClaims: the accounts a gateway drives', () => {
  it('three gateways over three accounts end with one each, whatever order they start in (the fair share)', async () => {
    const c = cluster(['gpu-1', 'gpu-2', 'gpu-3']);
    const [a, b, d] = [c.gateway('a'), c.gateway('b'), c.gateway('c')];
    await a.claims.tick(); // alone: it takes them all
    expect(a.claims.heldAccounts()).toHaveLength(3);
    await b.claims.tick(); // nothing free yet: b registered, so a gives back what is above its share on its next beat
    await d.claims.tick();
    await a.claims.tick();
    await b.claims.tick();
    await d.claims.tick();
    const held = [a, b, d].map((g) => g.claims.heldAccounts());
    expect(held.map((h) => h.length)).toEqual([1, 1, 1]);
    expect(new Set(held.flat()).size).toBe(3); // never one account on two gateways
    for (const g of [a, b, d]) for (const id of g.claims.heldAccounts()) expect(g.claims.drives(id)).toBe(true);
    expect(b.claims.drives(a.claims.heldAccounts()[0]!)).toBe(false);
  });

  it('does not give away an account running a job above its share: it starts nothing new there, and lets it go once idle', async () => {
    const c = cluster(['gpu-1', 'gpu-2']);
    const [a, b] = [c.gateway('a'), c.gateway('b')];
    await a.claims.tick();
    c.busy.add('a:gpu-1');
    c.busy.add('a:gpu-2');
    await b.claims.tick();
    await a.claims.tick();
    expect(a.claims.heldAccounts().sort()).toEqual(['gpu-1', 'gpu-2']);
    const marked = ['gpu-1', 'gpu-2'].filter((id) => !a.claims.mayStart(id));
    expect(marked).toHaveLength(1); // one above the share of 1: no new work there
    expect(a.claims.drives(marked[0]!)).toBe(true); // but still driven: its running prompt is followed here
    c.busy.delete(`a:${marked[0]}`);
    await a.claims.tick();
    await b.claims.tick();
    expect(b.claims.heldAccounts()).toEqual(marked);
    expect(b.gained).toEqual(marked);
    expect(a.lost).toEqual([]); // given back, not lost
  });

  it('a gateway that stops beating loses its accounts after the time to live, to one that adopts them', async () => {
    const c = cluster(['gpu-1', 'gpu-2']);
    const [a, b] = [c.gateway('a'), c.gateway('b')];
    await a.claims.tick();
    await b.claims.tick();
    await a.claims.tick();
    await b.claims.tick();
    const ofA = a.claims.heldAccounts();
    expect(ofA).toHaveLength(1);
    c.table.failing.add('a'); // a stalls: its beats fail
    c.clock.advance(TTL - 1);
    await a.claims.tick();
    expect(a.claims.drives(ofA[0]!)).toBe(true);
    await b.claims.tick();
    expect(b.claims.heldAccounts()).toHaveLength(1); // not yet: the lease has not lapsed
    c.clock.advance(2);
    expect(a.claims.drives(ofA[0]!)).toBe(false); // a stops using it on its own clock before anyone can take it
    await b.claims.tick();
    expect(b.claims.heldAccounts().sort()).toEqual(['gpu-1', 'gpu-2']);
    expect(b.gained).toContain(ofA[0]);
    c.table.failing.delete('a'); // a comes back: the renewal finds the lease taken
    await a.claims.tick();
    expect(a.lost).toEqual(ofA);
    expect(a.claims.heldAccounts()).toEqual([]);
  });

  it('a drain gives every lease back at once (another gateway takes them on its next beat) and renews nothing more', async () => {
    const c = cluster(['gpu-1', 'gpu-2']);
    const [a, b] = [c.gateway('a'), c.gateway('b')];
    await a.claims.tick();
    await b.claims.tick();
    await a.claims.tick();
    await b.claims.tick();
    await a.claims.drain();
    expect(a.claims.heldAccounts()).toEqual([]);
    for (const id of ['gpu-1', 'gpu-2']) expect(a.claims.mayStart(id)).toBe(false);
    expect(c.table.heartbeats.has('a')).toBe(false); // not counted as live: b's share is all of them
    await b.claims.tick();
    expect(b.claims.heldAccounts().sort()).toEqual(['gpu-1', 'gpu-2']);
  });

  it('one gateway on its own database (SQLite) drives every account, new ones included, before any beat', async () => {
    const accounts = ['gpu-1'];
    const gained: string[] = [];
    const claims = new AccountClaims({
      leases: createSingleInstanceLeases({ instanceId: 'only', accountIds: () => accounts }),
      refresh: async () => undefined,
      now: () => 0,
      heartbeatMs: 5_000,
      busy: () => true,
      onGained: async (ids) => void gained.push(...ids),
      onLost: () => undefined,
      log: new RecordingLog(),
    });
    expect(claims.mayStart('gpu-1')).toBe(true);
    await claims.tick();
    accounts.push('gpu-2');
    expect(claims.mayStart('gpu-2')).toBe(true);
    await claims.tick();
    expect(gained).toEqual(['gpu-1', 'gpu-2']);
  });
});
