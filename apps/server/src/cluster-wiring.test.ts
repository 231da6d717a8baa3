// The catch-up read after a gateway's listener was away: the endings since then, as the events streams wait for.
import { describe, expect, it } from 'vitest';
import { taskRecord } from '#test/factories.ts';
import { createMemoryStore } from '#test/fakes/memory-store.ts';
import { endingsSince } from './cluster-wiring.ts';

describe('endingsSince', () => {
  it('reads the tasks that ended since the time as their final events, and nothing still open', async () => {
    const store = createMemoryStore();
    const put = async (id: string, ownerId: string, end?: { status: 'failed' | 'cancelled'; at: number }) => {
      await store.tasks.insert({ task: taskRecord({ id, ownerId }) });
      if (end) await store.tasks.update(id, { status: end.status, finishedAt: end.at, error: 'boom' });
    };
    await put('old', 'u1', { status: 'cancelled', at: 1_000 });
    await put('open', 'u1');
    await put('ended', 'u2', { status: 'cancelled', at: 5_000 });
    await put('broke', 'u1', { status: 'failed', at: 6_000 });
    expect(await endingsSince(store, 2_000)).toEqual([
      { ownerId: 'u2', event: { event: 'cancelled', data: { task_id: 'ended' } } },
      {
        ownerId: 'u1',
        event: { event: 'failed', data: { task_id: 'broke', error: 'boom', code: 'internal_error', retriable: false } },
      },
    ]);
  });
});
