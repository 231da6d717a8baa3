import { ROUTES, zUserStreamEvent, type UserStreamEvent } from '@mediagen/contract';
import { apiUrl } from './config.ts';

/** `/api/preview/{id}?seq=N`: the seq busts the browser cache for each new frame. */
export function previewSrc(previewUrl: string, seq: number): string {
  return `${apiUrl(previewUrl)}${previewUrl.includes('?') ? '&' : '?'}seq=${seq}`;
}

const NAMES: readonly UserStreamEvent['event'][] = ['ready', 'task', 'progress', 'preview', 'queue'];

export interface UserEventsOptions {
  /** how often the list is re-read when the stream cannot be used */
  pollMs?: number;
}

/**
 * The user's one event stream (every task of theirs, from any tab or the API). `onResync` is called when the
 * stream opens (and reopens after a drop) and, without EventSource or while it is down, every `pollMs`: the
 * caller re-reads GET /api/tasks then. Returns the unsubscribe.
 */
export function subscribeUserEvents(
  onEvent: (e: UserStreamEvent) => void,
  onResync: () => void,
  opts: UserEventsOptions = {},
): () => void {
  const pollMs = opts.pollMs ?? 2000;
  let timer: ReturnType<typeof setInterval> | undefined;
  const startPolling = (): void => {
    if (timer) return;
    onResync();
    timer = setInterval(onResync, pollMs);
  };
  const stopPolling = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  if (typeof EventSource !== 'function') {
    startPolling();
    return stopPolling;
  }
  const source = new EventSource(apiUrl(ROUTES.tasksEvents.path), { withCredentials: true });
  for (const name of NAMES) {
    source.addEventListener(name, (ev: MessageEvent) => {
      let data: unknown;
      try {
        data = typeof ev.data === 'string' ? JSON.parse(ev.data) : undefined;
      } catch {
        return;
      }
      const parsed = zUserStreamEvent.safeParse({ event: name, data });
      if (!parsed.success) return;
      if (parsed.data.event === 'ready') {
        stopPolling();
        onResync();
      }
      onEvent(parsed.data);
    });
  }
  // EventSource reconnects by itself; poll meanwhile so nothing is missed
  source.onerror = () => startPolling();
  return () => {
    source.close();
    stopPolling();
  };
}
