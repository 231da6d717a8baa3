import { useEffect } from 'react';
import type { TaskEntry } from '../features/tasks/useTasks.ts';

const BASE = 'MediaGen';

/** Progress in the tab title: the running job's percentage, else how many wait (seen from other tabs too). */
function tabTitle(tasks: readonly TaskEntry[]): string {
  const running = tasks.filter((t) => t.status === 'running');
  const queued = tasks.filter((t) => t.status === 'queued').length;
  if (running.length > 0) {
    const pct = Math.round(Math.min(...running.map((t) => t.progress)));
    return `${pct}%${queued > 0 ? ` +${queued}` : ''} · ${BASE}`;
  }
  if (queued > 0) return `⏳ ${queued} · ${BASE}`;
  return BASE;
}

export function useTabTitle(tasks: readonly TaskEntry[]): void {
  const title = tabTitle(tasks);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
