import { afterEach, describe, expect, it } from 'vitest';
import type { GenerationResult } from '@mediagen/contract';
import { taskEventFor } from '#domain/task-lifecycle.ts';
import type { TaskRecord } from '#ports/store.ts';
import { taskRecord } from '#test/factories.ts';
import { jpegStandIn } from '#test/fakes/image-stand-ins.ts';
import { createServiceKit, RecordingRunnerControl, type ServiceKit } from '#test/fakes/service-kit.ts';
import type { EventsReply, SseEvent } from './replies.ts';

let kit: ServiceKit;
let runner: RecordingRunnerControl;
afterEach(() => kit.close());

async function setUp(): Promise<{ owner: string; stranger: string }> {
  runner = new RecordingRunnerControl();
  kit = createServiceKit({ runner, credits: true });
  const owner = await kit.addUser({ credits: 100 });
  const stranger = await kit.addUser();
  return { owner: owner.id, stranger: stranger.id };
}

async function addTask(overrides: Partial<TaskRecord>): Promise<TaskRecord> {
  const at = kit.clock.advance(1); // a later task is later in the queue
  const t = taskRecord({ createdAt: at, updatedAt: at, ...overrides });
  await kit.store.tasks.insert({ task: t, reserveCredits: 10 });
  return (await kit.store.tasks.get(t.id))!;
}

async function running(ownerId: string, overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> {
  const t = await addTask({ ownerId, ...overrides });
  return (await kit.lifecycle.transition(t, 'running', { stage: 'sampling', startedAt: kit.now() }))!;
}

/** Runs an events reply the way the HTTP layer does, collecting what it writes until it ends. */
function follow(reply: EventsReply): { seen: SseEvent[]; ended: () => boolean; stop: () => void } {
  const seen = [...reply.initial];
  let ended = reply.finished;
  const stop = reply.finished
    ? () => undefined
    : reply.subscribe(
        (e) => seen.push(e),
        () => (ended = true),
      );
  return { seen, ended: () => ended, stop };
}

describe('TasksService: owner isolation', () => {
  it('answers 404 for another user’s task on every operation, as for a task that does not exist', async () => {
    const { owner, stranger } = await setUp();
    const t = await addTask({ ownerId: owner });
    const attempts = [
      () => kit.tasks.status(stranger, t.id),
      () => kit.tasks.cancel(stranger, t.id),
      () => kit.tasks.events(stranger, t.id),
      () => kit.tasks.preview(stranger, t.id),
      () => kit.tasks.result(stranger, t.id, 0, false),
      () => kit.tasks.remove(stranger, t.id),
      () => kit.tasks.status(owner, 'no-such-task'),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: 'not_found', status: 404 });
    expect((await kit.store.tasks.get(t.id))?.status).toBe('queued');
    expect(runner.cancelled).toEqual([]);
  });
});

describe('TasksService.cancel', () => {
  it('cancels a queued task at once: one event, credits given back; a second cancel changes nothing', async () => {
    const { owner } = await setUp();
    const t = await addTask({ ownerId: owner });
    const view = await kit.tasks.cancel(owner, t.id);
    expect(view).toMatchObject({ status: 'cancelled', stage: 'done' });
    expect(await kit.store.credits.reservedFor(t.id)).toMatchObject({ settled: true });
    expect((await kit.store.users.get(owner))?.credits).toBe(100);
    expect(await kit.tasks.cancel(owner, t.id)).toEqual(view);
    expect(kit.eventsOf(t.id)).toEqual([{ event: 'cancelled', data: { task_id: t.id } }]);
    expect(runner.cancelled).toEqual([]);
  });

  it('asks the runner to interrupt a running task and answers its current state', async () => {
    const { owner } = await setUp();
    const t = await running(owner);
    expect(await kit.tasks.cancel(owner, t.id)).toMatchObject({ status: 'running' });
    expect(runner.cancelled).toEqual([t.id]);
  });

  it('leaves an ended task as it is', async () => {
    const { owner } = await setUp();
    const t = await running(owner);
    await kit.lifecycle.transition(t, 'failed', { error: 'boom', errorCode: 'backend_error', retriable: false });
    const before = kit.events.length;
    expect(await kit.tasks.cancel(owner, t.id)).toMatchObject({ status: 'failed', code: 'backend_error' });
    expect(kit.events.length).toBe(before);
    expect(runner.cancelled).toEqual([]);
  });
});

describe('TasksService.status', () => {
  it('queued: position and estimate', async () => {
    const { owner } = await setUp();
    await addTask({ ownerId: owner });
    const t = await addTask({ ownerId: owner, estimatedSeconds: 40 });
    expect(await kit.tasks.status(owner, t.id)).toMatchObject({
      status: 'queued',
      progress: 0,
      queue_position: 2,
      eta_seconds: 40,
      created_at: new Date(t.createdAt).toISOString(),
    });
  });

  it('running: live progress from the events (ahead of the throttled write), remaining time, live preview', async () => {
    const { owner } = await setUp();
    const t = await running(owner, { estimatedSeconds: 30 });
    kit.lifecycle.reportProgress(t, 10, 'sampling');
    kit.lifecycle.reportProgress(t, 45, 'decoding');
    kit.clock.advance(12_000);
    const seq = kit.previews.set(t.id, jpegStandIn(8, 8), 'image/jpeg');
    kit.lifecycle.publishPreview(t, seq);
    const view = await kit.tasks.status(owner, t.id);
    expect(view).toMatchObject({
      status: 'running',
      progress: 45,
      stage: 'decoding',
      preview_url: `/api/preview/${t.id}`,
    });
    expect(view.eta_seconds).toBe(18);
    expect(view.queue_position).toBeUndefined();
  });

  it('completed: progress 100, the result and its preview; failed: error, code and retriable', async () => {
    const { owner } = await setUp();
    const result = { status: 'success', task_id: 'r' } as GenerationResult;
    const done = await kit.lifecycle.transition(await running(owner), 'completed', { stage: 'done', result });
    expect(await kit.tasks.status(owner, done!.id)).toMatchObject({ status: 'completed', progress: 100, result });
    const failed = await kit.lifecycle.transition(await running(owner), 'failed', {
      stage: 'done',
      error: 'lost',
      errorCode: 'backend_lost',
      retriable: true,
    });
    expect(await kit.tasks.status(owner, failed!.id)).toMatchObject({
      status: 'failed',
      error: 'lost',
      code: 'backend_lost',
      retriable: true,
    });
  });
});

describe('TasksService.events', () => {
  it('starts with taskEventFor(the current state), follows live events and ends after the terminal one', async () => {
    const { owner } = await setUp();
    await addTask({ ownerId: owner });
    const t = await addTask({ ownerId: owner, estimatedSeconds: 9 });
    const stream = follow(await kit.tasks.events(owner, t.id));
    expect(stream.seen).toEqual([taskEventFor(t, { queuePosition: 2, etaSeconds: 9 })]);
    const r = await kit.lifecycle.transition(t, 'running', { stage: 'submitted' });
    kit.lifecycle.reportProgress(r!, 30, 'sampling');
    await kit.lifecycle.transition(r!, 'cancelled', { stage: 'done' });
    expect(stream.seen.map((e) => e.event)).toEqual(['progress', 'progress', 'progress', 'cancelled']);
    expect(stream.ended()).toBe(true);
    stream.stop();
  });

  it('a running task’s first event carries the live progress', async () => {
    const { owner } = await setUp();
    const t = await running(owner);
    kit.lifecycle.reportProgress(t, 62, 'decoding');
    const reply = await kit.tasks.events(owner, t.id);
    expect(reply.initial[0]).toEqual(taskEventFor({ ...t, progress: 62, stage: 'decoding' }, { etaSeconds: 12 }));
  });

  it('an ended task: just its final event, and the stream is finished', async () => {
    const { owner } = await setUp();
    const t = await running(owner);
    const failed = await kit.lifecycle.transition(t, 'failed', { error: 'x', errorCode: 'backend_error' });
    const reply = await kit.tasks.events(owner, t.id);
    expect(reply.finished).toBe(true);
    expect(reply.initial).toEqual([taskEventFor(failed!)]);
  });

  it('a task that ends between the read and the subscription still ends the stream with its final event', async () => {
    const { owner } = await setUp();
    const t = await running(owner);
    const reply = await kit.tasks.events(owner, t.id);
    // ended by another gateway: written to the store, the event never reached this one
    await kit.store.tasks.update(t.id, { status: 'cancelled', stage: 'done' }, 'running');
    const stream = follow(reply);
    await expect.poll(() => stream.ended()).toBe(true);
    expect(stream.seen.at(-1)).toEqual({ event: 'cancelled', data: { task_id: t.id } });
  });
});
