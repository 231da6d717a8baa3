/*
 * The scheduler's model affinity with one active gateway vs two on one PostgreSQL database: the same mixed workload
 * (two image and two video models) on the same simulated GPUs, submitted to one gateway or spread over two. The
 * simulator counts the model sets each GPU loads (`model_loads` of /sim/stats), so a scheduler that lost affinity
 * across instances shows as more loads per job and a longer makespan.
 */
import {
  startSimulatorProcess,
  type SimulatorProcess,
} from '../apps/server/src/adapters/simulator/simulator-process.ts';
import { startEmbeddedPostgres } from '../apps/server/test/embedded-postgres.ts';
import type { TaskListItem, TaskListPage } from '@mediagen/contract';
import { startBenchGateway, type BenchGateway } from './bench-gateway.ts';
import { call } from './http-saturation.ts';

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

const GPUS = 4;
/** simulated durations × 0.25: a model load is 1 s (image) or 2 s (video), comparable with the jobs themselves */
const TIME_SCALE = 0.25;
const JOBS = 32;

const MODELS = [
  { type: 'image', model: 'flux', mode: 'txt2img', width: 512, height: 512 },
  { type: 'image', model: 'pony', mode: 'txt2img', width: 512, height: 512 },
  { type: 'video', model: 'anisora', mode: 't2v', width: 512, height: 512, num_frames: 17 },
  { type: 'video', model: 'phr00t', mode: 't2v', width: 512, height: 512, num_frames: 17 },
] as const;

/** The same interleaved order every run (a fixed linear congruential sequence, not Math.random). */
function mixedWorkload(n: number): Array<Record<string, unknown>> {
  let x = 12345;
  return Array.from({ length: n }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return { ...MODELS[x % MODELS.length]!, prompt: `a quiet harbour with fishing boats, study ${i}`, seed: i };
  });
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
  loads: number;
  makespan: number;
}

async function run(sim: SimulatorProcess, database: string, instances: number): Promise<RunFigures> {
  await unloadAll(sim);
  const gateways: BenchGateway[] = [];
  try {
    for (let i = 0; i < instances; i++)
      gateways.push(await startBenchGateway({ comfyUrls: sim.urls, database, key: gateways[0]?.key }));
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
      loads: (await modelLoads(sim)) - before,
      makespan: (Math.max(...times((t) => t.finished_at)) - Math.min(...times((t) => t.created_at))) / 1000,
    };
  } finally {
    for (const g of gateways) await g.stop();
  }
}

export async function gatewayAffinity(out: (s?: string) => void): Promise<void> {
  const server = await startEmbeddedPostgres();
  const sim = await startSimulatorProcess({ gpus: GPUS, timeScale: TIME_SCALE });
  try {
    out(
      `| active gateways (one PostgreSQL, ${GPUS} simulated GPUs) | jobs | completed | model loads | loads per job | makespan s |`,
    );
    out('|---|---|---|---|---|---|');
    const row = (n: number, r: RunFigures): void =>
      out(`| ${n} | ${r.jobs} | ${r.completed} | ${r.loads} | ${f2(r.loads / r.jobs)} | ${f1(r.makespan)} |`);
    const one = await run(sim, await server.createDatabase('bench_affinity_1'), 1);
    row(1, one);
    const two = await run(sim, await server.createDatabase('bench_affinity_2'), 2);
    row(2, two);
    out();
    out(
      `Two gateways ÷ one: model loads **${f2(two.loads / Math.max(1, one.loads))}×**, makespan **${f2(two.makespan / one.makespan)}×**. ${JOBS} jobs over 4 models (flux and pony 512², anisora and phr00t 512²×17 frames) in a fixed interleaved order, submitted at once (to one gateway, or alternately to two, each holding the leases of some GPUs); every GPU starts cold, so ${GPUS} loads at least. Simulated time × ${TIME_SCALE}.`,
    );
    out();
  } finally {
    await sim.stop();
    await server.stop();
  }
}
