import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskEvent, TaskStatus } from '@mediagen/contract';
import { createInProcessTaskBus } from '#adapters/events/in-process-task-bus.ts';
import type { Store, TaskRecord } from '#ports/store.ts';
import { taskRecord } from '#test/factories.ts';
import { createMemoryStore } from '#test/fakes/memory-store.ts';
import { TaskLifecycle } from './task-lifecycle.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** One gateway's lifecycle: its own bus (events it publishes) on a store that may be shared. */
function gateway(store: Store, opts: { progressWriteMs?: number } = {}) {
  const bus = createInProcessTaskBus();
  const events: TaskEvent[] = [];
  bus.subscribeAll(({ event }) => events.push(event));
  const terminal: string[] = [];
  const lifecycle = new TaskLifecycle({ store, bus, now: () => Date.now(), ...opts });
  lifecycle.onTerminal(async (t) => {
    terminal.push(`${t.id} ${t.status}`);
  });
  return { lifecycle, events, terminal };
}

async function stored(store: Store, overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> {
  const t = taskRecord(overrides);
  await store.tasks.insert({ task: t });
  if (t.status !== 'queued') await store.tasks.update(t.id, { status: t.status });
  return (await store.tasks.get(t.id))!;
}

describe('TaskLifecycle.transition', () => {
  it('refuses moves the transition table forbids: no write, no event, no hook', async () => {
    const store = createMemoryStore();
    const g = gateway(store);
    const refused: Array<[TaskStatus, TaskStatus]> = [
      ['queued', 'completed'],
      ['queued', 'queued'],
      ['completed', 'failed'],
      ['failed', 'queued'],
      ['cancelled', 'running'],
    ];
    for (const [from, to] of refused) {
      const t = await stored(store, { status: from });
      expect(await g.lifecycle.transition(t, to), `${from} → ${to}`).toBeUndefined();
      expect((await store.tasks.get(t.id))?.status).toBe(from);
    }
    expect(g.events).toEqual([]);
    expect(g.terminal).toEqual([]);
  });

  it('writes the move with its patch and publishes the event of the new state', async () => {
    const store = createMemoryStore();
    const g = gateway(store);
    const t = await stored(store);
    const next = await g.lifecycle.transition(t, 'running', { stage: 'submitted', accountId: 'gpu-1', attempts: 1 });
    expect(next).toMatchObject({ status: 'running', stage: 'submitted', accountId: 'gpu-1', attempts: 1 });
    expect(await store.tasks.get(t.id)).toMatchObject({ status: 'running', accountId: 'gpu-1', attempts: 1 });
    expect(g.events).toEqual([
      { event: 'progress', data: { task_id: t.id, status: 'running', progress: 0, stage: 'submitted' } },
    ]);
  });

  it('a writer that read an older state loses to a concurrent one (two gateways): only the winner publishes and runs hooks', async () => {
    const store = createMemoryStore();
    const a = gateway(store);
    const b = gateway(store);
    const t = await stored(store);
    const [claimed, cancelled] = await Promise.all([
      a.lifecycle.transition(t, 'running', { stage: 'submitted' }),
      b.lifecycle.transition(t, 'cancelled', { stage: 'done' }),
    ]);
    expect(claimed?.status).toBe('running');
    expect(cancelled).toBeUndefined();
    expect(a.events.map((e) => e.event)).toEqual(['progress']);
    expect(b.events).toEqual([]);
    expect(b.terminal).toEqual([]);
    expect((await store.tasks.get(t.id))?.status).toBe('running');
  });

  it('runs the terminal hooks once, in order, after the winning terminal move only', async () => {
    const store = createMemoryStore();
    const g = gateway(store);
    const order: string[] = [];
    g.lifecycle.onTerminal(async () => void order.push('second'));
    const t = await stored(store, { status: 'running' });
    const done = await g.lifecycle.transition(t, 'completed', { stage: 'done', progress: 100 });
    await g.lifecycle.transition(t, 'failed');
    await g.lifecycle.transition(done!, 'cancelled');
    expect(g.terminal).toEqual([`${t.id} completed`]);
    expect(order).toEqual(['second']);
    // running → queued (a retry) is no end
    const retried = await stored(store, { status: 'running' });
    await g.lifecycle.transition(retried, 'queued', { stage: 'queued' });
    expect(g.terminal).toHaveLength(1);
  });
});

describe('TaskLifecycle.reportProgress', () => {
  it('publishes every report, writes at most every progressWriteMs, and always writes the last one of a burst', async () => {
    vi.useFakeTimers();
    const store = createMemoryStore();
    const g = gateway(store, { progressWriteMs: 250 });
    const t = await stored(store, { status: 'running' });
    const progressIn = async (): Promise<number | undefined> => (await store.tasks.get(t.id))?.progress;

    g.lifecycle.reportProgress(t, 10, 'sampling');
    await vi.advanceTimersByTimeAsync(0);
    expect(await progressIn()).toBe(10); // the first report of a burst is written at once
    g.lifecycle.reportProgress(t, 20, 'sampling');
    await vi.advanceTimersByTimeAsync(100);
    g.lifecycle.reportProgress(t, 30, 'decoding');
    await vi.advanceTimersByTimeAsync(100);
    expect(await progressIn()).toBe(10); // throttled
    await vi.advanceTimersByTimeAsync(50);
    expect(await store.tasks.get(t.id)).toMatchObject({ progress: 30, stage: 'decoding' }); // the trailing write
    expect(g.events.map((e) => (e.event === 'progress' ? e.data.progress : e.event))).toEqual([10, 20, 30]);
  });

  it('never writes progress over a task that ended meanwhile', async () => {
    vi.useFakeTimers();
    const store = createMemoryStore();
    const g = gateway(store, { progressWriteMs: 250 });
    const t = await stored(store, { status: 'running' });
    g.lifecycle.reportProgress(t, 10, 'sampling');
    g.lifecycle.reportProgress(t, 50, 'sampling'); // pending trailing write
    await g.lifecycle.transition(t, 'failed', { stage: 'done', progress: 10 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await store.tasks.get(t.id)).toMatchObject({ status: 'failed', progress: 10, stage: 'done' });
    // and a late report of a task that is no longer running is not written either
    g.lifecycle.reportProgress(t, 80, 'decoding');
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await store.tasks.get(t.id))?.progress).toBe(10);
  });

  it('flushProgress writes the latest report now', async () => {
    vi.useFakeTimers();
    const store = createMemoryStore();
    const g = gateway(store, { progressWriteMs: 10_000 });
    const t = await stored(store, { status: 'running' });
    g.lifecycle.reportProgress(t, 5, 'sampling');
    g.lifecycle.reportProgress(t, 70, 'decoding');
    await g.lifecycle.flushProgress(t.id);
    expect(await store.tasks.get(t.id)).toMatchObject({ progress: 70, stage: 'decoding' });
  });

  it('close (on shutdown, before the store closes) writes the pending progress and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const store = createMemoryStore();
    const g = gateway(store, { progressWriteMs: 250 });
    const t = await stored(store, { status: 'running' });
    g.lifecycle.reportProgress(t, 10, 'sampling');
    g.lifecycle.reportProgress(t, 55, 'decoding');
    expect(vi.getTimerCount()).toBe(1);
    await g.lifecycle.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(await store.tasks.get(t.id)).toMatchObject({ progress: 55, stage: 'decoding', status: 'running' });
  });
});
