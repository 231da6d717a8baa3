import {
  TERMINAL_STATUSES,
  zTaskStage,
  type GenerationResult,
  type TaskEvent,
  type TaskStage,
  type TaskStatus,
} from '@mediagen/contract';

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
  return TERMINAL_STATUSES.includes(status);
}

/** Progress only rises while a task runs; a retry may start over. */
export function nextProgress(current: number, reported: number): number {
  const clamped = Math.max(0, Math.min(100, reported));
  return Math.max(current, Math.round(clamped * 10) / 10);
}

const STAGE_ORDER: readonly TaskStage[] = zTaskStage.options;

/** Stages only move forward while a task runs (a late `submitted` after `uploading` is ignored). */
export function nextStage(current: TaskStage, reported: TaskStage): TaskStage {
  return STAGE_ORDER.indexOf(reported) >= STAGE_ORDER.indexOf(current) ? reported : current;
}

/** The part of a task its events are built from. */
export interface TaskEventSource {
  id: string;
  status: TaskStatus;
  stage: TaskStage;
  progress: number;
  result: GenerationResult | null;
  error: string | null;
  errorCode: string | null;
  retriable: boolean | null;
}

/**
 * The event that describes a task's state: the one published when it changes, and the one an event
 * stream starts with (so a client that connects late sees exactly what a live one saw last).
 */
export function taskEventFor(
  t: TaskEventSource,
  extra: { queuePosition?: number; etaSeconds?: number } = {},
): TaskEvent {
  if (t.status === 'completed' && t.result) return { event: 'completed', data: { task_id: t.id, result: t.result } };
  if (t.status === 'failed') {
    return {
      event: 'failed',
      data: {
        task_id: t.id,
        error: t.error ?? 'failed',
        code: t.errorCode ?? 'internal_error',
        retriable: t.retriable ?? false,
      },
    };
  }
  if (t.status === 'cancelled') return { event: 'cancelled', data: { task_id: t.id } };
  return {
    event: 'progress',
    data: {
      task_id: t.id,
      status: t.status,
      progress: t.status === 'completed' ? 100 : t.progress,
      stage: t.stage,
      ...(extra.queuePosition !== undefined ? { queue_position: extra.queuePosition } : {}),
      ...(extra.etaSeconds !== undefined ? { eta_seconds: extra.etaSeconds } : {}),
    },
  };
}

export function isTerminalEvent(e: TaskEvent): boolean {
  return e.event === 'completed' || e.event === 'failed' || e.event === 'cancelled';
}
