import { afterEach, beforeEach, expect, it } from 'vitest';
import type { QuarantineRecord } from '#ports/content-store.ts';
import type { Store } from '#ports/store.ts';
import { assetRecord, resolvedParams, taskRecord } from './factories.ts';

const quarantined = (overrides: Partial<QuarantineRecord> = {}): QuarantineRecord => ({
  id: crypto.randomUUID(),
  taskId: 'task-q',
  ownerId: 'user-1',
  model: 'pony',
  type: 'image',
  rule: 'minor+explicit',
  scores: { porn: 0.9, hentai: 0.01, sexy: 0.02 },
  files: [{ path: 'quarantine/task-q/0.png', mime: 'image/png', idx: 0, width: 64, height: 64, bytes: 10 }],
  thumbnail: 'quarantine/task-q/preview.jpg',
  createdAt: 1_000,
  ...overrides,
});

/** The content part of the Store port (settings, quarantine, storage totals, retention queries, erasure). */
export function describeContentStoreContract(open: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('user settings: defaults until set, a patch changes only what it names, the list holds non-defaults only', async () => {
    expect(await store.content.userSettings('u1')).toEqual({ userId: 'u1', sfw: false, retentionDays: null });
    await store.content.setUserSettings('u1', { sfw: true }, 1);
    await store.content.setUserSettings('u1', { retentionDays: 30 }, 2);
    expect(await store.content.userSettings('u1')).toEqual({ userId: 'u1', sfw: true, retentionDays: 30 });
    await store.content.setUserSettings('u2', { sfw: false }, 3);
    expect((await store.content.listUserSettings()).map((s) => s.userId)).toEqual(['u1']);
  });

  it('quarantine: insert, get, newest first, delete once', async () => {
    const a = quarantined({ createdAt: 1 });
    const b = quarantined({ createdAt: 2, rule: 'sfw-user' });
    await store.content.insertQuarantine(a);
    await store.content.insertQuarantine(b);
    expect(await store.content.getQuarantine(a.id)).toEqual(a);
    expect((await store.content.listQuarantine(10)).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(await store.content.deleteQuarantine(a.id)).toBe(true);
    expect(await store.content.deleteQuarantine(a.id)).toBe(false);
  });

  it('storage totals per owner and per model; retention queries see only what is older and finished', async () => {
    const old = taskRecord({ ownerId: 'user-1', status: 'completed', createdAt: 100 });
    const young = taskRecord({ ownerId: 'user-1', status: 'completed', createdAt: 5_000 });
    const running = taskRecord({ ownerId: 'user-1', status: 'running', createdAt: 100, params: resolvedParams() });
    for (const t of [old, young, running]) expect(await store.tasks.insert({ task: t })).toEqual({ ok: true });
    await store.assets.insert(assetRecord({ taskId: old.id, kind: 'output', bytes: 300, createdAt: 100 }));
    await store.assets.insert(assetRecord({ kind: 'upload', bytes: 50, createdAt: 50 }));
    await store.assets.insert(assetRecord({ ownerId: 'user-2', kind: 'upload', bytes: 7, createdAt: 9_000 }));
    expect(await store.content.storageByOwner()).toEqual([
      { ownerId: 'user-1', bytes: 350, files: 2, oldestAt: 50 },
      { ownerId: 'user-2', bytes: 7, files: 1, oldestAt: 9_000 },
    ]);
    expect(await store.content.storageByModel()).toEqual([{ model: old.params.model, bytes: 300, files: 1 }]);
    expect(await store.content.owners()).toEqual(['user-1', 'user-2']);
    expect(await store.content.endedTasksBefore('user-1', 1_000, 10)).toEqual([old.id]);
    expect((await store.content.uploadsBefore('user-1', 1_000, 10)).map((a) => a.bytes)).toEqual([50]);
  });

  it('eraseOwner removes the owner’s tasks, assets and quarantine, and nobody else’s', async () => {
    const mine = taskRecord({ ownerId: 'user-1', status: 'completed' });
    const theirs = taskRecord({ ownerId: 'user-2', status: 'completed' });
    for (const t of [mine, theirs]) expect(await store.tasks.insert({ task: t })).toEqual({ ok: true });
    await store.assets.insert(assetRecord({ taskId: mine.id, kind: 'output' }));
    await store.assets.insert(assetRecord({ ownerId: 'user-2', taskId: theirs.id, kind: 'output' }));
    await store.content.insertQuarantine(quarantined({ taskId: mine.id }));
    expect(await store.content.eraseOwner('user-1')).toEqual({ tasks: 1, assets: 1 });
    expect(await store.tasks.get(mine.id)).toBeUndefined();
    expect(await store.content.assetsOfOwner('user-1')).toEqual([]);
    expect(await store.content.listQuarantine(10)).toEqual([]);
    expect(await store.tasks.get(theirs.id)).toBeDefined();
    expect(await store.content.assetsOfOwner('user-2')).toHaveLength(1);
  });
}
