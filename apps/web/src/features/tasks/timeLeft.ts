import type { TaskStage } from '@mediagen/contract';

/** Stages after sampling: the bar shows work, not a percentage that sits at 99 %. */
export const FINISHING_STAGES: readonly TaskStage[] = ['decoding', 'saving', 'converting'];

export interface TimeInput {
  status: 'queued' | 'running';
  stage: TaskStage;
  progress: number;
  /** the server's seconds left when it was received, and when that was (ms) */
  etaSeconds: number | undefined;
  etaAt: number;
  startedAt: number | undefined;
  now: number;
}

/**
 * Seconds left of a job, honest about what is known: the server's ETA counted down since it arrived; while
 * sampling, once a tenth is done, the pace so far (elapsed · remaining / done) when it says more.
 * Undefined when nothing sensible can be said (finishing stages, no estimate).
 */
export function secondsLeft(i: TimeInput): number | undefined {
  if (i.status === 'running' && FINISHING_STAGES.includes(i.stage)) return undefined;
  const counted = i.etaSeconds === undefined ? undefined : Math.max(1, i.etaSeconds - (i.now - i.etaAt) / 1000);
  if (i.status === 'running' && i.startedAt !== undefined && i.progress >= 10 && i.progress < 100) {
    const elapsed = (i.now - i.startedAt) / 1000;
    const pace = (elapsed * (100 - i.progress)) / i.progress;
    return Math.max(1, Math.round(pace));
  }
  return counted === undefined ? undefined : Math.round(counted);
}
