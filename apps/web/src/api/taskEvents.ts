import {
  API,
  zTaskEvent,
  type GenerationResult,
  type TaskEvent,
  type TaskStage,
  type TaskStatus,
} from '@mediagen/contract';
import { isApiError } from './ApiError.ts';
import { apiUrl } from './config.ts';
import { getStatus, type TaskStatusView } from './endpoints.ts';
import { backoffMs } from './http.ts';

/** What a job view needs to know, whichever transport delivered it. */
export type TaskUpdate =
  | {
      kind: 'progress';
      status: TaskStatus;
      progress: number;
      stage: TaskStage;
      queuePosition: number | undefined;
      etaSeconds: number | undefined;
    }
  | { kind: 'preview'; url: string }
  | { kind: 'completed'; result: GenerationResult }
  | { kind: 'failed'; error: string; code: string }
  | { kind: 'cancelled' };

export interface SubscribeOptions {
  /** status polling period when SSE is unavailable (SPEC §4: 500 ms) */
  pollIntervalMs?: number;
  /** how long the stream may take to open before polling takes over */
  openTimeoutMs?: number;
}

const EVENT_NAMES: readonly TaskEvent['event'][] = ['progress', 'preview', 'completed', 'failed', 'cancelled'];

/** `/api/preview/{id}?seq=N`: the seq busts the browser cache for each new frame. */
export function previewSrc(previewUrl: string, seq: number): string {
  return `${apiUrl(previewUrl)}${previewUrl.includes('?') ? '&' : '?'}seq=${seq}`;
}

/**
 * Follows one task: Server-Sent Events (EventSource, with credentials) first, and status polling
 * every 500 ms when the stream fails or never opens. Returns an unsubscribe function.
 * A terminal update (completed/failed/cancelled) is delivered once, then everything stops.
 */
export function subscribeTask(
  taskId: string,
  onUpdate: (update: TaskUpdate) => void,
  opts: SubscribeOptions = {},
): () => void {
  const pollMs = opts.pollIntervalMs ?? 500;
  const controller = new AbortController();
  let stopped = false;
  let finished = false;
  let polling = false;
  let pollFailures = 0;
  let previewSeq = 0;
  let lastPreviewKey = '';
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let openTimer: ReturnType<typeof setTimeout> | undefined;

  const closeStream = (): void => {
    if (openTimer) clearTimeout(openTimer);
    source?.close();
    source = null;
  };

  const emit = (update: TaskUpdate): void => {
    if (stopped || finished) return;
    if (update.kind === 'completed' || update.kind === 'failed' || update.kind === 'cancelled') {
      finished = true;
      closeStream();
      if (timer) clearTimeout(timer);
    }
    onUpdate(update);
  };

  const applyStatus = (s: TaskStatusView): void => {
    if (s.status === 'completed') {
      // A completed status without its result is transient: keep polling until it arrives.
      if (s.result) emit({ kind: 'completed', result: s.result });
      return;
    }
    if (s.status === 'failed') {
      emit({ kind: 'failed', error: s.error ?? 'Generation failed', code: s.code ?? 'internal_error' });
      return;
    }
    if (s.status === 'cancelled') {
      emit({ kind: 'cancelled' });
      return;
    }
    emit({
      kind: 'progress',
      status: s.status,
      progress: s.progress,
      stage: s.stage,
      queuePosition: s.queue_position,
      etaSeconds: s.eta_seconds,
    });
    if (s.preview_url && s.status === 'running') {
      // Polling has no seq: a new frame is assumed whenever progress moves.
      const key = String(s.progress);
      if (key !== lastPreviewKey) {
        lastPreviewKey = key;
        previewSeq += 1;
        emit({ kind: 'preview', url: previewSrc(s.preview_url, previewSeq) });
      }
    }
  };

  const poll = async (): Promise<void> => {
    if (stopped || finished) return;
    try {
      applyStatus(await getStatus(taskId, controller.signal));
      pollFailures = 0;
    } catch (err) {
      if (stopped) return;
      if (isApiError(err) && [401, 403, 404].includes(err.status)) {
        emit({ kind: 'failed', error: err.message, code: err.code });
        return;
      }
      pollFailures += 1;
    }
    if (stopped || finished) return;
    const delay = pollFailures > 0 ? backoffMs(pollFailures, pollMs, 10_000) : pollMs;
    timer = setTimeout(() => void poll(), delay);
  };

  const startPolling = (): void => {
    if (polling || stopped || finished) return;
    polling = true;
    closeStream();
    void poll();
  };

  const onEvent = (event: TaskEvent): void => {
    switch (event.event) {
      case 'progress': {
        const d = event.data;
        if (d.status === 'completed' || d.status === 'failed' || d.status === 'cancelled') {
          // The terminal event carries the details; fetch them in case it was missed.
          void getStatus(taskId, controller.signal).then(applyStatus, () => startPolling());
          return;
        }
        emit({
          kind: 'progress',
          status: d.status,
          progress: d.progress,
          stage: d.stage,
          queuePosition: d.queue_position,
          etaSeconds: d.eta_seconds,
        });
        return;
      }
      case 'preview':
        emit({ kind: 'preview', url: previewSrc(event.data.preview_url || API.preview(taskId), event.data.seq) });
        return;
      case 'completed':
        emit({ kind: 'completed', result: event.data.result });
        return;
      case 'failed':
        emit({ kind: 'failed', error: event.data.error, code: event.data.code });
        return;
      case 'cancelled':
        emit({ kind: 'cancelled' });
    }
  };

  if (typeof EventSource === 'function') {
    try {
      source = new EventSource(apiUrl(API.events(taskId)), { withCredentials: true });
    } catch {
      source = null;
    }
  }
  if (!source) {
    startPolling();
  } else {
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (ev: MessageEvent) => {
        let data: unknown;
        try {
          data = typeof ev.data === 'string' ? JSON.parse(ev.data) : undefined;
        } catch {
          data = undefined;
        }
        const parsed = zTaskEvent.safeParse({ event: name, data });
        if (parsed.success) onEvent(parsed.data);
        else if (name !== 'progress' && name !== 'preview') startPolling(); // terminal but unreadable: ask /status
      });
    }
    source.onopen = () => {
      if (openTimer) clearTimeout(openTimer);
      // Catch up: the task may have moved (or finished) before the stream opened.
      void getStatus(taskId, controller.signal).then(applyStatus, () => undefined);
    };
    source.onerror = () => {
      if (!finished) startPolling();
    };
    openTimer = setTimeout(startPolling, opts.openTimeoutMs ?? 5000);
  }

  return () => {
    stopped = true;
    closeStream();
    if (timer) clearTimeout(timer);
    controller.abort();
  };
}
