import type { Lane, ModelId, GenerationType } from '@mediagen/contract';

export interface QueuedJob {
  id: string;
  ownerId: string;
  model: ModelId;
  type: GenerationType;
  createdAt: number;
  /** an admin moved it to the front: higher goes first, before every other rule */
  priority?: number;
  /** the LoRA files it needs on its backend */
  loraFiles?: readonly string[];
}

export interface IdleBackend {
  id: string;
  lane: Lane;
  models: readonly ModelId[];
  loadedModel?: ModelId;
  /** the LoRA files it holds (its last health check) */
  loras?: readonly string[];
  /** the LoRA files its last job applied */
  loadedLoras?: readonly string[];
}

/** A backend may run a job only if it holds every LoRA file the job needs. */
export const holdsLoras = (held: readonly string[] | undefined, needed: readonly string[] | undefined): boolean =>
  (needed ?? []).every((f) => held?.includes(f) ?? false);

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

export interface Assignment {
  jobId: string;
  backendId: string;
}

/** Which lanes may run a job of this type (SPEC §6): video on video lanes (shared only when no video lane is ready). */
export function lanesFor(type: GenerationType, videoLaneReady: boolean): readonly Lane[] {
  if (type === 'image') return ['image', 'shared'];
  return videoLaneReady ? ['video'] : ['shared'];
}

export interface ScheduleOptions {
  now: number;
  /** a job older than this jumps ahead of affinity and fairness (no starvation) */
  agingMs: number;
  videoLaneReady: boolean;
  /** jobs currently running per owner, for fairness */
  runningByOwner: ReadonlyMap<string, number>;
}

/**
 * Pure scheduling core: pair idle backends with queued jobs.
 * Order of preference per backend: aged jobs first (oldest), then jobs whose model the backend has loaded
 * (avoids a reload; the same LoRA set too), then the owner with the fewest running jobs (round-robin fairness), then oldest.
 */
export function schedule(
  queue: readonly QueuedJob[],
  idle: readonly IdleBackend[],
  opts: ScheduleOptions,
): Assignment[] {
  const taken = new Set<string>();
  const running = new Map(opts.runningByOwner);
  const out: Assignment[] = [];
  for (const backend of idle) {
    const eligible = queue.filter(
      (j) =>
        !taken.has(j.id) &&
        backend.models.includes(j.model) &&
        holdsLoras(backend.loras, j.loraFiles) &&
        lanesFor(j.type, opts.videoLaneReady).includes(backend.lane),
    );
    if (eligible.length === 0) continue;
    const score = (j: QueuedJob): [number, number, number, number, number, number] => [
      -(j.priority ?? 0),
      opts.now - j.createdAt >= opts.agingMs ? 0 : 1,
      j.model === backend.loadedModel ? 0 : 1,
      j.model === backend.loadedModel && sameSet(j.loraFiles ?? [], backend.loadedLoras ?? []) ? 0 : 1,
      running.get(j.ownerId) ?? 0,
      j.createdAt,
    ];
    eligible.sort((a, b) => {
      const sa = score(a);
      const sb = score(b);
      for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return (sa[i] ?? 0) - (sb[i] ?? 0);
      return a.id < b.id ? -1 : 1;
    });
    const pick = eligible[0];
    if (!pick) continue;
    taken.add(pick.id);
    running.set(pick.ownerId, (running.get(pick.ownerId) ?? 0) + 1);
    out.push({ jobId: pick.id, backendId: backend.id });
  }
  return out;
}
