// The thin driver of prompt-tracker.ts: feeds it socket events, HTTP answers and timer ticks, and
// carries out the effects it returns (HTTP calls, timers, reports). All decisions live in the reducer.
import { ComfyHttpError, type ComfyUiClient, type EngineLogger } from './comfyui-client.ts';
import type { ComfyMessage, HistoryEntry } from './comfyui-messages.ts';
import type { ProgressPoint, PromptProgress } from './prompt-progress.ts';
import {
  initialTrackerState,
  trackPrompt,
  type HttpFailure,
  type ProgressSignal,
  type TrackerConfig,
  type TrackerEffect,
  type TrackerEvent,
} from './prompt-tracker.ts';

export interface FollowOptions {
  client: ComfyUiClient;
  backendName: string;
  promptId: string;
  progress: PromptProgress;
  report(point: ProgressPoint | undefined): void;
  onPreview(image: Buffer, mime: 'image/jpeg' | 'image/png'): void;
  signal: AbortSignal;
  /** /history poll while waiting */
  pollIntervalMs: number;
  /** socket down and HTTP failing this long → backend_lost */
  lostGraceMs: number;
  /** after an interrupt, how long to wait for the prompt to stop before reporting it cancelled anyway */
  cancelWaitMs?: number;
  logger?: EngineLogger;
  /** the clock (tests) */
  now?: () => number;
  /** this prompt's messages that arrived before following began (while POST /prompt was answered) */
  earlier?: readonly ComfyMessage[];
}

/** The finished prompt's history entry; `fromSocket` when it was put together from the socket's messages. */
export interface FollowedPrompt {
  entry: HistoryEntry;
  fromSocket: boolean;
}

/**
 * Keeps the messages of a prompt about to be submitted: ComfyUI can start it, and say so on the socket, before the
 * answer to POST /prompt arrives. `stop()` ends the recording and returns them, for `earlier`.
 */
export function recordMessages(client: ComfyUiClient, promptId: string): { stop(): ComfyMessage[] } {
  const kept: ComfyMessage[] = [];
  const off = client.onMessage((m) => {
    if (m.type !== 'status' && m.data.prompt_id === promptId) kept.push(m);
  });
  return {
    stop: () => {
      off();
      return kept;
    },
  };
}

const failure = (err: unknown): HttpFailure => ({
  kind: err instanceof ComfyHttpError ? 'http' : 'unreachable',
  message: err instanceof Error ? err.message : String(err),
});

function progressPoint(p: PromptProgress, s: ProgressSignal): ProgressPoint | undefined {
  switch (s.kind) {
    case 'started':
      return p.started();
    case 'executing':
      return p.executing(s.node);
    case 'progress':
      return p.progress(s.node, s.value, s.max);
    case 'finished':
      return p.finished();
  }
}

export function followPrompt(o: FollowOptions): Promise<FollowedPrompt> {
  const { client } = o;
  const now = o.now ?? Date.now;
  const config: TrackerConfig = {
    promptId: o.promptId,
    backendName: o.backendName,
    pollIntervalMs: o.pollIntervalMs,
    lostGraceMs: o.lostGraceMs,
    cancelWaitMs: o.cancelWaitMs ?? 15_000,
  };
  return new Promise<FollowedPrompt>((resolve, reject) => {
    let state = initialTrackerState(client.connected, now());
    let pollTimer: NodeJS.Timeout | undefined;
    let cancelTimer: NodeJS.Timeout | undefined;
    let done = false;

    const cleanup = (): void => {
      done = true;
      clearTimeout(pollTimer);
      clearTimeout(cancelTimer);
      offMessage();
      offPreview();
      offConnection();
      o.signal.removeEventListener('abort', onAbort);
    };

    const dispatch = (event: TrackerEvent): void => {
      if (done) return;
      const step = trackPrompt(state, event, config);
      state = step.state;
      for (const effect of step.effects) run(effect);
    };

    /** An HTTP call whose answer (or failure) goes back into the reducer. */
    const call = <T>(
      request: () => Promise<T>,
      ok: (value: T) => TrackerEvent,
      failed: (f: HttpFailure) => TrackerEvent,
    ): void => {
      request().then(
        (value) => dispatch(ok(value)),
        (err: unknown) => dispatch(failed(failure(err))),
      );
    };

    const run = (effect: TrackerEffect): void => {
      switch (effect.type) {
        case 'progress':
          return o.report(progressPoint(o.progress, effect.signal));
        case 'preview':
          return o.onPreview(effect.image, effect.mime);
        case 'get-history':
          return call(
            () => client.getHistory(o.promptId),
            (entry) => ({ type: 'history', purpose: effect.purpose, entry, now: now() }),
            (f) => ({ type: 'check-failed', failure: f, now: now() }),
          );
        case 'get-queue':
          return call(
            () => client.getQueue(),
            (queue) => ({ type: 'queue', purpose: effect.purpose, queue, now: now() }),
            (f) =>
              effect.purpose === 'check'
                ? { type: 'check-failed', failure: f, now: now() }
                : { type: 'cancel-failed', failure: f },
          );
        case 'delete-from-queue':
          return call(
            () => client.deleteFromQueue(o.promptId),
            () => ({ type: 'deleted' }),
            (f) => ({ type: 'cancel-failed', failure: f }),
          );
        case 'interrupt':
          return call(
            () => client.interrupt(o.promptId),
            () => ({ type: 'interrupted' }),
            (f) => ({ type: 'cancel-failed', failure: f }),
          );
        case 'schedule-poll':
          clearTimeout(pollTimer);
          pollTimer = setTimeout(() => dispatch({ type: 'poll-due', now: now() }), effect.ms);
          return;
        case 'start-cancel-wait':
          cancelTimer = setTimeout(() => dispatch({ type: 'cancel-wait-over' }), effect.ms);
          return;
        case 'log':
          o.logger?.[effect.level](effect.data, effect.message);
          return;
        case 'resolve':
          cleanup();
          return resolve({ entry: effect.entry, fromSocket: effect.fromSocket });
        case 'reject':
          cleanup();
          return reject(effect.error);
      }
    };

    const offMessage = client.onMessage((message) => dispatch({ type: 'message', message, now: now() }));
    const offPreview = client.onPreview((frame) => dispatch({ type: 'preview', frame }));
    const offConnection = client.onConnection((up) => dispatch({ type: 'connection', up, now: now() }));
    const onAbort = (): void => dispatch({ type: 'abort' });
    o.signal.addEventListener('abort', onAbort);
    // what came before following began, first: a run that already ended settles without any HTTP call
    for (const message of o.earlier ?? []) dispatch({ type: 'message', message, now: now() });
    dispatch({ type: 'start', now: now() });
    if (o.signal.aborted) onAbort();
  });
}
