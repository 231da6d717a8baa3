/*
 * The two hot routes on PostgreSQL vs SQLite, measured in the same run: two gateway processes (one on a SQLite file
 * in its DATA_DIR, one on an embedded PostgreSQL server this bench starts with its durable defaults, fsync and
 * synchronous_commit on, as SQLite runs with synchronous=FULL), both behind one slow simulated GPU so admitted jobs
 * stay queued. The rounds alternate between the stores, so noise from other work on the machine falls on both.
 */
import { startSimulatorProcess } from '../apps/server/src/adapters/simulator/simulator-process.ts';
import { startEmbeddedPostgres } from '../apps/server/test/embedded-postgres.ts';
import { cannon, type CannonResult } from './autocannon-run.ts';
import { startBenchGateway, type BenchGateway } from './bench-gateway.ts';
import { call, measured, median, SATURATION_JOB } from './http-saturation.ts';

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

export interface StoreComparisonFigures {
  /** PostgreSQL ÷ SQLite req/s */
  statusRatio: number;
  admissionRatio: number;
}

const JOB = SATURATION_JOB;

interface Target {
  gateway: BenchGateway;
  status: Parameters<typeof cannon>[0];
  admit: Parameters<typeof cannon>[0];
}

async function target(gateway: BenchGateway): Promise<Target> {
  const { url } = gateway.gw;
  const auth = { 'x-api-key': gateway.key };
  const { task_id: id } = await call<{ task_id: string }>(`${url}/api/generate`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JOB,
  });
  return {
    gateway,
    status: { url: `${url}/api/status/${id}`, headers: auth, connections: 32, seconds: 5 },
    admit: { url: `${url}/api/generate`, method: 'POST', headers: auth, body: JOB, connections: 32, seconds: 5 },
  };
}

export async function storeComparison(out: (s?: string) => void): Promise<StoreComparisonFigures> {
  const server = await startEmbeddedPostgres({ durable: true });
  const sim = await startSimulatorProcess({ gpus: 1, timeScale: 100 });
  const gateways: BenchGateway[] = [];
  try {
    const database = await server.createDatabase('bench_store');
    gateways.push(await startBenchGateway({ comfyUrls: sim.urls }));
    gateways.push(await startBenchGateway({ comfyUrls: sim.urls, database }));
    const targets = [await target(gateways[0]!), await target(gateways[1]!)];
    // warm-up: JIT, prepared statements, caches, the pool's connections
    for (const t of targets) {
      await cannon({ ...t.status, seconds: 2 });
      await cannon({ ...t.admit, seconds: 2 });
    }
    type Round = CannonResult & { cpuPerRequest: number };
    const rounds = targets.map(() => ({ status: [] as Round[], admit: [] as Round[] }));
    for (let r = 0; r < 3; r++) {
      for (const [i, t] of targets.entries()) rounds[i]!.status.push(await measured(t.gateway.gw.child.pid!, t.status));
      for (const [i, t] of targets.entries()) rounds[i]!.admit.push(await measured(t.gateway.gw.child.pid!, t.admit));
    }
    const medians = (i: number): { status: Round; admit: Round } => ({
      status: median(rounds[i]!.status),
      admit: median(rounds[i]!.admit),
    });
    const sq = medians(0);
    const pgs = medians(1);
    out(
      '| route (32 connections × 5 s, median of 3 rounds) | store | req/s | p50 ms | p99 ms | non-2xx/errors | gateway CPU µs/req | PostgreSQL ÷ SQLite req/s |',
    );
    out('|---|---|---|---|---|---|---|---|');
    const row = (route: string, store: string, x: Round, ratio: string): void =>
      out(
        `| ${route} | ${store} | ${f1(x.rps)} | ${x.p50} | ${x.p99} | ${x.errors} | ${f1(x.cpuPerRequest)} | ${ratio} |`,
      );
    const figures = { statusRatio: pgs.status.rps / sq.status.rps, admissionRatio: pgs.admit.rps / sq.admit.rps };
    row('GET /api/status/{id}', 'SQLite', sq.status, '1');
    row('GET /api/status/{id}', 'PostgreSQL', pgs.status, `**${f2(figures.statusRatio)}**`);
    row('POST /api/generate (durable admission)', 'SQLite', sq.admit, '1');
    row('POST /api/generate (durable admission)', 'PostgreSQL', pgs.admit, `**${f2(figures.admissionRatio)}**`);
    out();
    const every = (x: Round[]): string => x.map((y) => f1(y.rps)).join(' / ');
    out(
      `Every round, SQLite then PostgreSQL: status ${every(rounds[0]!.status)} and ${every(rounds[1]!.status)}; admission ${every(rounds[0]!.admit)} and ${every(rounds[1]!.admit)} req/s.`,
    );
    out();
    out(
      `p99 PostgreSQL ÷ SQLite: status ${f2(pgs.status.p99 / Math.max(1, sq.status.p99))}×, admission ${f2(pgs.admit.p99 / Math.max(1, sq.admit.p99))}×. The gateway's CPU per request leaves out the PostgreSQL server's own processes; PostgreSQL runs on the same cores (loopback, fsync and synchronous_commit on), which a deployment would give a machine of its own. Admitted jobs stay queued, so the store that admits faster also ends with the longer queue.`,
    );
    out();
    return figures;
  } finally {
    for (const g of gateways) await g.stop();
    await sim.stop();
    await server.stop();
  }
}
