import type { TaskStatus } from '@mediagen/contract';

/** SPEC §4: queued → running → completed | failed | cancelled; queued may end directly; running may be re-queued for a retry. */
const NEXT: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['completed', 'failed', 'cancelled', 'queued'],
  completed: [],
  failed: [],
  cancelled: [],
};

export function canMoveTask(from: TaskStatus, to: TaskStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(status: TaskStatus): boolean {
  return NEXT[status].length === 0;
}

/** Progress only rises while a task runs; a retry may start over. */
export function nextProgress(current: number, reported: number): number {
  const clamped = Math.max(0, Math.min(100, reported));
  return Math.max(current, Math.round(clamped * 10) / 10);
}
