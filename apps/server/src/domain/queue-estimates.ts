import type { GenerationType, Lane, ModelId } from '@mediagen/contract';
import { lanesFor } from './scheduler.ts';

export interface EstimateJob {
  id: string;
  model: ModelId;
  type: GenerationType;
  createdAt: number;
  /** moved to the front by an admin: higher goes first */
  priority: number;
  /** the job's own run time */
  seconds: number;
}

export interface EstimateBackend {
  id: string;
  lane: Lane;
  models: readonly ModelId[];
  /** ready and in a lane that is not paused: it will take work */
  available: boolean;
  /** seconds until the job it runs now ends (0 when idle) */
  busySeconds: number;
}

export interface QueueEstimate {
  /** 1 = next among the jobs that compete for the same GPUs */
  position: number;
  /** seconds until the job ends (waiting + its own run); undefined when no GPU that can run it takes work */
  etaSeconds: number | undefined;
}

/** The queue in the order jobs are taken (admin priority, then age). */
export function queueOrder<T extends Pick<EstimateJob, 'id' | 'createdAt' | 'priority'>>(jobs: readonly T[]): T[] {
  return [...jobs].sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/**
 * Queue position and ETA of every queued job, counted only among the jobs that compete for the same GPUs:
 * a job's GPUs are the non-disabled backends whose lane may run its type (scheduler.lanesFor) and that serve
 * its model. Two jobs compete when their GPU sets meet (jobs no backend serves compete with their type).
 * The ETA is a list-scheduling simulation in queue order: each job goes to the first of its available GPUs to
 * free up, after what that GPU runs now and the jobs ahead of it.
 */
export function queueEstimates(
  jobs: readonly EstimateJob[],
  backends: readonly EstimateBackend[],
  videoLaneReady: boolean,
): Map<string, QueueEstimate> {
  const ordered = queueOrder(jobs);
  const gpusOf = new Map<string, Set<string>>();
  for (const j of ordered) {
    const lanes = lanesFor(j.type, videoLaneReady);
    gpusOf.set(
      j.id,
      new Set(backends.filter((b) => lanes.includes(b.lane) && b.models.includes(j.model)).map((b) => b.id)),
    );
  }
  const competes = (a: EstimateJob, b: EstimateJob): boolean => {
    const ga = gpusOf.get(a.id) ?? new Set<string>();
    const gb = gpusOf.get(b.id) ?? new Set<string>();
    if (ga.size === 0 || gb.size === 0) return a.type === b.type && ga.size === gb.size;
    for (const g of ga) if (gb.has(g)) return true;
    return false;
  };
  const freeAt = new Map(backends.filter((b) => b.available).map((b) => [b.id, Math.max(0, b.busySeconds)]));
  const out = new Map<string, QueueEstimate>();
  for (const [i, job] of ordered.entries()) {
    let ahead = 0;
    for (let k = 0; k < i; k++) if (competes(ordered[k] as EstimateJob, job)) ahead++;
    let best: string | undefined;
    for (const g of gpusOf.get(job.id) ?? []) {
      const t = freeAt.get(g);
      if (t !== undefined && (best === undefined || t < (freeAt.get(best) ?? Infinity))) best = g;
    }
    let eta: number | undefined;
    if (best !== undefined) {
      const end = (freeAt.get(best) ?? 0) + Math.max(0, job.seconds);
      freeAt.set(best, end);
      eta = Math.round(end);
    }
    out.set(job.id, { position: ahead + 1, etaSeconds: eta });
  }
  return out;
}

/** Seconds left of a running job: its estimate minus the time it has run, never below a second while it runs. */
export function runningSecondsLeft(estimatedSeconds: number, startedAt: number | null, now: number): number {
  if (startedAt === null) return Math.max(1, Math.round(estimatedSeconds));
  return Math.max(1, Math.round(estimatedSeconds - (now - startedAt) / 1000));
}
