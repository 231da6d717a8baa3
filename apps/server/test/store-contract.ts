import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerationResult } from '@mediagen/contract';
import type { Store, TaskRecord } from '#ports/store.ts';
import { assetRecord, resolvedParams, taskRecord, userRecord } from './factories.ts';
import { describeContentStoreContract } from './store-contract-content.ts';
import { describeLoraStoreContract } from './store-contract-loras.ts';
import { describeRecordStoreContract } from './store-contract-records.ts';

/** Opens an empty store (a fresh file, schema, or memory) and later closes it. */
export type OpenStore = () => Promise<Store>;

/**
 * The Store port's contract, the same for every adapter (memory in the unit tier, SQLite in the integration tier,
 * PostgreSQL later): call it from a test file with a way to open an empty store. Every test opens its own.
 */
export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    describe('tasks', () => describeTaskStoreContract(open));
    describe('assets, users, sessions, accounts, credits, audit, settings', () => describeRecordStoreContract(open));
    describe('content: settings, quarantine, storage, retention, erasure', () => describeContentStoreContract(open));
    describe('LoRA catalog, backend LoRA lists, LoRA queries', () => describeLoraStoreContract(open));
  });
}

const RESULT: GenerationResult = {
  status: 'success',
  task_id: 't',
  url: '/api/results/t',
  urls: ['/api/results/t'],
  asset_ids: ['a'],
  thumbnail_url: '/api/preview/t',
  seed: 42,
  seeds: [42],
  width: 512,
  height: 512,
  model: 'pony',
  type: 'image',
  mode: 'txt2img',
  output_format: 'png',
  metadata: { inference_time: 1, gpu_time: 1, queue_time: 0, backend: 'gpu', ignored_params: [] },
};

function describeTaskStoreContract(open: OpenStore): void {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  const add = async (overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> => {
    const t = taskRecord(overrides);
    expect(await store.tasks.insert({ task: t })).toEqual({ ok: true });
    return t;
  };

  describe('tasks.insert', () => {
    it('checks the queue bounds inside the insert: concurrent inserts never take the queue past them', async () => {
      const bounds = { ofOwner: 3, ofType: 1000 };
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.tasks.insert({ task: taskRecord({ ownerId: 'u1', createdAt: 100 + i }), bounds }),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
      expect(outcomes.filter((o) => !o.ok)).toEqual(
        Array.from({ length: 5 }, () => ({
          ok: false,
          reason: 'queue_bound',
          ownerQueued: 3,
          queuedOfType: 3,
          waitingVideo: 0,
        })),
      );
      expect(await store.tasks.countQueuedOf('u1')).toBe(3);
      // another owner, the type's bound; a degraded video bound counts queued video only
      const other = await store.tasks.insert({
        task: taskRecord({ ownerId: 'u2' }),
        bounds: { ofOwner: 3, ofType: 3 },
      });
      expect(other).toEqual({ ok: false, reason: 'queue_bound', ownerQueued: 0, queuedOfType: 3, waitingVideo: 0 });
      const video = resolvedParams({ type: 'video', model: 'anisora', mode: 't2v', num_frames: 81 });
      const v = {
        task: taskRecord({ ownerId: 'u2', params: video }),
        bounds: { ofOwner: 3, ofType: 3, waitingVideo: 1 },
      };
      expect(await store.tasks.insert(v)).toEqual({ ok: true });
      const v2 = { ...v, task: taskRecord({ ownerId: 'u3', params: video }) };
      expect(await store.tasks.insert(v2)).toEqual({
        ok: false,
        reason: 'queue_bound',
        ownerQueued: 0,
        queuedOfType: 1,
        waitingVideo: 1,
      });
    });

    it('stores the task as given; get returns a copy, undefined for an unknown id', async () => {
      const t = await add({ params: resolvedParams({ prompt: 'кот, 猫 🐈' }) });
      expect(await store.tasks.get(t.id)).toEqual(t);
      expect(await store.tasks.get('no-such-task')).toBeUndefined();
    });

    it('stores the accept-time fields only: what a run writes (account, prompt, attempts, error, result, times) starts empty', async () => {
      const t = taskRecord({ status: 'queued', progress: 0 });
      const ran = {
        accountId: 'a',
        promptId: 'p',
        attempts: 2,
        error: 'e',
        errorCode: 'backend_error',
        retriable: true,
      };
      const times = { result: RESULT, startedAt: 5, finishedAt: 6, gpuMs: 7 };
      await store.tasks.insert({ task: { ...t, ...ran, ...times } });
      expect(await store.tasks.get(t.id)).toEqual(t);
    });

    it('refuses a second task with the same id', async () => {
      const t = await add();
      await expect(store.tasks.insert({ task: { ...t } })).rejects.toThrow();
    });

    it('an idempotency key names its first task; a second insert is a duplicate and stores nothing', async () => {
      const first = taskRecord({ ownerId: 'u1' });
      const key = { key: 'k-1', requestHash: 'hash-1' };
      expect(await store.tasks.insert({ task: first, idempotency: key })).toEqual({ ok: true });
      const second = taskRecord({ ownerId: 'u1' });
      expect(await store.tasks.insert({ task: second, idempotency: { key: 'k-1', requestHash: 'hash-2' } })).toEqual({
        ok: false,
        reason: 'duplicate',
        taskId: first.id,
        requestHash: 'hash-1',
      });
      expect(await store.tasks.get(second.id)).toBeUndefined();
      expect(await store.tasks.findIdempotent('u1', 'k-1')).toEqual({ taskId: first.id, requestHash: 'hash-1' });
      // keys belong to their owner
      expect(await store.tasks.findIdempotent('u2', 'k-1')).toBeUndefined();
      expect(await store.tasks.insert({ task: taskRecord({ ownerId: 'u2' }), idempotency: key })).toEqual({ ok: true });
    });

    it('holds credits with the task; refuses (insufficient_credits) and stores nothing when the balance is short', async () => {
      const u = userRecord({ credits: 10 });
      await store.users.insert(u);
      const t = taskRecord({ ownerId: u.id, createdAt: 5_000 });
      expect(await store.tasks.insert({ task: t, reserveCredits: 4 })).toEqual({ ok: true });
      expect((await store.users.get(u.id))?.credits).toBe(6);
      expect(await store.credits.reservedFor(t.id)).toEqual({ userId: u.id, reserved: 4, settled: false });
      expect(await store.credits.ledger(u.id, 10)).toEqual([
        expect.objectContaining({
          userId: u.id,
          taskId: t.id,
          kind: 'reserve',
          amount: -4,
          balanceAfter: 6,
          createdAt: 5_000,
        }),
      ]);

      const tooBig = taskRecord({ ownerId: u.id });
      const upload = assetRecord({ ownerId: u.id, taskId: tooBig.id });
      expect(
        await store.tasks.insert({
          task: tooBig,
          reserveCredits: 7,
          idempotency: { key: 'k', requestHash: 'h' },
          assets: [upload],
        }),
      ).toEqual({ ok: false, reason: 'insufficient_credits', balance: 6 });
      expect(await store.tasks.get(tooBig.id)).toBeUndefined();
      expect(await store.assets.get(upload.id)).toBeUndefined();
      expect(await store.tasks.findIdempotent(u.id, 'k')).toBeUndefined();
      expect((await store.users.get(u.id))?.credits).toBe(6);
      expect(await store.credits.ledger(u.id, 10)).toHaveLength(1);
    });

    it('holds nothing for a user with an unlimited (null) balance', async () => {
      const u = userRecord({ credits: null });
      await store.users.insert(u);
      const t = taskRecord({ ownerId: u.id });
      expect(await store.tasks.insert({ task: t, reserveCredits: 50 })).toEqual({ ok: true });
      expect((await store.users.get(u.id))?.credits).toBeNull();
      expect(await store.credits.reservedFor(t.id)).toBeUndefined();
    });

    it('stores reference assets with their task, not at all for a duplicate', async () => {
      const t = taskRecord();
      const ref = assetRecord({ taskId: t.id });
      expect(await store.tasks.insert({ task: t, assets: [ref], idempotency: { key: 'a', requestHash: 'h' } })).toEqual(
        {
          ok: true,
        },
      );
      expect(await store.assets.get(ref.id)).toEqual(ref);
      const dup = taskRecord();
      const dupRef = assetRecord({ taskId: dup.id });
      const r = await store.tasks.insert({ task: dup, assets: [dupRef], idempotency: { key: 'a', requestHash: 'h' } });
      expect(r.ok).toBe(false);
      expect(await store.assets.get(dupRef.id)).toBeUndefined();
    });
  });

  describe('tasks.update', () => {
    it('writes the defined fields, clears nulls, keeps the rest, and moves updatedAt', async () => {
      const t = await add({ error: 'old', updatedAt: 1_000 });
      expect(
        await store.tasks.update(t.id, {
          status: 'completed',
          stage: 'done',
          progress: 100,
          result: RESULT,
          retriable: false,
          error: null,
          gpuMs: 1_500,
          accountId: undefined,
        }),
      ).toBe(true);
      const after = await store.tasks.get(t.id);
      expect(after).toEqual({
        ...t,
        status: 'completed',
        stage: 'done',
        progress: 100,
        result: RESULT,
        retriable: false,
        error: null,
        gpuMs: 1_500,
        updatedAt: expect.any(Number) as number,
      });
      expect(after?.updatedAt).not.toBe(1_000);
      expect(await store.tasks.update('no-such-task', { progress: 5 })).toBe(false);
    });

    it('is a compare-and-set with expectStatus: a writer that saw an older status loses and changes nothing', async () => {
      const t = await add();
      expect(await store.tasks.update(t.id, { status: 'running', accountId: 'a1' }, 'queued')).toBe(true);
      expect(await store.tasks.update(t.id, { status: 'cancelled' }, 'queued')).toBe(false);
      expect(await store.tasks.get(t.id)).toMatchObject({ status: 'running', accountId: 'a1' });
    });

    it('lets exactly one of two concurrent writers from the same status win', async () => {
      const t = await add();
      const results = await Promise.all([
        store.tasks.update(t.id, { status: 'running' }, 'queued'),
        store.tasks.update(t.id, { status: 'cancelled' }, 'queued'),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.tasks.get(t.id))?.status).toBe(results[0] ? 'running' : 'cancelled');
    });
  });

  it('tasks.delete removes the task and frees its idempotency key', async () => {
    const t = taskRecord({ ownerId: 'u1' });
    await store.tasks.insert({ task: t, idempotency: { key: 'k', requestHash: 'h' } });
    await store.tasks.delete(t.id);
    expect(await store.tasks.get(t.id)).toBeUndefined();
    expect(await store.tasks.findIdempotent('u1', 'k')).toBeUndefined();
    expect(
      (await store.tasks.insert({ task: taskRecord({ ownerId: 'u1' }), idempotency: { key: 'k', requestHash: 'h' } }))
        .ok,
    ).toBe(true);
  });

  it('tasks.list filters by owner, status, type, model and cursor; newest first (ties by id); limited', async () => {
    const mine = [
      await add({ id: 'a', ownerId: 'u1', status: 'completed', createdAt: 100 }),
      await add({ id: 'b', ownerId: 'u1', status: 'completed', createdAt: 200 }),
      await add({ id: 'c', ownerId: 'u1', status: 'completed', createdAt: 200 }),
      await add({ id: 'd', ownerId: 'u1', status: 'failed', createdAt: 300 }),
      await add({
        id: 'e',
        ownerId: 'u1',
        status: 'completed',
        createdAt: 400,
        params: resolvedParams({ model: 'flux' }),
      }),
      await add({
        id: 'f',
        ownerId: 'u1',
        status: 'completed',
        createdAt: 500,
        params: resolvedParams({ type: 'video', model: 'anisora', mode: 't2v', num_frames: 81 }),
      }),
    ];
    await add({ id: 'g', ownerId: 'u2', status: 'completed', createdAt: 600 });
    const ids = (ts: TaskRecord[]): string[] => ts.map((t) => t.id);
    const list = (q: Partial<Parameters<Store['tasks']['list']>[0]> = {}) =>
      store.tasks.list({ ownerId: 'u1', statuses: ['completed'], limit: 10, ...q });
    expect(ids(await list())).toEqual(['f', 'e', 'c', 'b', 'a']);
    expect(ids(await list({ statuses: ['completed', 'failed'] }))).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
    expect(ids(await list({ type: 'image' }))).toEqual(['e', 'c', 'b', 'a']);
    expect(ids(await list({ model: 'flux' }))).toEqual(['e']);
    expect(ids(await list({ before: { createdAt: 200, id: 'c' } }))).toEqual(['b', 'a']);
    expect(ids(await list({ limit: 2 }))).toEqual(['f', 'e']);
    expect(await list({ limit: 1 })).toEqual([mine[5]]);
  });

  it('tasks.byStatus returns tasks of those statuses, oldest first (ties by id)', async () => {
    await add({ id: 'r2', status: 'running', createdAt: 200 });
    await add({ id: 'q1', status: 'queued', createdAt: 100 });
    await add({ id: 'r1', status: 'running', createdAt: 200 });
    await add({ id: 'x', status: 'completed', createdAt: 50 });
    expect((await store.tasks.byStatus(['running', 'queued'])).map((t) => t.id)).toEqual(['q1', 'r1', 'r2']);
    expect(await store.tasks.byStatus(['failed'])).toEqual([]);
  });

  it('recordProgress writes a running task only: never over one that ended or has not started', async () => {
    await add({ id: 'run', status: 'running' });
    await add({ id: 'wait' });
    await add({ id: 'done', status: 'completed' });
    expect(await store.tasks.recordProgress('run', 40, 'sampling')).toBe(true);
    expect(await store.tasks.get('run')).toMatchObject({ progress: 40, stage: 'sampling' });
    for (const id of ['wait', 'done', 'no-such-task'])
      expect(await store.tasks.recordProgress(id, 40, 'sampling')).toBe(false);
    expect(await store.tasks.get('done')).toMatchObject({ progress: 0 });
  });

  it('the queue counts follow every way in and out of the queue: accept, claim, re-queue, cancel, delete', async () => {
    const video = resolvedParams({ type: 'video', model: 'anisora', mode: 't2v', num_frames: 81 });
    const counts = async () => [
      await store.tasks.countQueued(),
      await store.tasks.countQueuedOf('u1'),
      (await store.tasks.queueStats()).waitingVideo,
    ];
    await add({ id: 'a', ownerId: 'u1' });
    await add({ id: 'b', ownerId: 'u1', params: video });
    await add({ id: 'c', ownerId: 'u2', params: video });
    await add({ id: 'done', ownerId: 'u1', status: 'completed' });
    expect(await counts()).toEqual([3, 2, 2]);
    expect(await store.tasks.update('b', { status: 'running' })).toBe(true);
    expect(await counts()).toEqual([2, 1, 1]);
    expect(await store.tasks.update('b', { progress: 40 })).toBe(true); // no status change: no count change
    expect(await store.tasks.update('b', { status: 'queued' })).toBe(true);
    expect(await counts()).toEqual([3, 2, 2]);
    expect(await store.tasks.update('a', { status: 'cancelled' })).toBe(true);
    await store.tasks.delete('c');
    await store.tasks.delete('done');
    expect(await counts()).toEqual([1, 1, 1]);
  });

  it('queue views: position (1-based, creation order then id), count, stats, summaries', async () => {
    expect(await store.tasks.queueStats()).toEqual({ queued: 0, waitingVideo: 0, oldestVideoCreatedAt: null });
    const video = resolvedParams({ type: 'video', model: 'anisora', mode: 't2v', num_frames: 81 });
    await add({ id: 'v2', ownerId: 'u2', createdAt: 300, params: video });
    await add({ id: 'i1', ownerId: 'u1', createdAt: 100 });
    await add({ id: 'v1', ownerId: 'u1', createdAt: 200, params: video });
    await add({ id: 'i0', ownerId: 'u1', createdAt: 200 });
    await add({ id: 'run', status: 'running', createdAt: 50, params: video });
    expect(await Promise.all(['i1', 'i0', 'v1', 'v2'].map((id) => store.tasks.queuePosition(id)))).toEqual([
      1, 2, 3, 4,
    ]);
    expect(await store.tasks.queuePosition('run')).toBe(0);
    expect(await store.tasks.queuePosition('no-such-task')).toBe(0);
    expect(await store.tasks.countQueued()).toBe(4);
    expect(await store.tasks.queueStats()).toEqual({ queued: 4, waitingVideo: 2, oldestVideoCreatedAt: 200 });
    const summary = (id: string, ownerId: string, model: string, type: string, createdAt: number) => ({
      id,
      ownerId,
      model,
      type,
      createdAt,
      priority: 0,
      estimatedSeconds: 12,
    });
    expect(await store.tasks.queuedSummaries()).toEqual([
      summary('i1', 'u1', 'pony', 'image', 100),
      summary('i0', 'u1', 'pony', 'image', 200),
      summary('v1', 'u1', 'anisora', 'video', 200),
      summary('v2', 'u2', 'anisora', 'video', 300),
    ]);
    // one type's jobs created before a time (what expiry reads)
    expect((await store.tasks.queuedSummaries({ type: 'video', createdBefore: 300 })).map((s) => s.id)).toEqual(['v1']);
    expect((await store.tasks.queuedSummaries({ type: 'image', createdBefore: 201 })).map((s) => s.id)).toEqual([
      'i1',
      'i0',
    ]);
    expect(await store.tasks.queuedSummaries({ type: 'image', createdBefore: 100 })).toEqual([]);
    // an admin's "move to front" runs first
    expect(await store.tasks.moveToFront('v2')).toBe(true);
    expect((await store.tasks.queuedSummaries()).map((s) => s.id)).toEqual(['v2', 'i1', 'i0', 'v1']);
    expect(await store.tasks.moveToFront('run')).toBe(false);
    await store.tasks.update('i1', { status: 'running' }, 'queued');
    expect(await store.tasks.queuePosition('i0')).toBe(1);
  });

  it('tasks.finishedSince lists ended tasks from a time on, in the order they ended', async () => {
    const ended = async (id: string, patch: Parameters<Store['tasks']['update']>[1]): Promise<void> => {
      await add({ id, createdAt: 10 });
      expect(await store.tasks.update(id, patch)).toBe(true);
    };
    await ended('late', { status: 'failed', finishedAt: 300 });
    await ended('early', { status: 'completed', startedAt: 20, finishedAt: 200, gpuMs: 900 });
    await ended('old', { status: 'cancelled', finishedAt: 99 });
    await ended('running', { status: 'running', startedAt: 20 });
    expect(await store.tasks.finishedSince(100)).toEqual([
      {
        id: 'early',
        ownerId: 'user-1',
        model: 'pony',
        status: 'completed',
        createdAt: 10,
        startedAt: 20,
        finishedAt: 200,
        gpuMs: 900,
      },
      {
        id: 'late',
        ownerId: 'user-1',
        model: 'pony',
        status: 'failed',
        createdAt: 10,
        startedAt: null,
        finishedAt: 300,
        gpuMs: null,
      },
    ]);
  });

  it('measured seconds per work unit: none before a job, then total seconds over total units, per model', async () => {
    expect(await store.tasks.measuredSecondsPerUnit('pony')).toBeUndefined();
    await store.tasks.recordDuration('pony', 10, 5);
    await store.tasks.recordDuration('pony', 30, 15);
    await store.tasks.recordDuration('flux', 1, 9);
    expect(await store.tasks.measuredSecondsPerUnit('pony')).toBeCloseTo(0.5);
    expect(await store.tasks.measuredSecondsPerUnit('flux')).toBeCloseTo(9);
  });
}
