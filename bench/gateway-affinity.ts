/*
 * The scheduler's model affinity with one active gateway vs two on one PostgreSQL database: the same mixed workload
 * (two image and two video models) on the same simulated GPUs, submitted to one gateway or spread over two. The
 * simulator counts the model sets each GPU loads (`model_loads` of /sim/stats), so a scheduler that lost affinity
 * across instances shows as more loads per job and a longer makespan.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startSimulatorProcess,
  type SimulatorProcess,
} from '../apps/server/src/adapters/simulator/simulator-process.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../apps/server/test/embedded-postgres.ts';
import type { TaskListItem, TaskListPage } from '@mediagen/contract';
import { startBenchGateway, type BenchGateway } from './bench-gateway.ts';
import { call } from './http-saturation.ts';

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

const GPUS = 4;
/** simulated durations × 0.25: a model load is 1 s (image) or 2 s (video), comparable with the jobs themselves */
const TIME_SCALE = 0.25;
const JOBS = 32;
const ROUNDS = 3;
/** leases renewed every 2 s, so the second gateway gets its share soon after it starts */
const LEASE_TTL_SECONDS = 6;

const MODELS = [
  { type: 'image', model: 'flux', mode: 'txt2img', width: 512, height: 512 },
  { type: 'image', model: 'pony', mode: 'txt2img', width: 512, height: 512 },
  { type: 'video', model: 'anisora', mode: 't2v', width: 512, height: 512, num_frames: 17 },
  { type: 'video', model: 'phr00t', mode: 't2v', width: 512, height: 512, num_frames: 17 },
] as const;

/** n ÷ 4 jobs of each model, shuffled the same way every run (mulberry32 from a fixed seed, not Math.random). */
function mixedWorkload(n: number): Array<Record<string, unknown>> {
  let seed = 12345;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const jobs = Array.from({ length: n }, (_, i) => MODELS[i % MODELS.length]!);
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
  }
  return jobs.map((m, i) => ({ ...m, prompt: `a quiet harbour with fishing boats, study ${i}`, seed: i }));
}

function failures(tasks: TaskListItem[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks.filter((x) => x.status !== 'completed')) {
    console.error(`affinity bench: ${t.task_id} ${t.model} ${t.status} ${t.code ?? ''}: ${t.error ?? ''}`);
    const k = `${t.status} ${t.code ?? ''}`.trim();
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}

interface SimStats {
  loaded_model: string | null;
  model_loads: number;
}

const simStats = (url: string): Promise<SimStats> => call<SimStats>(`${url}/sim/stats`, {});

/** Every GPU cold, so each run starts from the same state. */
async function unloadAll(sim: SimulatorProcess): Promise<void> {
  for (const url of sim.urls)
    await fetch(`${url}/free`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unload_models: true }),
    });
  for (const url of sim.urls) while ((await simStats(url)).loaded_model !== null) await sleep(50);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function modelLoads(sim: SimulatorProcess): Promise<number> {
  let total = 0;
  for (const url of sim.urls) total += (await simStats(url)).model_loads;
  return total;
}

async function allTasks(gw: BenchGateway): Promise<TaskListItem[]> {
  const items: TaskListItem[] = [];
  let cursor: string | null = null;
  do {
    const page: TaskListPage = await call<TaskListPage>(
      `${gw.gw.url}/api/tasks?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { headers: { 'x-api-key': gw.key } },
    );
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

async function settled(gw: BenchGateway, deadline: number): Promise<void> {
  for (;;) {
    const page = await call<TaskListPage>(`${gw.gw.url}/api/tasks?status=queued,running&limit=1`, {
      headers: { 'x-api-key': gw.key },
    });
    if (page.items.length === 0) return;
    if (Date.now() > deadline) throw new Error('the workload did not finish in time');
    await sleep(200);
  }
}

interface RunFigures {
  jobs: number;
  completed: number;
  /** error codes of the jobs that did not complete, with their counts */
  failures: string;
  loads: number;
  makespan: number;
}

/** The leases spread evenly: each of the gateways drives GPUS ÷ instances accounts (ADR 0011). */
async function spread(server: EmbeddedPostgres, database: string, instances: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await server.query<{ n: number }>(
      database,
      'SELECT COUNT(*)::int AS n FROM account_leases GROUP BY instance_id',
    );
    if (rows.length === instances && rows.every((r) => r.n === GPUS / instances)) return;
    if (Date.now() > deadline) throw new Error(`the leases did not spread over ${instances} gateways`);
    await sleep(100);
  }
}

async function run(
  server: EmbeddedPostgres,
  sim: SimulatorProcess,
  instances: number,
  round: number,
): Promise<RunFigures> {
  await unloadAll(sim);
  const database = await server.createDatabase(`bench_affinity_${instances}_${round}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-affinity-'));
  const gateways: BenchGateway[] = [];
  try {
    for (let i = 0; i < instances; i++)
      gateways.push(
        await startBenchGateway({
          comfyUrls: sim.urls,
          database,
          dataDir,
          key: gateways[0]?.key,
          env: { LEASE_TTL_SECONDS: String(LEASE_TTL_SECONDS) },
        }),
      );
    await spread(server, database, instances);
    const before = await modelLoads(sim);
    const jobs = mixedWorkload(JOBS);
    await Promise.all(
      jobs.map((job, i) => {
        const gw = gateways[i % gateways.length]!;
        return call(`${gw.gw.url}/api/generate`, {
          method: 'POST',
          headers: { 'x-api-key': gw.key, 'content-type': 'application/json' },
          body: JSON.stringify(job),
        });
      }),
    );
    await settled(gateways[0]!, Date.now() + 600_000);
    const tasks = await allTasks(gateways[0]!);
    const times = (pick: (t: TaskListItem) => string | null): number[] =>
      tasks.map(pick).flatMap((s) => (s ? [Date.parse(s)] : []));
    return {
      jobs: tasks.length,
      completed: tasks.filter((t) => t.status === 'completed').length,
      failures: failures(tasks),
      loads: (await modelLoads(sim)) - before,
      makespan: (Math.max(...times((t) => t.finished_at)) - Math.min(...times((t) => t.created_at))) / 1000,
    };
  } finally {
    for (const g of gateways) await g.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function gatewayAffinity(out: (s?: string) => void): Promise<void> {
  const server = await startEmbeddedPostgres();
  const sim = await startSimulatorProcess({ gpus: GPUS, timeScale: TIME_SCALE });
  try {
    // the configurations alternate round by round, so noise from other work on the machine falls on both
    const runs = new Map<number, RunFigures[]>([
      [1, []],
      [2, []],
    ]);
    for (let round = 0; round < ROUNDS; round++)
      for (const [n, figures] of runs) figures.push(await run(server, sim, n, round));
    out(
      `| active gateways (one PostgreSQL, ${GPUS} simulated GPUs) | jobs completed | not completed | model loads, each round | loads per job (median) | makespan s (median) | makespan s, each round |`,
    );
    out('|---|---|---|---|---|---|---|');
    const summary = new Map<number, { loads: number; makespan: number }>();
    for (const [n, rs] of runs) {
      const loads = median(rs.map((r) => r.loads));
      const makespan = median(rs.map((r) => r.makespan));
      summary.set(n, { loads, makespan });
      const failures = rs.map((r) => r.failures).filter((f) => f !== 'none');
      out(
        `| ${n} | ${rs.reduce((a, r) => a + r.completed, 0)} of ${rs.reduce((a, r) => a + r.jobs, 0)} | ${failures.join('; ') || 'none'} | ${rs.map((r) => r.loads).join(' / ')} | ${f2(loads / JOBS)} | ${f1(makespan)} | ${rs.map((r) => f1(r.makespan)).join(' / ')} |`,
      );
    }
    const one = summary.get(1)!;
    const two = summary.get(2)!;
    out();
    out(
      `Two gateways ÷ one (medians of ${ROUNDS} rounds): model loads **${f2(two.loads / Math.max(1, one.loads))}×**, makespan **${f2(two.makespan / one.makespan)}×**. Each round: ${JOBS} jobs, ${JOBS / MODELS.length} of each model (flux and pony 512², anisora and phr00t 512²×17 frames) in one fixed shuffled order, submitted at once to one gateway or alternately to two (each driving the ${GPUS / 2} GPUs whose leases it holds, LEASE_TTL_SECONDS=${LEASE_TTL_SECONDS}); every GPU starts cold, so ${GPUS} loads at least. Simulated time × ${TIME_SCALE}; the gateways, PostgreSQL and the simulator share the machine's cores.`,
    );
    out();
  } finally {
    await sim.stop();
    await server.stop();
  }
}
