import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskRecord } from '#ports/store.ts';
import { resolvedParams } from '#test/factories.ts';
import { createRunnerKit, type RunnerKit } from '#test/fakes/runner-kit.ts';

// What happens around a gateway restart: re-attaching running tasks, expiring degraded jobs on the timer, stopping.

let kit: RunnerKit;
afterEach(async () => {
  await kit.close();
});

/** A task another gateway process left `running` (as the store has it after a crash or a drain). */
async function leftRunning(patch: Partial<TaskRecord>): Promise<TaskRecord> {
  const t = await kit.queue();
  await kit.store.tasks.update(t.id, { status: 'running', stage: 'sampling', progress: 35, attempts: 1, ...patch });
  return (await kit.store.tasks.get(t.id))!;
}

const VIDEO = resolvedParams({ type: 'video', model: 'anisora', mode: 't2v', num_frames: 81 });

describe('JobRunner.start: re-attach', () => {
  it('re-attaches a running task with a prompt id on its account, keeping its progress, and completes it', async () => {
    kit = createRunnerKit();
    const account = await kit.addAccount();
    const t = await leftRunning({ accountId: account.id, promptId: 'prompt-9', startedAt: kit.now() });
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    expect(run.input).toMatchObject({ taskId: t.id, existingPromptId: 'prompt-9', backend: { id: account.id } });
    expect(await kit.store.tasks.get(t.id)).toMatchObject({ status: 'running', attempts: 1, progress: 35 });
    run.progress(10); // below what it had: progress never goes back
    expect(kit.live.get(t.id)?.progress).toBe(35);
    run.complete();
    expect((await kit.untilStatus(t.id, 'completed')).attempts).toBe(1);
  });

  it('re-queues a running task without a prompt id (it never reached its backend), or whose account is gone', async () => {
    kit = createRunnerKit();
    const account = await kit.addAccount({ status: 'disabled' });
    const noPrompt = await leftRunning({ accountId: account.id, promptId: null });
    const noAccount = await leftRunning({ accountId: 'deleted-account', promptId: 'p' });
    await kit.runner.start();
    for (const t of [noPrompt, noAccount]) {
      expect(await kit.store.tasks.get(t.id)).toMatchObject({
        status: 'queued',
        stage: 'queued',
        progress: 0,
        accountId: null,
        promptId: null,
      });
    }
    expect(kit.engine.started).toEqual([]);
  });

  it('a re-attach waits for its account to be ready, and keeps that account for it meanwhile', async () => {
    kit = createRunnerKit();
    const account = await kit.addAccount({ status: 'checking' });
    const t = await leftRunning({ accountId: account.id, promptId: 'p-1' });
    await kit.queue(); // other work, which must not take the account first
    await kit.runner.start();
    await kit.runner.idle();
    expect(kit.engine.started).toEqual([]);
    await kit.store.accounts.update(account.id, { status: 'ready' });
    await kit.accounts.refresh();
    kit.runner.wake();
    await kit.runner.idle();
    expect(kit.engine.started.map((r) => [r.input.taskId, r.input.existingPromptId])).toEqual([[t.id, 'p-1']]);
  });
});

describe('JobRunner.tick: expiry of jobs that can no longer start in time', () => {
  it('fails a video job that waited past the limit with no video lane (queue_overloaded, retriable); not a moment before', async () => {
    kit = createRunnerKit({ degradedMaxWaitMs: 30_000 });
    await kit.addAccount({ lane: 'shared' });
    const busy = await kit.queue();
    await kit.runner.start();
    expect((await kit.engine.nextRun()).input.taskId).toBe(busy.id); // the only GPU is taken
    const video = await kit.queue({ params: VIDEO });
    const image = await kit.queue();
    kit.clock.set(video.createdAt + 29_999);
    await kit.runner.tick();
    expect((await kit.store.tasks.get(video.id))?.status).toBe('queued');
    kit.clock.advance(1);
    await kit.runner.tick();
    expect(await kit.store.tasks.get(video.id)).toMatchObject({
      status: 'failed',
      errorCode: 'queue_overloaded',
      retriable: true,
      error: 'Generation queue is overloaded: no video GPU became free in time',
      finishedAt: kit.now(),
    });
    expect(kit.eventsOf(video.id).at(-1)?.event).toBe('failed');
    // images wait as long as they must
    expect((await kit.store.tasks.get(image.id))?.status).toBe('queued');
  });

  it('never expires video jobs while a dedicated video lane serving the model is ready', async () => {
    kit = createRunnerKit({ degradedMaxWaitMs: 30_000 });
    await kit.addAccount({ lane: 'video', models: ['anisora'] });
    const busy = await kit.queue({ params: VIDEO });
    await kit.runner.start();
    expect((await kit.engine.nextRun()).input.taskId).toBe(busy.id);
    const waiting = await kit.queue({ params: VIDEO });
    kit.clock.advance(600_000);
    await kit.runner.tick();
    expect((await kit.store.tasks.get(waiting.id))?.status).toBe('queued');
  });
});

describe('JobRunner expiry: no backend for the model, LoRAs, and what it reads', () => {
  const FLUX = resolvedParams({ model: 'flux' });

  it('fails a job for a model no account can serve after the bound (no_backend_available), not a moment before', async () => {
    kit = createRunnerKit({ noBackendMaxWaitMs: 300_000 });
    await kit.addAccount({ lane: 'image', models: ['pony'] });
    const busy = await kit.queue();
    await kit.runner.start();
    expect((await kit.engine.nextRun()).input.taskId).toBe(busy.id);
    const flux = await kit.queue({ params: FLUX });
    kit.clock.set(flux.createdAt + 299_999);
    await kit.runner.tick();
    expect((await kit.store.tasks.get(flux.id))?.status).toBe('queued');
    kit.clock.advance(1);
    await kit.runner.tick();
    expect(await kit.store.tasks.get(flux.id)).toMatchObject({
      status: 'failed',
      errorCode: 'no_backend_available',
      error: 'No GPU backend became ready for flux in time',
    });
  });

  it('a job held back only by a LoRA no account holds fails at the next dispatch past the bound', async () => {
    kit = createRunnerKit({ noBackendMaxWaitMs: 300_000 });
    await kit.addAccount({ lane: 'image', models: ['pony', 'flux'], loras: [] });
    const busy = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    expect(run.input.taskId).toBe(busy.id);
    const ink = { name: 'ink', file: 'ink.safetensors', strength: 0.6, family: 'sdxl' as const };
    const withLora = await kit.queue({ params: { ...resolvedParams(), loras: [ink] } });
    kit.clock.advance(300_000);
    await kit.runner.tick(); // the timer reads no image jobs: every image model has a ready account
    expect((await kit.store.tasks.get(withLora.id))?.status).toBe('queued');
    await run.submit('p-1');
    run.complete(); // the GPU frees up: the dispatcher reads the whole queue and finds it
    await kit.untilStatus(withLora.id, 'failed');
    expect((await kit.store.tasks.get(withLora.id))?.errorCode).toBe('no_backend_available');
  });

  it('reads no queued job while none could expire, and only old jobs of the type that could', async () => {
    kit = createRunnerKit({ degradedMaxWaitMs: 30_000 });
    await kit.addAccount({ lane: 'image', models: ['pony', 'flux'] });
    const video = await kit.addAccount({ lane: 'video', models: ['anisora', 'phr00t'] });
    await kit.queue(); // runs on the image GPU
    await kit.queue({ params: VIDEO }); // runs on the video GPU
    await kit.runner.start();
    await kit.engine.nextRun();
    await kit.engine.nextRun();
    const read = vi.spyOn(kit.store.tasks, 'queuedSummaries');
    await kit.runner.tick();
    await kit.runner.idle();
    expect(read).not.toHaveBeenCalled();
    await kit.store.accounts.update(video.id, { status: 'failed' });
    await kit.accounts.refresh();
    await kit.runner.tick();
    await kit.runner.idle();
    expect(read.mock.calls).toEqual([[{ type: 'video', createdBefore: kit.now() - 30_000 + 1 }]]);
  });
});

describe('JobRunner.stop', () => {
  it('leaves running tasks running (no cancel sent, nothing written) and claims no more work', async () => {
    kit = createRunnerKit();
    await kit.addAccount();
    await kit.addAccount();
    const t = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    await run.submit('prompt-1');
    await kit.runner.stop();
    expect(run.signal.aborted).toBe(false);
    const later = await kit.queue();
    kit.runner.wake();
    await kit.runner.tick();
    await kit.runner.idle();
    // the run ends on the backend after the stop: the next start collects it, this one writes nothing
    run.progress(80);
    run.complete();
    await kit.untilReleased(t.id);
    expect(await kit.store.tasks.get(t.id)).toMatchObject({ status: 'running', promptId: 'prompt-1', progress: 0 });
    expect((await kit.store.tasks.get(later.id))?.status).toBe('queued');
    expect(kit.engine.started).toHaveLength(1);
  });
});
