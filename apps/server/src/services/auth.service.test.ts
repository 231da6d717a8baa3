import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createChannelSignals } from '#adapters/cluster/channel-signals.ts';
import type { Store } from '#ports/store.ts';
import { userRecord } from '#test/factories.ts';
import { ManualClock } from '#test/fakes/manual-clock.ts';
import { MemoryMessageHub } from '#test/fakes/memory-message-channel.ts';
import { createMemoryStore } from '#test/fakes/memory-store.ts';
import { AuthService, hashToken } from './auth.service.ts';

/** A store that counts key and session reads (the cache must spare them). */
function counting(store: Store): { store: Store; reads: () => number } {
  let reads = 0;
  const users = { ...store.users, byKeyHash: (h: string) => (reads++, store.users.byKeyHash(h)) };
  const sessions = { ...store.sessions, get: (h: string) => (reads++, store.sessions.get(h)) };
  return { store: { ...store, users, sessions }, reads: () => reads };
}

async function setUp() {
  const clock = new ManualClock();
  const base = createMemoryStore({ now: clock.now });
  const { store, reads } = counting(base);
  const alice = userRecord({ id: 'alice', name: 'alice', keyHash: hashToken('key-a') });
  await base.users.insert(alice);
  const auth = new AuthService({
    store,
    authMode: 'key',
    adminKey: 'admin-key-0123456789',
    now: clock.now,
    cacheTtlMs: 30_000,
  });
  return { clock, base, auth, reads };
}

describe('AuthService caches lookups and forgets them when they change', () => {
  it('a key is looked up once per TTL; a wrong key is remembered as wrong too', async () => {
    const { auth, reads, clock } = await setUp();
    for (let i = 0; i < 5; i++) expect((await auth.userByKey('key-a'))?.id).toBe('alice');
    expect(await auth.userByKey('nope')).toBeUndefined();
    expect(await auth.userByKey('nope')).toBeUndefined();
    expect(reads()).toBe(2);
    clock.advance(30_001);
    await auth.userByKey('key-a');
    expect(reads()).toBe(3);
  });

  it('forgetUser (rotate-key, delete) makes the old key stop at once', async () => {
    const { auth, base } = await setUp();
    expect(await auth.userByKey('key-a')).toBeDefined();
    await base.users.setKeyHash('alice', hashToken('key-b'));
    auth.forgetUser('alice');
    expect(await auth.userByKey('key-a')).toBeUndefined();
    expect((await auth.userByKey('key-b'))?.id).toBe('alice');
  });

  it('logout ends a session at once; an expired session is refused even while cached', async () => {
    const { auth, clock } = await setUp();
    const { token, expiresAt } = await auth.createSession('key-a');
    expect((await auth.sessionUser(token))?.user.id).toBe('alice');
    await auth.endSession(token);
    expect(await auth.sessionUser(token)).toBeUndefined();
    const second = await auth.createSession('key-a');
    expect(await auth.sessionUser(second.token)).toBeDefined();
    clock.set(expiresAt + 1);
    expect(await auth.sessionUser(second.token)).toBeUndefined();
  });

  it('admin sessions and user sessions never stand in for each other', async () => {
    const { auth } = await setUp();
    const admin = await auth.createAdminSession('admin-key-0123456789');
    const user = await auth.createSession('key-a');
    expect(await auth.adminSession(admin.token)).toBeDefined();
    expect(await auth.sessionUser(admin.token)).toBeUndefined();
    expect(await auth.adminSession(user.token)).toBeUndefined();
  });
});

describe('AuthService with other gateways on the same database', () => {
  async function twoGateways() {
    const clock = new ManualClock();
    const store = createMemoryStore({ now: clock.now });
    await store.users.insert(userRecord({ id: 'alice', name: 'alice', keyHash: hashToken('key-a') }));
    const hub = new MemoryMessageHub();
    const log = pino({ level: 'silent' });
    const make = (): AuthService =>
      new AuthService({
        store,
        authMode: 'key',
        adminKey: 'admin-key-0123456789',
        now: clock.now,
        signals: createChannelSignals(hub.endpoint(), log),
      });
    return { store, a: make(), b: make() };
  }
  const delivered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('a key revoked on one is refused on the other as soon as the signal arrives, not after the cache TTL', async () => {
    const { store, a, b } = await twoGateways();
    expect((await b.userByKey('key-a'))?.id).toBe('alice'); // cached on b
    await store.users.setKeyHash('alice', hashToken('key-b'));
    a.forgetUser('alice');
    await delivered();
    expect(await b.userByKey('key-a')).toBeUndefined();
  });

  it('a logout on one ends the session on the other at once', async () => {
    const { a, b } = await twoGateways();
    const { token } = await a.createSession('key-a');
    expect((await b.sessionUser(token))?.user.id).toBe('alice'); // cached on b
    await a.endSession(token);
    await delivered();
    expect(await b.sessionUser(token)).toBeUndefined();
  });

  it('open mode: gateways starting together on one empty database both start, with one local user', async () => {
    const store = createMemoryStore({ now: () => 1 });
    const make = (): AuthService =>
      new AuthService({ store, authMode: 'open', adminKey: 'admin-key-0123456789', now: () => 1 });
    await Promise.all([make().init(), make().init(), make().init()]); // each reads "absent" before any inserts
    expect(await store.users.get('local')).toMatchObject({ id: 'local', keyHash: null });
  });
});
