import type { GenerationType, Lane, ModelId } from '@mediagen/contract';
import { schedule, type IdleBackend, type QueuedJob } from '#domain/scheduler.ts';

export interface SimJob {
  id: string;
  ownerId: string;
  model: ModelId;
  type: GenerationType;
  arrival: number;
  /** GPU seconds once the model is loaded */
  work: number;
}

export interface SimGpu {
  id: string;
  lane: Lane;
  models: ModelId[];
}

export interface SimResult {
  makespan: number;
  switches: number;
  busy: number;
  meanWait: number;
  maxWait: number;
  /** total work ÷ GPUs: no schedule can finish sooner */
  lowerBound: number;
}

export type Policy = 'mediagen' | 'fifo';

/** Discrete-event run of a workload on GPUs; `fifo` takes the oldest eligible job with no model affinity. */
export function simulateSchedule(
  jobs: readonly SimJob[],
  gpus: readonly SimGpu[],
  loadSeconds: Record<ModelId, number>,
  policy: Policy,
  agingMs = 120_000,
): SimResult {
  const pending = [...jobs].sort((a, b) => a.arrival - b.arrival);
  const queue: SimJob[] = [];
  const freeAt = new Map(gpus.map((g) => [g.id, 0]));
  const loaded = new Map<string, ModelId | undefined>();
  let t = 0;
  let switches = 0;
  let busy = 0;
  const waits: number[] = [];
  let done = 0;
  let makespan = 0;
  while (done < jobs.length) {
    while (pending.length > 0 && pending[0]!.arrival <= t) queue.push(pending.shift()!);
    const idle: IdleBackend[] = gpus
      .filter((g) => (freeAt.get(g.id) ?? 0) <= t)
      .map((g) => ({
        id: g.id,
        lane: g.lane,
        models: g.models,
        ...(loaded.get(g.id) ? { loadedModel: loaded.get(g.id)! } : {}),
      }));
    const q: QueuedJob[] = queue.map((j) => ({
      id: j.id,
      ownerId: j.ownerId,
      model: j.model,
      type: j.type,
      createdAt: j.arrival * 1000,
    }));
    const plan =
      policy === 'mediagen'
        ? schedule(q, idle, {
            now: t * 1000,
            agingMs,
            videoLaneReady: gpus.some((g) => g.lane === 'video'),
            runningByOwner: new Map(),
          })
        : fifo(q, idle);
    for (const a of plan) {
      const job = queue.find((j) => j.id === a.jobId)!;
      queue.splice(queue.indexOf(job), 1);
      const load = loaded.get(a.backendId) === job.model ? 0 : loadSeconds[job.model];
      if (load > 0) switches += 1;
      loaded.set(a.backendId, job.model);
      const end = t + load + job.work;
      freeAt.set(a.backendId, end);
      busy += load + job.work;
      waits.push(t - job.arrival);
      makespan = Math.max(makespan, end);
      done += 1;
    }
    // advance to the next event: a GPU freeing up or a job arriving
    const next = Math.min(
      ...[...freeAt.values()].filter((v) => v > t),
      pending[0]?.arrival ?? Number.POSITIVE_INFINITY,
    );
    if (!Number.isFinite(next)) {
      if (queue.length > 0 && plan.length === 0) throw new Error('a job no GPU can serve');
      continue;
    }
    t = next;
  }
  const work = jobs.reduce((a, j) => a + j.work, 0);
  return {
    makespan,
    switches,
    busy,
    meanWait: waits.reduce((a, b) => a + b, 0) / waits.length,
    maxWait: Math.max(...waits),
    lowerBound: work / gpus.length,
  };
}

function fifo(queue: readonly QueuedJob[], idle: readonly IdleBackend[]): Array<{ jobId: string; backendId: string }> {
  const taken = new Set<string>();
  const out: Array<{ jobId: string; backendId: string }> = [];
  for (const b of idle) {
    const j = queue.find((x) => !taken.has(x.id) && b.models.includes(x.model));
    if (!j) continue;
    taken.add(j.id);
    out.push({ jobId: j.id, backendId: b.id });
  }
  return out;
}

/** A reproducible mixed workload (a benchmark assumption, not product data): 4 models, bursts from several users, realistic work and load times. */
export function syntheticWorkload(n: number, seed = 7): SimJob[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const models: Array<{ model: ModelId; type: GenerationType; work: [number, number] }> = [
    { model: 'anisora', type: 'video', work: [40, 90] },
    { model: 'phr00t', type: 'video', work: [25, 60] },
    { model: 'pony', type: 'image', work: [3, 6] },
    { model: 'flux', type: 'image', work: [6, 12] },
  ];
  const jobs: SimJob[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += rnd() * 6;
    const m = models[Math.floor(rnd() * models.length)]!;
    jobs.push({
      id: `j${i}`,
      ownerId: `u${Math.floor(rnd() * 5)}`,
      model: m.model,
      type: m.type,
      arrival: t,
      work: m.work[0] + rnd() * (m.work[1] - m.work[0]),
    });
  }
  return jobs;
}

export const REALISTIC_LOAD_SECONDS: Record<ModelId, number> = { anisora: 45, phr00t: 30, pony: 8, flux: 15 };
