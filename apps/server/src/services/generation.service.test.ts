import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AcceptedResponse, GenerationResult } from '@mediagen/contract';
import type { Store } from '#ports/store.ts';
import { IMAGE_REQUEST, VIDEO_REQUEST } from '#test/factories.ts';
import { pngStandInBase64 } from '#test/fakes/image-stand-ins.ts';
import { createServiceKit, type ServiceKit } from '#test/fakes/service-kit.ts';
import type { JsonReply } from './replies.ts';

let kit: ServiceKit;
afterEach(() => {
  kit.close();
  vi.useRealTimers();
});

async function setUp(opts: Parameters<typeof createServiceKit>[0] = {}) {
  kit = createServiceKit(opts);
  await kit.addAccount();
  const user = await kit.addUser();
  return { ctx: kit.context(user), user };
}

const submit = (ctx: ReturnType<ServiceKit['context']>, body: unknown, o: { key?: string; wait?: number } = {}) =>
  kit.generation.submit(ctx, body, {
    uploads: [],
    preferWait: o.wait ?? 0,
    ...(o.key !== undefined ? { idempotencyKey: o.key } : {}),
  });
const body = <T>(r: JsonReply): T => r.body as T;

describe('GenerationService.submit: validation', () => {
  it('answers 400 invalid_request for shape and type problems, 422 for broken rules; stores nothing', async () => {
    const { ctx } = await setUp();
    for (const bad of [null, [], 'text', { ...IMAGE_REQUEST, width: '512' }, { ...IMAGE_REQUEST, extra: 1 }]) {
      await expect(submit(ctx, bad)).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    }
    const { prompt: _omitted, ...noPrompt } = IMAGE_REQUEST;
    await expect(submit(ctx, noPrompt)).rejects.toMatchObject({
      status: 400,
      details: [expect.objectContaining({ path: 'prompt' })],
    });
    await expect(submit(ctx, { ...IMAGE_REQUEST, width: 500 })).rejects.toMatchObject({
      code: 'validation_error',
      status: 422,
      details: [expect.objectContaining({ path: 'width' })],
    });
    await expect(submit(ctx, { ...VIDEO_REQUEST, steps: 20 })).rejects.toMatchObject({
      code: 'fixed_parameter_violation',
      status: 422,
    });
    expect(await kit.store.tasks.countQueued()).toBe(0);
    expect(kit.accepted).toEqual([]);
  });
});

describe('GenerationService.submit: accepted', () => {
  it('commits the task before answering 202 with its position, announces it and wakes the worker', async () => {
    const { ctx, user } = await setUp();
    const reply = await submit(ctx, { ...IMAGE_REQUEST, model: 'flux', negative_prompt: 'blur' });
    const accepted = body<AcceptedResponse>(reply);
    expect(reply.status).toBe(202);
    expect(accepted).toMatchObject({
      status: 'queued',
      queue_position: 1,
      seed: 42,
      status_url: `/api/status/${accepted.task_id}`,
      events_url: `/api/events/${accepted.task_id}`,
    });
    expect(reply.headers).toEqual({ location: `/api/status/${accepted.task_id}` });
    const task = await kit.store.tasks.get(accepted.task_id);
    expect(task).toMatchObject({ ownerId: user.id, status: 'queued', estimatedSeconds: accepted.estimated_seconds });
    // the engine's ignored parameters are recorded with the task
    expect(task?.params.ignored_params).toContainEqual({ param: 'negative_prompt', reason: 'Flux runs at CFG 1' });
    expect(kit.accepted).toEqual([accepted.task_id]);
    expect(kit.eventsOf(accepted.task_id)).toEqual([
      { event: 'progress', data: { task_id: accepted.task_id, status: 'queued', progress: 0, stage: 'queued' } },
    ]);
    kit.clock.advance(1); // a later request queues behind (same-millisecond ties go by id)
    expect(body<AcceptedResponse>(await submit(ctx, IMAGE_REQUEST)).queue_position).toBe(2);
  });
});

describe('GenerationService.submit: idempotency', () => {
  it('replays the same request under the same key (one task) and refuses a different one (409)', async () => {
    const { ctx } = await setUp();
    const first = await submit(ctx, IMAGE_REQUEST, { key: 'k1' });
    const again = await submit(ctx, IMAGE_REQUEST, { key: 'k1' });
    expect(again.status).toBe(202);
    expect(again.headers).toMatchObject({ 'idempotent-replay': 'true' });
    expect(body<AcceptedResponse>(again).task_id).toBe(body<AcceptedResponse>(first).task_id);
    await expect(submit(ctx, { ...IMAGE_REQUEST, prompt: 'another' }, { key: 'k1' })).rejects.toMatchObject({
      code: 'conflict',
      status: 409,
    });
    expect(await kit.store.tasks.countQueued()).toBe(1);
    expect(kit.accepted).toHaveLength(1);
  });

  it('a replay reports where the task is now', async () => {
    const { ctx } = await setUp();
    const first = body<AcceptedResponse>(await submit(ctx, IMAGE_REQUEST, { key: 'k' }));
    const task = await kit.store.tasks.get(first.task_id);
    await kit.lifecycle.transition(task!, 'running', { stage: 'sampling' });
    expect(body<AcceptedResponse>(await submit(ctx, IMAGE_REQUEST, { key: 'k' }))).toMatchObject({
      status: 'running',
      queue_position: 0,
    });
  });

  it('two concurrent requests with one key make one task; both answer it', async () => {
    const inserts: string[] = [];
    const recording = (inner: Store): Store => ({
      ...inner,
      tasks: {
        ...inner.tasks,
        insert: async (a) => {
          const r = await inner.tasks.insert(a);
          inserts.push(r.ok ? 'ok' : r.reason);
          return r;
        },
      },
    });
    const { ctx } = await setUp({ store: recording });
    const [a, b] = await Promise.all([
      submit(ctx, IMAGE_REQUEST, { key: 'same' }),
      submit(ctx, IMAGE_REQUEST, { key: 'same' }),
    ]);
    expect(body<AcceptedResponse>(a).task_id).toBe(body<AcceptedResponse>(b).task_id);
    expect(await kit.store.tasks.countQueued()).toBe(1);
    expect([a, b].filter((r) => r.headers?.['idempotent-replay'] === 'true')).toHaveLength(1);
    // both got past the key lookup: the store's one-transaction insert decided
    expect(inserts).toEqual(['ok', 'duplicate']);
    expect(kit.accepted).toHaveLength(1);
  });

  it('refuses an empty or over-long key (400)', async () => {
    const { ctx } = await setUp();
    await expect(submit(ctx, IMAGE_REQUEST, { key: '' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(submit(ctx, IMAGE_REQUEST, { key: 'k'.repeat(201) })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe('GenerationService.submit: credits', () => {
  it('holds the estimate with the task; 402 with a user action when the balance is short', async () => {
    const { ctx, user } = await setUp({ credits: true });
    await kit.store.credits.apply({ userId: user.id, taskId: null, kind: 'grant', amount: 30, at: 0 });
    const accepted = body<AcceptedResponse>(await submit(ctx, IMAGE_REQUEST));
    const hold = Math.ceil(accepted.estimated_seconds);
    expect(await kit.store.credits.reservedFor(accepted.task_id)).toEqual({
      userId: user.id,
      reserved: hold,
      settled: false,
    });
    expect((await kit.store.users.get(user.id))?.credits).toBe(30 - hold);

    const poor = kit.context(await kit.addUser({ credits: 0 }));
    await expect(submit(poor, IMAGE_REQUEST)).rejects.toMatchObject({
      code: 'insufficient_credits',
      status: 402,
      extra: { userAction: 'Ask an administrator for more credits.' },
    });
    expect(await kit.store.tasks.countQueued()).toBe(1);
  });
});

describe('GenerationService.submit: admission', () => {
  it('503 no_backend_available (retry after 60 s) when no account serves the model', async () => {
    kit = createServiceKit();
    const ctx = kit.context(await kit.addUser());
    await kit.addAccount({ models: ['anisora'] });
    await expect(submit(ctx, IMAGE_REQUEST)).rejects.toMatchObject({
      code: 'no_backend_available',
      status: 503,
      extra: { retryAfterSeconds: 60, userAction: 'Retry later.' },
    });
  });

  it('503 queue_overloaded (retry after 30 s) when the queue is full', async () => {
    const { ctx } = await setUp({ admission: { maxQueue: 2 } });
    await submit(ctx, IMAGE_REQUEST);
    await submit(ctx, IMAGE_REQUEST);
    await expect(submit(ctx, IMAGE_REQUEST)).rejects.toMatchObject({
      code: 'queue_overloaded',
      status: 503,
      extra: { retryAfterSeconds: 30 },
    });
  });

  it('degraded video (no dedicated video lane): bounded waiting, retry after the wait limit', async () => {
    const { ctx } = await setUp({ admission: { degradedMaxWaiting: 2, degradedMaxWaitMs: 45_000 } });
    await submit(ctx, VIDEO_REQUEST);
    await submit(ctx, VIDEO_REQUEST);
    await expect(submit(ctx, VIDEO_REQUEST)).rejects.toMatchObject({
      code: 'queue_overloaded',
      extra: { retryAfterSeconds: 45 },
    });
    // images are not bounded by it
    expect((await submit(ctx, IMAGE_REQUEST)).status).toBe(202);
  });

  it('concurrent requests cannot overshoot a bound they all passed at first: the insert counts again', async () => {
    const { ctx } = await setUp({ admission: { maxQueuedPerUser: 3, degradedMaxWaiting: 2 } });
    const images = await Promise.allSettled(Array.from({ length: 8 }, () => submit(ctx, IMAGE_REQUEST)));
    expect(images.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    for (const o of images.filter((x) => x.status === 'rejected')) {
      expect(o.reason).toMatchObject({ code: 'user_queue_full', status: 429 });
    }
    const other = await kit.addUser();
    const videos = await Promise.allSettled(Array.from({ length: 5 }, () => submit(kit.context(other), VIDEO_REQUEST)));
    expect(videos.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    expect(await kit.store.tasks.countQueued()).toBe(5);
  });
});

describe('GenerationService.submit: prompt policy', () => {
  it('refuses with a user action in the request’s language; logs the rule and user, never the prompt', async () => {
    const { ctx, user } = await setUp();
    const ru = { ...ctx, lang: 'ru' as const };
    await expect(submit(ru, { ...IMAGE_REQUEST, prompt: 'a FORBIDDEN thing' })).rejects.toMatchObject({
      code: 'prompt_policy_violation',
      status: 422,
      details: [{ path: 'prompt', message: 'violates the content policy' }],
      extra: { userAction: 'ru: refused (minor+sexual)' },
    });
    const warning = kit.log.entries.find((e) => e.message === 'prompt refused by policy');
    expect(warning?.fields).toEqual({ userId: user.id, rule: 'test-rule', reqId: 'req-1' });
    expect(JSON.stringify(kit.log.entries)).not.toContain('FORBIDDEN');
    expect(await kit.store.tasks.countQueued()).toBe(0);
  });
});

describe('GenerationService.submit: reference images', () => {
  const img2img = { ...IMAGE_REQUEST, mode: 'img2img', reference_image: pngStandInBase64(64, 64) };

  it('an accepted task owns its reference image: file written, asset row committed with it', async () => {
    const { ctx, user } = await setUp();
    const accepted = body<AcceptedResponse>(await submit(ctx, img2img));
    const ref = (await kit.store.tasks.get(accepted.task_id))?.params.reference_image ?? '';
    expect(ref).toMatch(/^asset:/);
    const asset = await kit.store.assets.get(ref.slice('asset:'.length));
    expect(asset).toMatchObject({ ownerId: user.id, kind: 'upload', mime: 'image/png', width: 64, height: 64 });
    expect(kit.files.keys('assets/')).toEqual([asset?.path]);
  });

  it('nothing is kept for a refused request: bad image (422), policy, credits, a failed commit', async () => {
    const failing = (inner: Store): Store => ({
      ...inner,
      tasks: {
        ...inner.tasks,
        insert: (a) =>
          a.task.params.prompt.includes('commit fails')
            ? Promise.reject(new Error('disk full'))
            : inner.tasks.insert(a),
      },
    });
    const { ctx: unlimited } = await setUp({ credits: true, store: failing });
    const user = await kit.addUser({ credits: 0 });
    const ctx = kit.context(user);
    await expect(submit(unlimited, { ...img2img, reference_image: 'bm90IGFuIGltYWdl' })).rejects.toMatchObject({
      code: 'validation_error',
      details: [expect.objectContaining({ path: 'reference_image' })],
    });
    await expect(submit(unlimited, { ...img2img, prompt: 'FORBIDDEN' })).rejects.toMatchObject({
      code: 'prompt_policy_violation',
    });
    await expect(submit(ctx, img2img)).rejects.toMatchObject({ code: 'insufficient_credits' });
    await kit.store.credits.apply({ userId: user.id, taskId: null, kind: 'grant', amount: 1000, at: 0 });
    await expect(submit(ctx, { ...img2img, prompt: 'commit fails' })).rejects.toThrow('disk full');
    expect(kit.files.keys()).toEqual([]);
    expect(await kit.store.tasks.countQueued()).toBe(0);
  });
});

describe('GenerationService.submit: Prefer: wait', () => {
  const RESULT = { status: 'success', task_id: 'x' } as GenerationResult;

  it('answers 200 with the result when the task completes within the wait', async () => {
    const { ctx } = await setUp();
    const reply = submit(ctx, IMAGE_REQUEST, { wait: 30 });
    await vi.waitUntil(() => kit.accepted.length === 1);
    const task = await kit.store.tasks.get(kit.accepted[0]!);
    const running = await kit.lifecycle.transition(task!, 'running');
    await kit.lifecycle.transition(running!, 'completed', { stage: 'done', progress: 100, result: RESULT });
    const r = await reply;
    expect([r.status, r.body]).toEqual([200, RESULT]);
  });

  it('answers 200 with the status of a task that failed within the wait', async () => {
    const { ctx } = await setUp();
    const reply = submit(ctx, IMAGE_REQUEST, { wait: 30 });
    await vi.waitUntil(() => kit.accepted.length === 1);
    const task = await kit.store.tasks.get(kit.accepted[0]!);
    await kit.lifecycle.transition(task!, 'failed', { error: 'boom', errorCode: 'backend_error', retriable: false });
    const r = await reply;
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'failed', code: 'backend_error', error: 'boom' });
  });

  it('answers 202 when the wait runs out first (fake timers: no real waiting)', async () => {
    vi.useFakeTimers();
    const { ctx } = await setUp();
    const reply = submit(ctx, IMAGE_REQUEST, { wait: 5 });
    await vi.advanceTimersByTimeAsync(5_000);
    const r = await reply;
    expect(r.status).toBe(202);
    expect(body<AcceptedResponse>(r).status).toBe('queued');
  });

  it('a replay of a task that already ended answers at once with its end', async () => {
    const { ctx } = await setUp();
    const first = body<AcceptedResponse>(await submit(ctx, IMAGE_REQUEST, { key: 'k' }));
    const task = await kit.store.tasks.get(first.task_id);
    await kit.lifecycle.transition(task!, 'cancelled', { stage: 'done' });
    const r = await submit(ctx, IMAGE_REQUEST, { key: 'k', wait: 300 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'cancelled' });
  });
});
