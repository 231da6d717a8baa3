/*
 * Saturation of the two hot routes, each against a bare Fastify route measured in the same run: the gateway
 * (main.ts), the baseline and the load generator are three processes. Jobs stay queued behind one slow
 * simulated GPU, so admission measures the durable write, not a backend.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulatorProcess } from '../apps/server/src/adapters/simulator/simulator-process.ts';
import { startGatewayProcess } from '../apps/server/test/gateway-process.ts';
import { cannon, paced, startPrinter, type CannonResult } from './autocannon-run.ts';

export const ADMIN_KEY = 'bench-admin-key-0123456789';
const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);
const f3 = (n: number): string => n.toFixed(3);

/** The admission runs' request: a valid image job (left queued behind one slow simulated GPU). */
export const SATURATION_JOB = JSON.stringify({
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse on a cliff at dawn',
  width: 512,
  height: 512,
  seed: 1,
});

export interface SaturationFigures {
  statusRatio: number;
  statusP99Ratio: number;
  admissionRatio: number;
  admissionP99: number;
  admissionPacedP99: number;
}

export async function call<T>(url: string, init: RequestInit & { headers?: Record<string, string> }): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** CPU time (user + system) a process has used so far, in µs (Linux /proc; clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** A run, and the CPU the serving process spent per answered request during it. */
export async function measured(
  pid: number,
  o: Parameters<typeof cannon>[0],
): Promise<CannonResult & { cpuPerRequest: number }> {
  const before = cpuMicros(pid);
  const r = await cannon(o);
  return { ...r, cpuPerRequest: (cpuMicros(pid) - before) / Math.max(1, r.requests) };
}

/** Median of the rounds by req/s (with its own latencies). */
export function median<T extends CannonResult>(rounds: T[]): T {
  return [...rounds].sort((a, b) => a.rps - b.rps)[Math.floor(rounds.length / 2)]!;
}

function medianOf(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

export async function httpSaturation(
  out: (s?: string) => void,
  opts: { database?: string } = {},
): Promise<SaturationFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-http-'));
  const bare = await startPrinter(fileURLToPath(new URL('./bare-server.ts', import.meta.url)));
  const sim = await startSimulatorProcess({ gpus: 1, timeScale: 100 });
  const gw = await startGatewayProcess({
    dataDir,
    readyAccounts: 1,
    env: {
      AUTH_MODE: 'key',
      ADMIN_KEY,
      COMFYUI_URLS: sim.urls[0]!,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_GENERATE_PER_MINUTE: '100000000',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '100000000',
      MAX_QUEUE: '10000000',
      MAX_QUEUED_PER_USER: '10000000',
      ...(opts.database ? { DATABASE_URL: opts.database } : {}),
    },
  });
  try {
    const login = await fetch(`${gw.url}/api/admin/session`, { method: 'POST', headers: { 'x-admin-key': ADMIN_KEY } });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { access_key: key } = await call<{ access_key: string }>(`${gw.url}/api/admin/users`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: gw.url },
      body: JSON.stringify({ name: 'bench' }),
    });
    const job = SATURATION_JOB;
    const auth = { 'x-api-key': key };
    const { task_id: id } = await call<{ task_id: string }>(`${gw.url}/api/generate`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: job,
    });
    const bareUrl = `http://127.0.0.1:${bare.port}/bare`;
    const statusUrl = `${gw.url}/api/status/${id}`;
    const gen = { url: `${gw.url}/api/generate`, method: 'POST' as const, headers: auth, body: job };
    // warm-up: JIT, prepared statements, caches, a heap at its working size (a cold first round ran at half speed)
    for (let w = 0; w < 2; w++) {
      await cannon({ url: bareUrl, connections: 32, seconds: 3 });
      await cannon({ url: statusUrl, headers: auth, connections: 32, seconds: 3 });
      await cannon({ ...gen, connections: 32, seconds: 3 });
    }
    type Round = CannonResult & { cpuPerRequest: number };
    const rounds = { bare: [] as Round[], status: [] as Round[], admit: [] as Round[] };
    const barePid = bare.child.pid!;
    const gwPid = gw.child.pid!;
    for (let r = 0; r < 3; r++) {
      rounds.bare.push(await measured(barePid, { url: bareUrl, connections: 32, seconds: 5 }));
      rounds.status.push(await measured(gwPid, { url: statusUrl, headers: auth, connections: 32, seconds: 5 }));
      rounds.admit.push(await measured(gwPid, { ...gen, connections: 32, seconds: 5 }));
    }
    const pacedRun = await paced({ ...gen, rate: 200, seconds: 10, connections: 32 });
    const b = median(rounds.bare);
    const s = median(rounds.status);
    const a = median(rounds.admit);
    // each route against the bare route of its own round (measured seconds apart), then the median over rounds
    const paired = (route: Round[], f: (x: Round, bare: Round) => number): number =>
      medianOf(route.map((x, i) => f(x, rounds.bare[i]!)));
    const statusRatio = paired(rounds.status, (x, y) => x.rps / y.rps);
    const admissionRatio = paired(rounds.admit, (x, y) => x.rps / y.rps);
    out(
      '| route (32 connections × 5 s, median of 3 rounds) | req/s | p50 ms | p99 ms | non-2xx/errors | ÷ bare req/s (paired by round) |',
    );
    out('|---|---|---|---|---|---|');
    out(`| bare Fastify route (own process) | ${f1(b.rps)} | ${b.p50} | ${b.p99} | ${b.errors} | 1 |`);
    out(`| GET /api/status/{id} (API key) | ${f1(s.rps)} | ${s.p50} | ${s.p99} | ${s.errors} | ${f3(statusRatio)} |`);
    out(
      `| POST /api/generate (durable admission) | ${f1(a.rps)} | ${a.p50} | ${a.p99} | ${a.errors} | ${f3(admissionRatio)} |`,
    );
    out(
      `| POST /api/generate, open loop at 200 req/s × 10 s (\`paced-load.ts\`) | ${f1(pacedRun.rps)} | ${pacedRun.p50} | ${pacedRun.p99} | ${pacedRun.errors} | — |`,
    );
    out();
    out(
      `Every round (bare / status / admission req/s): ${rounds.bare.map((x, i) => `${f1(x.rps)} / ${f1(rounds.status[i]!.rps)} / ${f1(rounds.admit[i]!.rps)}`).join('; ')}. A ratio is taken within each round, seconds apart, then the median of the three: the machine's speed drifts between rounds more than the routes differ within one. Warm-up before the rounds: two passes of 3 s on each route.`,
    );
    out();
    out(
      `CPU per answered request (user + system time of the serving process, which holds up better than req/s when other work shares the cores): bare route **${f1(b.cpuPerRequest)} µs**, status **${f1(s.cpuPerRequest)} µs** (${f2(s.cpuPerRequest / b.cpuPerRequest)}×), admission **${f1(a.cpuPerRequest)} µs** (${f2(a.cpuPerRequest / b.cpuPerRequest)}×; the gateway's worker and health checks run in the same process and are counted too).`,
    );
    out();
    const figures = {
      statusRatio,
      statusP99Ratio: paired(rounds.status, (x, y) => x.p99 / Math.max(1, y.p99)),
      admissionRatio,
      admissionP99: a.p99,
      admissionPacedP99: pacedRun.p99,
    };
    out(
      `Status polling: **${f2(figures.statusRatio)}** of the bare route (target ≥ 0.5), p99 ${f2(figures.statusP99Ratio)}× the bare route's (target ≤ 2×; autocannon counts whole milliseconds, and a bare p99 under 1 ms counts as 1 ms). Durable admission: **${f3(figures.admissionRatio)}** of the bare route (target ≥ 0.08), p99 **${a.p99} ms** at saturation (target < 25 ms), **${pacedRun.p99} ms** at an even 200 req/s (latency from each request's due time). Each 202 is answered after its job's transaction committed (SQLite WAL, synchronous=FULL, group commit).`,
    );
    out();
    return figures;
  } finally {
    await gw.stop('SIGTERM');
    await sim.stop();
    bare.child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
