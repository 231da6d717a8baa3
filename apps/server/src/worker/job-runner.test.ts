import { afterEach, describe, expect, it } from 'vitest';
import type { GenerationResult } from '@mediagen/contract';
import { EngineError } from '#ports/engine.ts';
import { assetRecord } from '#test/factories.ts';
import { createMemoryStore } from '#test/fakes/memory-store.ts';
import { createRunnerKit, type RunnerKit } from '#test/fakes/runner-kit.ts';

let kit: RunnerKit;
const others: RunnerKit[] = [];
afterEach(async () => {
  await kit.close();
  for (const o of others.splice(0)) await o.close();
});

describe('JobRunner: dispatch and completion', () => {
  it('claims a queued task for an idle ready account and runs it on the engine', async () => {
    kit = createRunnerKit();
    const account = await kit.addAccount({ name: 'gpu-a' });
    const t = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    expect(run.input).toMatchObject({ taskId: t.id, backend: { id: account.id, name: 'gpu-a' }, params: t.params });
    expect(run.input.existingPromptId).toBeUndefined();
    expect(await kit.store.tasks.get(t.id)).toMatchObject({
      status: 'running',
      stage: 'submitted',
      accountId: account.id,
      attempts: 1,
      startedAt: kit.now(),
    });
    expect(kit.runner.runningTaskIds()).toEqual([t.id]);
  });

  it('two gateways (two runners on one store, each driving its own account) never run one task twice: the claim is a compare-and-set', async () => {
    const store = createMemoryStore();
    const only = (id: () => string) => ({ drives: (a: string) => a === id(), mayStart: (a: string) => a === id() });
    let first = '';
    let other = '';
    kit = createRunnerKit({ store: () => store, claims: only(() => first) });
    const second = createRunnerKit({ store: () => store, claims: only(() => other) });
    others.push(second);
    first = (await kit.addAccount()).id;
    other = (await kit.addAccount()).id;
    await second.accounts.refresh();
    const task = await kit.queue();
    await Promise.all([kit.runner.start(), second.runner.start()]);
    await Promise.all([kit.runner.idle(), second.runner.idle()]);
    // both saw the one queued task for an idle account of theirs: one claimed it, on one gateway only
    expect([...kit.engine.started, ...second.engine.started].map((r) => r.input.taskId)).toEqual([task.id]);
    expect((await store.tasks.get(task.id))?.attempts).toBe(1);
  });

  it('a job another gateway claimed first does not leave the account idle until the next tick', async () => {
    kit = createRunnerKit();
    const account = await kit.addAccount();
    await kit.runner.start();
    await kit.runner.idle();
    const first = await kit.queue();
    const second = await kit.queue();
    const get = kit.store.tasks.get.bind(kit.store.tasks);
    let stolen = false;
    // the moment this runner looks the planned job up, another gateway has just claimed it
    kit.store.tasks.get = async (id) => {
      if (id === first.id && !stolen) {
        stolen = true;
        await kit.store.tasks.update(first.id, { status: 'running', accountId: 'elsewhere' }, 'queued');
      }
      return get(id);
    };
    kit.runner.wake(); // one wake-up, no tick
    await kit.runner.idle();
    expect(kit.engine.started.map((r) => [r.input.taskId, r.input.backend.id])).toEqual([[second.id, account.id]]);
  });

  it('persists the prompt id, reports progress and previews, stores the outputs and completes', async () => {
    kit = createRunnerKit();
    await kit.addAccount({ name: 'gpu-a' });
    const t = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    await run.submit('prompt-77');
    expect((await kit.store.tasks.get(t.id))?.promptId).toBe('prompt-77');
    run.progress(40);
    run.progress(20); // progress only rises
    run.preview();
    expect(kit.previews.get(t.id)?.seq).toBe(1);
    kit.clock.advance(5_000);
    run.complete({ executionMs: 4_200 });
    const done = await kit.untilStatus(t.id, 'completed');
    const result = done.result as GenerationResult;
    expect(done).toMatchObject({ stage: 'done', progress: 100, gpuMs: 4_200 });
    expect(result).toMatchObject({
      status: 'success',
      task_id: t.id,
      seed: t.params.seed,
      urls: [`/api/results/${t.id}`],
    });
    expect(result.metadata).toMatchObject({ gpu_time: 4.2, inference_time: 5, backend: 'gpu-a' });
    expect(kit.files.keys(`media/${t.id}/`)).toEqual([`media/${t.id}/0.png`, `media/${t.id}/thumb.jpg`]);
    expect((await kit.store.assets.ofTask(t.id)).map((a) => a.kind)).toEqual(['output', 'thumbnail']);
    // the A1111 infotext is embedded in the stored image
    const stored = await kit.files.read(`media/${t.id}/0.png`);
    expect(await kit.media.readImageParameters(stored)).toContain(`Seed: ${t.params.seed}`);
    expect(await kit.store.tasks.measuredSecondsPerUnit(t.params.model)).toBeGreaterThan(0);
    const progress = kit.eventsOf(t.id).flatMap((e) => (e.event === 'progress' ? [e.data.progress] : []));
    expect(progress).toEqual([0, 40, 40, 99]);
    expect(kit.eventsOf(t.id).map((e) => e.event)).toEqual([
      'progress',
      'progress',
      'progress',
      'preview',
      'progress',
      'completed',
    ]);
    await kit.untilReleased(t.id);
    expect(kit.previews.get(t.id)).toBeUndefined();
  });

  it('a task erased while it ran leaves no output behind (its files and rows are removed after storing)', async () => {
    kit = createRunnerKit();
    await kit.addAccount({ name: 'gpu-a' });
    const t = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    await kit.store.tasks.delete(t.id);
    run.complete({ executionMs: 1_000 });
    await kit.untilReleased(t.id);
    expect(kit.files.keys(`media/${t.id}/`)).toEqual([]);
    expect(await kit.store.assets.ofTask(t.id)).toEqual([]);
  });

  it('another gateway completed it first while this one stored its outputs: only the winner’s rows stay', async () => {
    kit = createRunnerKit();
    await kit.addAccount({ name: 'gpu-a' });
    const t = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    await run.submit('prompt-5');
    // the other gateway (it took the account over while this one stalled) stores the same outputs and completes first
    const theirs = assetRecord({
      taskId: t.id,
      ownerId: t.ownerId,
      kind: 'output',
      idx: 0,
      path: `media/${t.id}/0.png`,
    });
    const insert = kit.store.assets.insert.bind(kit.store.assets);
    let raced = false;
    kit.store.assets.insert = async (a) => {
      await insert(a);
      if (raced) return;
      raced = true;
      await insert(theirs);
      const running = (await kit.store.tasks.get(t.id))!;
      const result = { status: 'success', task_id: t.id, asset_ids: [theirs.id] } as unknown as GenerationResult;
      await kit.lifecycle.transition(running, 'completed', { stage: 'done', progress: 100, result, finishedAt: 1 });
    };
    run.complete({ executionMs: 1_000 });
    await kit.untilReleased(t.id);
    expect(await kit.store.assets.ofTask(t.id)).toEqual([theirs]);
    expect(((await kit.store.tasks.get(t.id))?.result as GenerationResult).asset_ids).toEqual([theirs.id]);
    // the files under the task's keys stay: they are the winner's outputs too
    expect(kit.files.keys(`media/${t.id}/`)).toContain(`media/${t.id}/0.png`);
  });

  it('takes the next queued task when the account frees up', async () => {
    kit = createRunnerKit();
    await kit.addAccount();
    const first = await kit.queue();
    const second = await kit.queue();
    await kit.runner.start();
    const run1 = await kit.engine.nextRun();
    expect(run1.input.taskId).toBe(first.id);
    run1.complete();
    const run2 = await kit.engine.nextRun();
    expect(run2.input.taskId).toBe(second.id);
  });
});

describe('JobRunner: failures and retries', () => {
  it('re-queues a retriable engine failure up to the retry limit, then fails the task with its code', async () => {
    kit = createRunnerKit({ retryLimit: 2 });
    await kit.addAccount();
    const t = await kit.queue();
    await kit.runner.start();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const run = await kit.engine.nextRun();
      expect((await kit.store.tasks.get(t.id))?.attempts).toBe(attempt);
      run.fail(new EngineError('backend_error', 'CUDA out of memory', true));
    }
    const failed = await kit.untilStatus(t.id, 'failed');
    expect(failed).toMatchObject({
      attempts: 3,
      errorCode: 'backend_error',
      error: 'CUDA out of memory',
      retriable: true,
    });
    expect(kit.engine.runs).toEqual([t.id, t.id, t.id]);
    expect(kit.log.messages('warn').filter((m) => m === 'job failed on backend; re-queued')).toHaveLength(2);
    await kit.untilReleased(t.id);
    expect(kit.engine.pendingRuns).toBe(0);
  });

  it('fails at once on an error that is not retriable; any other error is internal_error', async () => {
    kit = createRunnerKit();
    await kit.addAccount();
    const refused = await kit.queue();
    const broken = await kit.queue();
    await kit.runner.start();
    (await kit.engine.nextRun()).fail(new EngineError('invalid_workflow', 'refused workflow', false));
    expect(await kit.untilStatus(refused.id, 'failed')).toMatchObject({ errorCode: 'invalid_workflow', attempts: 1 });
    (await kit.engine.nextRun()).fail(new TypeError('x is undefined'));
    expect(await kit.untilStatus(broken.id, 'failed')).toMatchObject({
      errorCode: 'internal_error',
      error: 'Internal error while running the job: x is undefined',
      retriable: false,
    });
  });

  it('gives the credit hold back when a task fails', async () => {
    kit = createRunnerKit();
    await kit.addAccount();
    const user = await kit.addUser({ credits: 50 });
    const t = await kit.queue({ ownerId: user.id });
    await kit.store.credits.apply({ userId: user.id, taskId: t.id, kind: 'reserve', amount: -20, at: 0 });
    await kit.runner.start();
    (await kit.engine.nextRun()).fail(new EngineError('backend_error', 'boom', false));
    await kit.untilStatus(t.id, 'failed');
    await kit.untilReleased(t.id);
    expect((await kit.store.users.get(user.id))?.credits).toBe(50);
  });
});

describe('JobRunner: cancel', () => {
  it('cancelling a running task aborts its run; the task ends cancelled and the account is free', async () => {
    kit = createRunnerKit();
    await kit.addAccount();
    const t = await kit.queue();
    const next = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    expect(kit.runner.cancelRunning('not-running')).toBe(false);
    expect(kit.runner.cancelRunning(t.id)).toBe(true);
    expect(run.signal.aborted).toBe(true);
    expect(await kit.untilStatus(t.id, 'cancelled')).toMatchObject({ stage: 'done' });
    expect(kit.eventsOf(t.id).at(-1)).toEqual({ event: 'cancelled', data: { task_id: t.id } });
    expect((await kit.engine.nextRun()).input.taskId).toBe(next.id);
  });

  it('a cancel that arrives while the claim is being written still cancels the run when it starts', async () => {
    kit = createRunnerKit();
    await kit.addAccount();
    const t = await kit.queue();
    // the claim's write is slow to come back (PostgreSQL: a round trip, then the transition hooks)
    const update = kit.store.tasks.update.bind(kit.store.tasks);
    let claimWritten: () => void = () => undefined;
    const claimed = new Promise<void>((resolve) => (claimWritten = resolve));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    kit.store.tasks.update = async (id, patch, expect) => {
      const ok = await update(id, patch, expect);
      if (patch.status === 'running') {
        claimWritten();
        await held;
      }
      return ok;
    };
    await kit.runner.start();
    await claimed;
    expect((await kit.store.tasks.get(t.id))?.status).toBe('running'); // too late for queued → cancelled
    expect(kit.runner.cancelRunning(t.id)).toBe(false); // not started here yet
    release();
    const run = await kit.engine.nextRun();
    expect(run.signal.aborted).toBe(true);
    expect(await kit.untilStatus(t.id, 'cancelled')).toMatchObject({ stage: 'done' });
  });

  it('a cancel reported by the engine itself ends the task cancelled, not failed', async () => {
    kit = createRunnerKit();
    await kit.addAccount();
    const t = await kit.queue();
    await kit.runner.start();
    (await kit.engine.nextRun()).fail(new EngineError('cancelled', 'interrupted on the backend', false));
    await kit.untilStatus(t.id, 'cancelled');
  });
});
