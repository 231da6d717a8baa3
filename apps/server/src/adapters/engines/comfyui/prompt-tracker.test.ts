// The prompt-following reducer, event by event, without sockets, HTTP or timers.
import { describe, expect, it } from 'vitest';
import type { ComfyMessage, HistoryEntry } from './comfyui-messages.ts';
import {
  initialTrackerState,
  trackPrompt,
  type TrackerConfig,
  type TrackerEffect,
  type TrackerEvent,
  type TrackerState,
} from './prompt-tracker.ts';

const C: TrackerConfig = {
  promptId: 'p1',
  backendName: 'gpu1',
  pollIntervalMs: 2000,
  lostGraceMs: 3000,
  cancelWaitMs: 15_000,
};

/** Feeds events in order; returns the final state and every effect, in order. */
function run(
  events: TrackerEvent[],
  state: TrackerState = initialTrackerState(true, 0),
): { state: TrackerState; effects: TrackerEffect[] } {
  const effects: TrackerEffect[] = [];
  for (const e of events) {
    const step = trackPrompt(state, e, C);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}

const msg = (type: string, data: Record<string, unknown>): TrackerEvent => ({
  type: 'message',
  message: { type, data: { prompt_id: 'p1', ...data } } as ComfyMessage,
  now: 100,
});
const entry = (status: HistoryEntry['status']): HistoryEntry => ({ outputs: {}, ...(status ? { status } : {}) });
const types = (effects: TrackerEffect[]): string[] => effects.map((e) => e.type);
const rejected = (effects: TrackerEffect[]) => {
  const r = effects.find((e) => e.type === 'reject');
  return r && r.type === 'reject' ? r.error : undefined;
};

describe('prompt tracker (pure reducer)', () => {
  it('starts with a /history check and a poll timer', () => {
    expect(run([{ type: 'start', now: 0 }]).effects).toEqual([
      { type: 'get-history', purpose: 'check' },
      { type: 'schedule-poll', ms: 2000 },
    ]);
  });

  it('reports progress from our events only, and finishes from history after success', () => {
    const { state, effects } = run([
      { type: 'start', now: 0 },
      msg('execution_start', {}),
      { type: 'message', message: { type: 'execution_start', data: { prompt_id: 'other' } } as ComfyMessage, now: 1 },
      msg('executing', { node: '6' }),
      msg('progress', { node: '6', value: 2, max: 8 }),
    ]);
    expect(state.started).toBe(true);
    expect(effects.filter((e) => e.type === 'progress')).toEqual([
      { type: 'progress', signal: { kind: 'started' } },
      { type: 'progress', signal: { kind: 'executing', node: '6' } },
      { type: 'progress', signal: { kind: 'progress', node: '6', value: 2, max: 8 } },
    ]);
    // the first check is still in flight: success asks for another one after it
    const after = run([msg('execution_success', {})], state);
    expect([after.state.finishing, after.state.recheck, after.effects]).toEqual([1, true, []]);
    const none = run([{ type: 'history', purpose: 'check', entry: undefined, now: 200 }], after.state);
    expect(types(none.effects)).toEqual(['get-queue']); // success announced: no shortcut, verify
    const done = run(
      [
        {
          type: 'history',
          purpose: 'check',
          entry: entry({ status_str: 'success', completed: true, messages: [] }),
          now: 300,
        },
      ],
      none.state,
    );
    expect(done.effects).toEqual([
      { type: 'progress', signal: { kind: 'finished' } },
      { type: 'resolve', entry: entry({ status_str: 'success', completed: true, messages: [] }), fromSocket: false },
    ]);
    expect(run([msg('execution_error', {})], done.state).effects).toEqual([]); // settled: nothing more
  });

  it('skips the queue while the socket is live and talking; otherwise verifies, and loses an unknown prompt', () => {
    const live = run([
      { type: 'start', now: 0 },
      { type: 'history', purpose: 'check', entry: undefined, now: 1000 },
    ]);
    expect(types(live.effects)).toEqual(['get-history', 'schedule-poll']);
    expect(live.state.checking).toBe(false);
    const stale = run([
      { type: 'start', now: 0 },
      { type: 'history', purpose: 'check', entry: undefined, now: 9000 },
    ]);
    expect(stale.effects.at(-1)).toEqual({ type: 'get-queue', purpose: 'check' });
    const queued = run(
      [{ type: 'queue', purpose: 'check', queue: { running: [], pending: ['p1'] }, now: 9001 }],
      stale.state,
    );
    expect([queued.state.checking, queued.effects]).toEqual([false, []]);
    const gone = run(
      [
        { type: 'queue', purpose: 'check', queue: { running: [], pending: [] }, now: 9001 },
        { type: 'history', purpose: 'recheck', entry: undefined, now: 9002 },
      ],
      stale.state,
    );
    expect(rejected(gone.effects)).toMatchObject({ code: 'backend_lost', retriable: true });
    expect(rejected(gone.effects)?.message).toMatch(/no longer knows prompt p1/);
  });

  it('waits for history after success (up to 20 polls), polling faster', () => {
    let s = run([
      { type: 'start', now: 0 },
      msg('execution_success', {}),
      { type: 'history', purpose: 'check', entry: undefined, now: 1 },
    ]);
    s = run(
      [
        { type: 'queue', purpose: 'check', queue: { running: [], pending: [] }, now: 2 },
        { type: 'history', purpose: 'recheck', entry: undefined, now: 3 },
      ],
      s.state,
    );
    expect(rejected(s.effects)).toBeUndefined();
    // the check asked for by the success message is still running: the poll reschedules at once, quickly
    const poll = run([{ type: 'poll-due', now: 4 }], s.state);
    expect([poll.state.finishing, poll.state.recheck, poll.effects]).toEqual([
      2,
      true,
      [{ type: 'schedule-poll', ms: 100 }],
    ]);
    const ended = run(
      [
        { type: 'history', purpose: 'check', entry: undefined, now: 5 },
        { type: 'queue', purpose: 'check', queue: { running: ['p1'], pending: [] }, now: 6 },
      ],
      poll.state,
    );
    expect(ended.effects).toEqual([
      { type: 'get-queue', purpose: 'check' },
      { type: 'get-history', purpose: 'check' },
    ]);
  });

  it('execution errors: a node failure is final, an OOM retriable, an ExecutionBlocked message ignored', () => {
    const failed = run([
      msg('execution_error', {
        node_type: 'KSampler',
        node_id: '6',
        exception_message: 'boom',
        exception_type: 'RuntimeError',
      }),
    ]);
    expect(rejected(failed.effects)).toMatchObject({
      code: 'backend_error',
      retriable: false,
      message: 'Backend gpu1: KSampler (node 6) failed: boom',
    });
    const oom = run([
      msg('execution_error', { exception_message: 'CUDA out of memory', exception_type: 'torch.OutOfMemoryError' }),
    ]);
    expect(rejected(oom.effects)?.retriable).toBe(true);
    expect(run([msg('execution_error', { exception_type: 'ExecutionBlocked' })]).effects).toEqual([]);
    expect(rejected(run([msg('execution_interrupted', {})]).effects)).toMatchObject({ code: 'cancelled' });
    const historyError = run([
      { type: 'start', now: 0 },
      {
        type: 'history',
        purpose: 'check',
        now: 1,
        entry: entry({ status_str: 'error', completed: false, messages: [['execution_interrupted', {}]] }),
      },
    ]);
    expect(rejected(historyError.effects)?.message).toMatch(/interrupted on backend gpu1/);
  });

  it('cancel: a pending prompt is deleted (unless it started meanwhile), a running one interrupted and waited for', () => {
    const pending = run([
      { type: 'abort' },
      { type: 'queue', purpose: 'cancel', queue: { running: [], pending: ['p1'] }, now: 1 },
      { type: 'deleted' },
    ]);
    expect(types(pending.effects)).toEqual(['get-queue', 'delete-from-queue', 'get-queue']);
    const removed = run(
      [{ type: 'queue', purpose: 'cancel-after-delete', queue: { running: [], pending: [] }, now: 2 }],
      pending.state,
    );
    expect(rejected(removed.effects)?.message).toBe('Cancelled: removed from the queue of backend gpu1');
    const raced = run(
      [{ type: 'queue', purpose: 'cancel-after-delete', queue: { running: ['p1'], pending: [] }, now: 2 }],
      pending.state,
    );
    expect(raced.effects).toEqual([{ type: 'interrupt' }]);

    const running = run([
      { type: 'abort' },
      { type: 'queue', purpose: 'cancel', queue: { running: ['p1'], pending: [] }, now: 1 },
      { type: 'interrupted' },
    ]);
    expect(types(running.effects)).toEqual(['get-queue', 'interrupt', 'start-cancel-wait', 'get-history']);
    // the prompt ends with success after the cancel: still cancelled, as asked
    const late = run(
      [
        {
          type: 'history',
          purpose: 'check',
          now: 3,
          entry: entry({ status_str: 'success', completed: true, messages: [] }),
        },
      ],
      running.state,
    );
    expect(rejected(late.effects)?.message).toBe('Cancelled: the prompt was stopped on backend gpu1');
    expect(rejected(run([{ type: 'cancel-wait-over' }], running.state).effects)?.message).toBe(
      'Cancelled: interrupt sent to backend gpu1',
    );
    expect(run([{ type: 'abort' }], running.state).effects).toEqual([]); // once
    const unreachable = run([
      { type: 'abort' },
      { type: 'cancel-failed', failure: { kind: 'unreachable', message: 'ECONNREFUSED' } },
    ]);
    expect(types(unreachable.effects)).toEqual(['get-queue', 'log', 'reject']);
  });

  it('backend loss: silence with the socket down past the grace period; error statuses only after a long while', () => {
    const down = { ...initialTrackerState(false, 0), checking: true };
    const fail = (now: number, kind: 'http' | 'unreachable'): TrackerEvent => ({
      type: 'check-failed',
      failure: { kind, message: 'x' },
      now,
    });
    const early = run([fail(1000, 'unreachable'), fail(2000, 'unreachable')], down);
    expect(rejected(early.effects)).toBeUndefined();
    expect(early.state.failingSince).toBe(1000);
    const lost = run([fail(1000, 'unreachable'), fail(4500, 'unreachable')], down);
    expect(rejected(lost.effects)).toMatchObject({
      code: 'backend_lost',
      message: 'Backend gpu1 stopped answering during the job',
    });
    const answering = run([fail(1000, 'http'), fail(20_000, 'http')], down);
    expect(rejected(answering.effects)).toBeUndefined();
    expect(rejected(run([fail(1000, 'http'), fail(31_001, 'http')], down).effects)?.code).toBe('backend_lost');
    // a failing backend is polled faster
    const poll = run([fail(1000, 'http'), { type: 'poll-due', now: 1500 }], { ...down, checking: false });
    expect(poll.effects.filter((e) => e.type === 'get-history')).toHaveLength(1);
    expect(
      run([{ type: 'history', purpose: 'check', entry: undefined, now: 1600 }], poll.state).state.failingSince,
    ).toBeUndefined();
  });

  it('a run seen whole on the socket settles at success with the entry it told, without reading /history', () => {
    const image = { filename: 'mediagen_00001_.png', subfolder: 'mediagen', type: 'output' };
    const { effects } = run([
      { type: 'start', now: 0 },
      { type: 'history', purpose: 'check', entry: undefined, now: 10 },
      msg('execution_start', { timestamp: 1000 }),
      msg('execution_cached', { nodes: ['4'], timestamp: 1000 }),
      msg('executed', { node: '9', output: { images: [image] } }),
      msg('execution_success', { timestamp: 1500 }),
    ]);
    expect(effects.filter((e) => e.type === 'get-history')).toHaveLength(1); // the start check only
    expect(effects.at(-1)).toEqual({
      type: 'resolve',
      fromSocket: true,
      entry: {
        outputs: { '9': { images: [image] } },
        status: {
          status_str: 'success',
          completed: true,
          messages: [
            ['execution_start', { prompt_id: 'p1', timestamp: 1000 }],
            ['execution_cached', { prompt_id: 'p1', nodes: ['4'], timestamp: 1000 }],
            ['execution_success', { prompt_id: 'p1', timestamp: 1500 }],
          ],
        },
      },
    });
  });

  it('reads /history instead when the socket may have missed something: a drop, a replay without data, no start', () => {
    const output = msg('executed', { node: '9', output: { images: [{ filename: 'a.png', type: 'output' }] } });
    const success = msg('execution_success', {});
    const viaHistory = (events: TrackerEvent[]): void => {
      const { effects } = run(events);
      expect(effects.some((e) => e.type === 'resolve')).toBe(false);
      expect(effects.at(-1)).toEqual({ type: 'get-history', purpose: 'check' });
    };
    const start = msg('execution_start', {});
    viaHistory([
      start,
      { type: 'connection', up: false, now: 1 },
      { type: 'connection', up: true, now: 2 },
      output,
      success,
    ]);
    viaHistory([start, output, msg('executed', { node: '9', output: null }), success]);
    viaHistory([output, success]); // following began after the start: earlier messages were not seen
    viaHistory([start, success]); // no output on the socket
    // a cancel that raced the end still ends cancelled
    const cancelled = run([start, output, { type: 'abort' }, success]);
    expect(rejected(cancelled.effects)).toMatchObject({ code: 'cancelled' });
  });

  it('a lost socket triggers a check; previews: unlabelled ones only once our prompt started, labelled ones by id', () => {
    expect(run([{ type: 'connection', up: false, now: 5 }]).effects).toEqual([
      { type: 'get-history', purpose: 'check' },
    ]);
    const image = Buffer.from([0xff, 0xd8]);
    const frame = (promptId?: string): TrackerEvent => ({
      type: 'preview',
      frame: { image, mime: 'image/jpeg', ...(promptId ? { promptId } : {}) },
    });
    expect(run([frame()]).effects).toEqual([]);
    expect(run([msg('execution_start', {}), frame()]).effects.at(-1)).toEqual({
      type: 'preview',
      image,
      mime: 'image/jpeg',
    });
    expect(run([frame('p1'), frame('other')]).effects).toEqual([{ type: 'preview', image, mime: 'image/jpeg' }]);
  });
});
