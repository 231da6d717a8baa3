import type { TaskEvent } from '@mediagen/contract';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskEventEnvelope } from '#ports/task-event-bus.ts';
import { MemoryMessageHub } from '#test/fakes/memory-message-channel.ts';
import { createClusterTaskBus, TASK_EVENTS_TOPIC } from './cluster-task-bus.ts';
import { createInProcessTaskBus } from './in-process-task-bus.ts';

const log = pino({ level: 'silent' });

function twoGateways() {
  const hub = new MemoryMessageHub();
  const a = createClusterTaskBus({ local: createInProcessTaskBus(), channel: hub.endpoint(), log });
  const b = createClusterTaskBus({ local: createInProcessTaskBus(), channel: hub.endpoint(), log });
  const seenA: TaskEventEnvelope[] = [];
  const seenB: TaskEventEnvelope[] = [];
  a.subscribeAll((e) => seenA.push(e));
  b.subscribeAll((e) => seenB.push(e));
  return { hub, a, b, seenA, seenB };
}

const progress = (id: string, p: number, stage: 'sampling' | 'decoding' = 'sampling'): TaskEvent => ({
  event: 'progress',
  data: { task_id: id, status: 'running', progress: p, stage },
});

/** let the hub's microtasks and the bus's setImmediate run */
const settle = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

describe('the task bus across gateways', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fans out here at once and reaches the other gateway marked remote, never echoed back', async () => {
    const { a, seenA, seenB } = twoGateways();
    a.publish('owner-1', { event: 'cancelled', data: { task_id: 't1' } });
    expect(seenA).toEqual([{ ownerId: 'owner-1', event: { event: 'cancelled', data: { task_id: 't1' } } }]);
    expect(seenB).toEqual([]);
    await settle();
    expect(seenA).toHaveLength(1);
    expect(seenB).toEqual([
      { ownerId: 'owner-1', event: { event: 'cancelled', data: { task_id: 't1' } }, remote: true },
    ]);
  });

  it('per-task and per-owner subscribers on the other gateway get the event', async () => {
    const hub = new MemoryMessageHub();
    const a = createClusterTaskBus({ local: createInProcessTaskBus(), channel: hub.endpoint(), log });
    const b = createClusterTaskBus({ local: createInProcessTaskBus(), channel: hub.endpoint(), log });
    const onTask: TaskEvent[] = [];
    const onOwner: TaskEvent[] = [];
    b.subscribe('t1', (e) => onTask.push(e));
    b.subscribeOwner('owner-1', (e) => onOwner.push(e));
    b.subscribeOwner('owner-2', () => expect.fail('another owner'));
    a.publish('owner-1', { event: 'cancelled', data: { task_id: 't1' } });
    await settle();
    expect(onTask.map((e) => e.event)).toEqual(['cancelled']);
    expect(onOwner.map((e) => e.event)).toEqual(['cancelled']);
  });

  it('coalesces running progress to the latest per task per 100 ms, in one message', async () => {
    const { hub, a, seenA, seenB } = twoGateways();
    for (let p = 1; p <= 20; p++) a.publish('o', progress('t1', p));
    a.publish('o', progress('t2', 5));
    expect(seenA).toHaveLength(21); // this gateway's own listeners see every report
    await settle();
    expect(seenB).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(seenB.map((e) => [e.event.data.task_id, e.event.event === 'progress' && e.event.data.progress])).toEqual([
      ['t1', 20],
      ['t2', 5],
    ]);
    expect(hub.sent.filter((m) => m.topic === TASK_EVENTS_TOPIC)).toHaveLength(1);
  });

  it('a stage change still sends the last report of the stage before it', async () => {
    const { a, seenB } = twoGateways();
    a.publish('o', progress('t1', 10));
    a.publish('o', progress('t1', 40));
    a.publish('o', progress('t1', 90, 'decoding'));
    await vi.advanceTimersByTimeAsync(100);
    expect(seenB.map((e) => e.event.event === 'progress' && [e.event.data.progress, e.event.data.stage])).toEqual([
      [40, 'sampling'],
      [90, 'decoding'],
    ]);
  });

  it('a state change leaves on the next turn, after the progress waiting before it (order holds)', async () => {
    const { a, seenB } = twoGateways();
    a.publish('o', progress('t1', 97));
    a.publish('o', { event: 'failed', data: { task_id: 't1', error: 'boom', code: 'internal', retriable: false } });
    await settle();
    expect(seenB.map((e) => e.event.event)).toEqual(['progress', 'failed']);
  });

  it('a large completed event goes whole, after what was published before it', async () => {
    const { hub, a, seenB } = twoGateways();
    const big = 'x'.repeat(20_000);
    a.publish('o', { event: 'cancelled', data: { task_id: 't0' } });
    a.publish('o', {
      event: 'failed',
      data: { task_id: 't1', error: big, code: 'internal', retriable: false },
    });
    await settle();
    expect(seenB.map((e) => e.event.event)).toEqual(['cancelled', 'failed']);
    expect(seenB[1]?.event.event === 'failed' && seenB[1].event.data.error).toBe(big);
    // the small one did not wait to share a message with the big one past the batch size
    expect(hub.sent).toHaveLength(2);
  });

  it('ignores a malformed message from the other side', async () => {
    const hub = new MemoryMessageHub();
    const b = createClusterTaskBus({ local: createInProcessTaskBus(), channel: hub.endpoint(), log });
    const seen: TaskEventEnvelope[] = [];
    b.subscribeAll((e) => seen.push(e));
    hub.endpoint().send(TASK_EVENTS_TOPIC, '[{"o":"x","e":{"event":"nope"}}]');
    hub.endpoint().send(TASK_EVENTS_TOPIC, 'not json');
    await settle();
    expect(seen).toEqual([]);
  });

  it('close sends what still waits for the timer', async () => {
    const { a, seenB } = twoGateways();
    a.publish('o', progress('t1', 33));
    await a.close();
    await settle();
    expect(seenB).toHaveLength(1);
  });
});

describe('catching up after the listener was away', () => {
  it("delivers the endings read since before the loss here, marked remote, to the task's waiters and streams", async () => {
    const hub = new MemoryMessageHub();
    const channel = hub.endpoint();
    const asked: number[] = [];
    const bus = createClusterTaskBus({
      local: createInProcessTaskBus(),
      channel,
      log,
      catchUp: async (since) => {
        asked.push(since);
        return [{ ownerId: 'owner-1', event: { event: 'cancelled', data: { task_id: 't1' } } }];
      },
    });
    const forTask: TaskEvent[] = [];
    const forOwner: TaskEvent[] = [];
    const all: TaskEventEnvelope[] = [];
    bus.subscribe('t1', (e) => forTask.push(e));
    bus.subscribeOwner('owner-1', (e) => forOwner.push(e));
    bus.subscribeAll((e) => all.push(e));
    channel.resync(100_000);
    await vi.waitFor(() => expect(forTask).toHaveLength(1));
    // finish times come from other gateways' clocks: read from well before the loss
    expect(asked).toEqual([70_000]);
    expect(forOwner).toEqual(forTask);
    expect(all).toEqual([{ ownerId: 'owner-1', event: forTask[0], remote: true }]);
    expect(hub.sent).toEqual([]); // delivered here only, never sent on to the others
    await bus.close();
    channel.resync(200_000); // closed: no longer listening
    expect(asked).toHaveLength(1);
  });

  it('a failed re-read is logged, not thrown', async () => {
    const hub = new MemoryMessageHub();
    const channel = hub.endpoint();
    const warned: string[] = [];
    const bus = createClusterTaskBus({
      local: createInProcessTaskBus(),
      channel,
      log: { warn: (_o: object, m: string) => warned.push(m) } as unknown as typeof log,
      catchUp: () => Promise.reject(new Error('database away')),
    });
    channel.resync(1);
    await vi.waitFor(() => expect(warned).toHaveLength(1));
    await bus.close();
  });
});
