// Following one submitted prompt to its end, as a pure reducer: (state, event) → (state, effects).
// Events are what the protocol and the clock deliver — /ws messages filtered by prompt_id, preview
// frames, socket up/down, /history and /queue answers, poll and cancel timers, the caller's abort.
// Effects are what to do next (an HTTP call, a timer, a progress report, settling). /history polling
// is the safety net: sockets drop and events are not replayed (reference/comfyui.md §3.3, §7.3).
// prompt-follower.ts executes the effects; this file does no I/O and reads no clock.
import { EngineError } from '#ports/engine.ts';
import { historyMessage, type ComfyMessage, type HistoryEntry, type PreviewFrame } from './comfyui-messages.ts';

export interface TrackerConfig {
  promptId: string;
  backendName: string;
  pollIntervalMs: number;
  lostGraceMs: number;
  cancelWaitMs: number;
}

export interface TrackerState {
  settled: boolean;
  /** execution_start seen: unlabelled (type-1) previews are ours from then on */
  started: boolean;
  cancelling: boolean;
  /** 0 = running; n ≥ 1 = success announced, n polls since (history lands right after success) */
  finishing: number;
  /** a /history + /queue check is in flight; `recheck` asks for another one after it */
  checking: boolean;
  recheck: boolean;
  /** schedule the next poll when the running check ends */
  pollAfterCheck: boolean;
  connected: boolean;
  lastEventAt: number;
  /** first of a run of failed HTTP calls */
  failingSince: number | undefined;
  /** the run as the socket told it, from execution_start on; `whole` is lost with the socket or a cached replay */
  seen: SeenRun | undefined;
}

/** What the socket said of one run: enough for the history entry when nothing was missed. */
export interface SeenRun {
  whole: boolean;
  messages: Array<[string, Record<string, unknown>]>;
  outputs: Record<string, Record<string, unknown>>;
}

export type QueueView = { running: string[]; pending: string[] };
export type HttpFailure = { kind: 'http' | 'unreachable'; message: string };

export type TrackerEvent =
  | { type: 'start'; now: number }
  | { type: 'message'; message: ComfyMessage; now: number }
  | { type: 'preview'; frame: PreviewFrame }
  | { type: 'connection'; up: boolean; now: number }
  | { type: 'poll-due'; now: number }
  | { type: 'history'; purpose: 'check' | 'recheck'; entry: HistoryEntry | undefined; now: number }
  | { type: 'queue'; purpose: 'check' | 'cancel' | 'cancel-after-delete'; queue: QueueView; now: number }
  | { type: 'check-failed'; failure: HttpFailure; now: number }
  | { type: 'abort' }
  | { type: 'deleted' }
  | { type: 'interrupted' }
  | { type: 'cancel-failed'; failure: HttpFailure }
  | { type: 'cancel-wait-over' };

export type ProgressSignal =
  | { kind: 'started' }
  | { kind: 'executing'; node: string }
  | { kind: 'progress'; node: string | undefined; value: number; max: number }
  | { kind: 'finished' };

export type TrackerEffect =
  | { type: 'progress'; signal: ProgressSignal }
  | { type: 'preview'; image: Buffer; mime: 'image/jpeg' | 'image/png' }
  | { type: 'get-history'; purpose: 'check' | 'recheck' }
  | { type: 'get-queue'; purpose: 'check' | 'cancel' | 'cancel-after-delete' }
  | { type: 'delete-from-queue' }
  | { type: 'interrupt' }
  | { type: 'schedule-poll'; ms: number }
  | { type: 'start-cancel-wait'; ms: number }
  | { type: 'log'; level: 'debug' | 'warn'; message: string; data: Record<string, unknown> }
  /** `fromSocket`: the entry was put together from the socket's messages; /history was not read */
  | { type: 'resolve'; entry: HistoryEntry; fromSocket: boolean }
  | { type: 'reject'; error: EngineError };

export interface Step {
  state: TrackerState;
  effects: TrackerEffect[];
}

const OOM = /out of memory|OutOfMemory|allocation on device/i;

export function executionError(backendName: string, data: Record<string, unknown> | undefined): EngineError {
  const message = String(data?.exception_message ?? 'the prompt failed').trim();
  const nodeType = typeof data?.node_type === 'string' ? data.node_type : undefined;
  const nodeId = data?.node_id !== undefined && data.node_id !== null ? String(data.node_id) : undefined;
  const where = nodeType ? `${nodeType}${nodeId ? ` (node ${nodeId})` : ''} failed: ` : '';
  // an OOM may pass on another (bigger or idle) GPU; other node errors would fail there too
  const oom = OOM.test(message) || OOM.test(String(data?.exception_type ?? ''));
  return new EngineError('backend_error', `Backend ${backendName}: ${where}${message}`.slice(0, 600), oom);
}

/** What a finished history entry means: the entry on success, else the error to throw. */
export function entryOutcome(
  entry: HistoryEntry,
  backendName: string,
): { entry: HistoryEntry } | { error: EngineError } {
  const status = entry.status;
  if (!status || status.status_str === 'success' || (status.status_str === undefined && status.completed === true))
    return { entry };
  if (historyMessage(entry, 'execution_interrupted'))
    return { error: new EngineError('cancelled', `The prompt was interrupted on backend ${backendName}`, false) };
  return { error: executionError(backendName, historyMessage(entry, 'execution_error')) };
}

export function initialTrackerState(connected: boolean, now: number): TrackerState {
  return {
    settled: false,
    started: false,
    cancelling: false,
    finishing: 0,
    checking: false,
    recheck: false,
    pollAfterCheck: false,
    connected,
    lastEventAt: now,
    failingSince: undefined,
    seen: undefined,
  };
}

const cancelled = (how: string): EngineError => new EngineError('cancelled', `Cancelled: ${how}`, false);

function reject(state: TrackerState, error: EngineError): Step {
  return { state: { ...state, settled: true }, effects: [{ type: 'reject', error }] };
}

function settleFrom(state: TrackerState, c: TrackerConfig, entry: HistoryEntry, fromSocket = false): Step {
  // a cancel that raced the end still ends as cancelled: the caller asked for it
  if (state.cancelling) return reject(state, cancelled(`the prompt was stopped on backend ${c.backendName}`));
  const outcome = entryOutcome(entry, c.backendName);
  if ('error' in outcome) return reject(state, outcome.error);
  return {
    state: { ...state, settled: true },
    effects: [
      { type: 'progress', signal: { kind: 'finished' } },
      { type: 'resolve', entry: outcome.entry, fromSocket },
    ],
  };
}

/**
 * The history entry the socket already delivered: ComfyUI sends `executed` (each output node's UI, the same data
 * /history keeps) and timestamped start/success messages to the submitting client. Only a run seen whole from its
 * start, with at least one output, stands in for /history; anything else (a dropped socket, a cached output replayed
 * without data) is read from /history as before.
 */
function socketEntry(seen: SeenRun | undefined, success: Record<string, unknown>): HistoryEntry | undefined {
  if (!seen?.whole || Object.keys(seen.outputs).length === 0) return undefined;
  return {
    outputs: seen.outputs,
    status: { status_str: 'success', completed: true, messages: [...seen.messages, ['execution_success', success]] },
  };
}

function noted(seen: SeenRun | undefined, type: string, data: Record<string, unknown>): SeenRun | undefined {
  return seen && { ...seen, messages: [...seen.messages, [type, data]] };
}

function withOutput(seen: SeenRun | undefined, node: string, output: unknown): SeenRun | undefined {
  if (!seen) return seen;
  if (output === null || typeof output !== 'object' || Array.isArray(output)) return { ...seen, whole: false };
  return { ...seen, outputs: { ...seen.outputs, [node]: output as Record<string, unknown> } };
}

function pollDelay(state: TrackerState, c: TrackerConfig): number {
  // quicker while finishing (history lands right after success) or while the backend is failing
  if (state.finishing > 0) return 100;
  return state.failingSince !== undefined ? Math.min(c.pollIntervalMs, 500) : c.pollIntervalMs;
}

/** Starts a check, or asks for another after the one in flight. */
function requestCheck(state: TrackerState): Step {
  if (state.settled) return { state, effects: [] };
  if (state.checking) return { state: { ...state, recheck: true }, effects: [] };
  return { state: { ...state, checking: true }, effects: [{ type: 'get-history', purpose: 'check' }] };
}

/** The running check ended without settling: schedule the poll it owes, and run the check asked meanwhile. */
function endCheck(state: TrackerState, c: TrackerConfig): Step {
  const effects: TrackerEffect[] = [];
  let next: TrackerState = { ...state, checking: false };
  if (next.pollAfterCheck) {
    next = { ...next, pollAfterCheck: false };
    effects.push({ type: 'schedule-poll', ms: pollDelay(next, c) });
  }
  if (next.recheck) {
    const again = requestCheck({ ...next, recheck: false });
    return { state: again.state, effects: [...effects, ...again.effects] };
  }
  return { state: next, effects };
}

const concat = (a: Step, effects: TrackerEffect[]): Step => ({ state: a.state, effects: [...effects, ...a.effects] });

function onMessage(state: TrackerState, c: TrackerConfig, m: ComfyMessage, now: number): Step {
  if (m.type === 'status' || m.data.prompt_id !== c.promptId) return { state, effects: [] };
  const s: TrackerState = { ...state, lastEventAt: now };
  const progress = (signal: ProgressSignal): Step => ({ state: s, effects: [{ type: 'progress', signal }] });
  switch (m.type) {
    case 'execution_start':
      return {
        state: { ...s, started: true, seen: { whole: true, messages: [['execution_start', m.data]], outputs: {} } },
        effects: [{ type: 'progress', signal: { kind: 'started' } }],
      };
    case 'execution_cached':
      return { state: { ...s, seen: noted(s.seen, 'execution_cached', m.data) }, effects: [] };
    case 'executed':
      return { state: { ...s, seen: withOutput(s.seen, m.data.node, m.data.output) }, effects: [] };
    case 'executing':
      if (m.data.node === null) return requestCheck({ ...s, finishing: Math.max(s.finishing, 1) });
      return progress({ kind: 'executing', node: m.data.node });
    case 'progress':
      return progress({ kind: 'progress', node: m.data.node ?? undefined, value: m.data.value, max: m.data.max });
    case 'execution_success': {
      const entry = socketEntry(s.seen, m.data);
      if (entry) return settleFrom(s, c, entry, true);
      return requestCheck({ ...s, finishing: Math.max(s.finishing, 1) });
    }
    case 'execution_error':
      // a blocker message: ComfyUI reports it and carries on (§3.2)
      if (m.data.exception_type === 'ExecutionBlocked') return { state: s, effects: [] };
      if (s.cancelling) return reject(s, cancelled(`the prompt was stopped on backend ${c.backendName}`));
      return reject(s, executionError(c.backendName, m.data));
    case 'execution_interrupted':
      return reject(s, cancelled(`the prompt was interrupted on backend ${c.backendName}`));
    default:
      return { state: s, effects: [] };
  }
}

function onCheckFailed(state: TrackerState, c: TrackerConfig, failure: HttpFailure, now: number): Step {
  const failingSince = state.failingSince ?? now;
  const failingFor = now - failingSince;
  const s: TrackerState = { ...state, failingSince };
  const log: TrackerEffect = {
    type: 'log',
    level: 'debug',
    message: 'ComfyUI poll failed',
    data: { backend: c.backendName, promptId: c.promptId, failingFor, err: failure.message },
  };
  // an HTTP error status means something still answers; only silence counts as loss, unless it lasts
  const silent = failure.kind === 'unreachable';
  if ((silent && !s.connected && failingFor >= c.lostGraceMs) || failingFor >= Math.max(5 * c.lostGraceMs, 30_000)) {
    const lost = new EngineError('backend_lost', `Backend ${c.backendName} stopped answering during the job`, true);
    return concat(reject(s, lost), [log]);
  }
  return concat(endCheck(s, c), [log]);
}

function onCancelQueue(
  state: TrackerState,
  c: TrackerConfig,
  purpose: 'cancel' | 'cancel-after-delete',
  q: QueueView,
): Step {
  const id = c.promptId;
  if (purpose === 'cancel' && q.pending.includes(id)) return { state, effects: [{ type: 'delete-from-queue' }] };
  // after a delete it may have started in between
  if (purpose === 'cancel-after-delete' && !q.running.includes(id))
    return reject(state, cancelled(`removed from the queue of backend ${c.backendName}`));
  if (q.running.includes(id)) return { state, effects: [{ type: 'interrupt' }] };
  return reject(state, cancelled(`the prompt was no longer queued on backend ${c.backendName}`));
}

export function trackPrompt(state: TrackerState, event: TrackerEvent, c: TrackerConfig): Step {
  if (state.settled) return { state, effects: [] };
  const id = c.promptId;
  switch (event.type) {
    case 'start': {
      const first = requestCheck(state);
      return {
        state: first.state,
        effects: [...first.effects, { type: 'schedule-poll', ms: pollDelay(first.state, c) }],
      };
    }
    case 'message':
      return onMessage(state, c, event.message, event.now);
    case 'preview': {
      // type-1 frames carry no prompt id: while our prompt runs they are ours (one prompt at a time per process)
      const ours = event.frame.promptId ? event.frame.promptId === id : state.started;
      return ours
        ? { state, effects: [{ type: 'preview', image: event.frame.image, mime: event.frame.mime }] }
        : { state, effects: [] };
    }
    case 'connection': {
      // messages sent while the socket was away are lost for good: the run is no longer seen whole
      const s = { ...state, connected: event.up, seen: state.seen && { ...state.seen, whole: false } };
      return event.up ? { state: s, effects: [] } : requestCheck(s);
    }
    case 'poll-due': {
      const s = { ...state, finishing: state.finishing > 0 ? state.finishing + 1 : 0 };
      if (s.checking)
        return { state: { ...s, recheck: true }, effects: [{ type: 'schedule-poll', ms: pollDelay(s, c) }] };
      const started = requestCheck(s);
      return { state: { ...started.state, pollAfterCheck: true }, effects: started.effects };
    }
    case 'history': {
      const s = { ...state, failingSince: undefined };
      if (event.entry) return settleFrom(s, c, event.entry);
      if (event.purpose === 'check') {
        // the socket is live and talking about our prompt: nothing to verify
        if (s.connected && event.now - s.lastEventAt < 2 * c.pollIntervalMs && s.finishing === 0) return endCheck(s, c);
        return { state: s, effects: [{ type: 'get-queue', purpose: 'check' }] };
      }
      if (s.finishing > 0 && s.finishing < 20) return endCheck(s, c); // success was announced; history follows
      return reject(
        s,
        new EngineError(
          'backend_lost',
          `Backend ${c.backendName} no longer knows prompt ${id} (it restarted or its queue/history was cleared)`,
          true,
        ),
      );
    }
    case 'queue': {
      if (event.purpose !== 'check') return onCancelQueue(state, c, event.purpose, event.queue);
      const s = { ...state, failingSince: undefined };
      if (event.queue.running.includes(id) || event.queue.pending.includes(id)) return endCheck(s, c);
      return { state: s, effects: [{ type: 'get-history', purpose: 'recheck' }] }; // it may have finished meanwhile
    }
    case 'check-failed':
      return onCheckFailed(state, c, event.failure, event.now);
    case 'abort':
      if (state.cancelling) return { state, effects: [] };
      return { state: { ...state, cancelling: true }, effects: [{ type: 'get-queue', purpose: 'cancel' }] };
    case 'deleted':
      return { state, effects: [{ type: 'get-queue', purpose: 'cancel-after-delete' }] };
    case 'interrupted': {
      // the interrupt lands at the next step; model loads finish first (§5.3)
      const check = requestCheck(state);
      return { state: check.state, effects: [{ type: 'start-cancel-wait', ms: c.cancelWaitMs }, ...check.effects] };
    }
    case 'cancel-wait-over':
      return reject(state, cancelled(`interrupt sent to backend ${c.backendName}`));
    case 'cancel-failed':
      return concat(reject(state, cancelled(`backend ${c.backendName} could not be reached to stop the prompt`)), [
        {
          type: 'log',
          level: 'warn',
          message: 'cancel could not reach the backend',
          data: { backend: c.backendName, promptId: id, err: event.failure.message },
        },
      ]);
  }
}
