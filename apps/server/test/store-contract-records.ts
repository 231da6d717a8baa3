import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SessionRecord, Store } from '#ports/store.ts';
import { accountRecord, assetRecord, userRecord } from './factories.ts';

/** The Store contract for everything but tasks (called by describeStoreContract in store-contract.ts). */
export function describeRecordStoreContract(open: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('assets: insert, get, a task’s assets ordered by kind then index, delete them', async () => {
    const thumb = assetRecord({
      taskId: 't1',
      kind: 'thumbnail',
      idx: 0,
      mime: 'image/jpeg',
      width: null,
      height: null,
    });
    const out1 = assetRecord({ taskId: 't1', kind: 'output', idx: 1 });
    const out0 = assetRecord({ taskId: 't1', kind: 'output', idx: 0 });
    const other = assetRecord({ taskId: 't2', kind: 'output' });
    const upload = assetRecord({ taskId: null });
    for (const a of [thumb, out1, out0, other, upload]) await store.assets.insert(a);
    expect(await store.assets.get(thumb.id)).toEqual(thumb);
    expect(await store.assets.get('no-such-asset')).toBeUndefined();
    expect(await store.assets.ofTask('t1')).toEqual([out0, out1, thumb]);
    await store.assets.deleteIds([out1.id, thumb.id, 'no-such-asset']);
    expect(await store.assets.ofTask('t1')).toEqual([out0]);
    await store.assets.deleteIds([]);
    await store.assets.deleteOfTask('t1');
    expect(await store.assets.ofTask('t1')).toEqual([]);
    expect(await store.assets.get(other.id)).toEqual(other);
    expect(await store.assets.get(upload.id)).toEqual(upload);
  });

  it('users: insert, get, by key hash (live users only), list (live, by creation), mark deleted', async () => {
    const a = userRecord({ name: 'a', keyHash: 'hash-a', credits: 5, createdAt: 200 });
    const b = userRecord({ name: 'b', keyHash: 'hash-b', createdAt: 100 });
    await store.users.insert(a);
    await store.users.insert(b);
    await expect(store.users.insert(userRecord({ keyHash: 'hash-a' }))).rejects.toThrow();
    expect(await store.users.get(a.id)).toEqual(a);
    expect(await store.users.byKeyHash('hash-a')).toEqual(a);
    expect(await store.users.byKeyHash('nope')).toBeUndefined();
    expect((await store.users.list()).map((u) => u.name)).toEqual(['b', 'a']);
    await store.users.markDeleted(a.id, 999);
    expect(await store.users.get(a.id)).toEqual({ ...a, keyHash: null, deletedAt: 999 });
    expect(await store.users.byKeyHash('hash-a')).toBeUndefined();
    expect((await store.users.list()).map((u) => u.name)).toEqual(['b']);
  });

  it('sessions: insert, get, delete one, delete a user’s, purge the expired (at or before now)', async () => {
    const u = userRecord();
    const v = userRecord();
    await store.users.insert(u);
    await store.users.insert(v);
    const s = (tokenHash: string, userId: string | null, expiresAt: number): SessionRecord => ({
      tokenHash,
      kind: userId ? 'user' : 'admin',
      userId,
      expiresAt,
      createdAt: 1,
    });
    for (const rec of [s('u-1', u.id, 100), s('u-2', u.id, 5_000), s('v-1', v.id, 5_000), s('adm', null, 200)]) {
      await store.sessions.insert(rec);
    }
    expect(await store.sessions.get('adm')).toEqual(s('adm', null, 200));
    expect(await store.sessions.get('nope')).toBeUndefined();
    await store.sessions.delete('v-1');
    expect(await store.sessions.get('v-1')).toBeUndefined();
    await store.sessions.purgeExpired(200);
    expect(await store.sessions.get('u-1')).toBeUndefined();
    expect(await store.sessions.get('adm')).toBeUndefined();
    expect(await store.sessions.get('u-2')).toBeDefined();
    await store.sessions.deleteOfUser(u.id);
    expect(await store.sessions.get('u-2')).toBeUndefined();
  });

  it('accounts: insert, get, list by creation, update (compare-and-set on status), delete', async () => {
    const a = accountRecord({ name: 'a', createdAt: 200, status: 'pending' });
    const b = accountRecord({ name: 'b', createdAt: 100, authToken: 's3cret', lane: 'video', models: ['anisora'] });
    await store.accounts.insert(a);
    await store.accounts.insert(b);
    expect(await store.accounts.get(b.id)).toEqual(b);
    expect(await store.accounts.get('nope')).toBeUndefined();
    expect((await store.accounts.list()).map((x) => x.name)).toEqual(['b', 'a']);
    expect(
      // a busy GPU's free memory as a health check reports it need not be a whole number
      await store.accounts.update(a.id, { models: ['flux'], vramFree: 7.25, statusReason: null, name: undefined }),
    ).toBe(true);
    expect(await store.accounts.get(a.id)).toEqual({ ...a, models: ['flux'], vramFree: 7.25, statusReason: null });
    expect(await store.accounts.update(a.id, { status: 'checking' }, 'ready')).toBe(false);
    expect(await store.accounts.update(a.id, { status: 'checking' }, 'pending')).toBe(true);
    expect((await store.accounts.get(a.id))?.status).toBe('checking');
    expect(await store.accounts.update('nope', { name: 'x' })).toBe(false);
    await store.accounts.delete(a.id);
    expect(await store.accounts.get(a.id)).toBeUndefined();
  });

  it('credits: apply moves the balance with a ledger entry; a negative balance only when allowed', async () => {
    const u = userRecord({ credits: 3 });
    await store.users.insert(u);
    expect(await store.credits.apply({ userId: u.id, taskId: null, kind: 'grant', amount: 7, at: 10 })).toEqual({
      ok: true,
      balance: 10,
    });
    expect(await store.credits.apply({ userId: u.id, taskId: 't1', kind: 'charge', amount: -11, at: 11 })).toEqual({
      ok: false,
      balance: 10,
    });
    expect(
      await store.credits.apply({ userId: u.id, taskId: 't1', kind: 'charge', amount: -11, at: 12 }, true),
    ).toEqual({
      ok: true,
      balance: -1,
    });
    expect(await store.credits.apply({ userId: 'nobody', taskId: null, kind: 'grant', amount: 1, at: 13 })).toEqual({
      ok: false,
      balance: null,
    });
    expect((await store.users.get(u.id))?.credits).toBe(-1);
    const ledger = await store.credits.ledger(u.id, 10);
    expect(
      ledger.map(({ kind, amount, balanceAfter, taskId, createdAt }) => ({
        kind,
        amount,
        balanceAfter,
        taskId,
        createdAt,
      })),
    ).toEqual([
      { kind: 'charge', amount: -11, balanceAfter: -1, taskId: 't1', createdAt: 12 },
      { kind: 'grant', amount: 7, balanceAfter: 10, taskId: null, createdAt: 10 },
    ]);
    expect(ledger[0]!.id).toBeGreaterThan(ledger[1]!.id);
    expect(await store.credits.ledger(u.id, 1)).toEqual([ledger[0]]);
  });

  it('credits: open reservations until released or charged; reservedFor says held and settled', async () => {
    const u = userRecord({ credits: 100 });
    await store.users.insert(u);
    const reserve = (taskId: string, amount: number) =>
      store.credits.apply({ userId: u.id, taskId, kind: 'reserve', amount: -amount, at: 1 });
    await reserve('t1', 10);
    await reserve('t2', 20);
    expect(await store.credits.reservedFor('none')).toBeUndefined();
    expect(await store.credits.reservedFor('t1')).toEqual({ userId: u.id, reserved: 10, settled: false });
    const open = await store.credits.open();
    expect([...open].sort((a, b) => a.taskId.localeCompare(b.taskId))).toEqual([
      { taskId: 't1', userId: u.id, reserved: 10 },
      { taskId: 't2', userId: u.id, reserved: 20 },
    ]);
    await store.credits.apply({ userId: u.id, taskId: 't1', kind: 'release', amount: 10, at: 2 }, true);
    await store.credits.apply({ userId: u.id, taskId: 't1', kind: 'charge', amount: -4, at: 2 }, true);
    expect(await store.credits.reservedFor('t1')).toEqual({ userId: u.id, reserved: 10, settled: true });
    expect(await store.credits.open()).toEqual([{ taskId: 't2', userId: u.id, reserved: 20 }]);
    expect((await store.users.get(u.id))?.credits).toBe(76);
  });

  it('audit: append, list newest first, limited', async () => {
    await store.audit.append({ at: 1, actor: 'admin', action: 'login', target: null, status: 200, ip: '10.0.0.1' });
    await store.audit.append({ at: 2, actor: 'admin', action: 'DELETE /x', target: 'u1', status: 204, ip: null });
    const list = await store.audit.list(10);
    expect(list.map(({ id: _id, ...e }) => e)).toEqual([
      { at: 2, actor: 'admin', action: 'DELETE /x', target: 'u1', status: 204, ip: null },
      { at: 1, actor: 'admin', action: 'login', target: null, status: 200, ip: '10.0.0.1' },
    ]);
    expect(list[0]!.id).toBeGreaterThan(list[1]!.id);
    expect(await store.audit.list(1)).toEqual([list[0]]);
  });

  it('settings: undefined until set; set overwrites', async () => {
    expect(await store.settings.get('k')).toBeUndefined();
    await store.settings.set('k', 'one');
    await store.settings.set('k', 'two');
    expect(await store.settings.get('k')).toBe('two');
  });
}
