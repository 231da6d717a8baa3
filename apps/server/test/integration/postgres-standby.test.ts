import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import { startGatewayProcess, type GatewayProcess } from '../gateway-process.ts';
import { freshDatabase } from '../test-databases.ts';
import { Client, json, tempDir, waitFor } from '../test-server.ts';

// One active gateway per PostgreSQL database: a second one waits as a standby and takes over when the first dies.
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse on a cliff',
  width: 512,
  height: 512,
  seed: 7,
  steps: 40,
};

async function waitingForActiveLock(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(
      `SELECT COUNT(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`,
    );
    return (r.rows[0] as { n: number }).n === 1;
  } finally {
    await c.end();
  }
}

describe('a standby gateway on the same PostgreSQL', () => {
  it('waits while the active one runs; when it is SIGKILLed, takes over and finishes its job, run once', async () => {
    const sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.3 });
    cleanup.push(() => sim.stop());
    const dataDir = tempDir(); // a shared volume: both gateways see the same media
    const env = { DATABASE_URL: await freshDatabase('standby'), COMFYUI_URLS: sim.urls.join(',') };
    const first = await startGatewayProcess({ dataDir, env, readyAccounts: 1 });
    cleanup.push(() => first.stop('SIGKILL'));
    const c = new Client(first.url);
    const { task_id } = await json<{ task_id: string }>(await c.post('/api/generate', PONY));
    await waitFor(async () => {
      const s = await json<{ status: string; progress: number }>(await c.get(`/api/status/${task_id}`));
      return s.status === 'running' && s.progress > 0 ? s : undefined;
    }, 60_000);

    let second: GatewayProcess | undefined;
    const starting = startGatewayProcess({ dataDir, env, readyAccounts: 1 }).then((g) => (second = g));
    cleanup.push(async () => (await starting).stop('SIGKILL'));
    await waitFor(() => waitingForActiveLock(env.DATABASE_URL), 60_000, 100);
    expect(second).toBeUndefined(); // a standby does not answer: a load balancer sends nothing to it

    await first.stop('SIGKILL');
    const standby = await starting;
    const s2 = new Client(standby.url);
    const done = await waitFor(async () => {
      const s = await json<{ status: string }>(await s2.get(`/api/status/${task_id}`));
      return s.status === 'running' || s.status === 'queued' ? undefined : s;
    }, 90_000);
    expect(done.status).toBe('completed');
    const stats = await json<{ executions: Record<string, number>; total_executed: number }>(
      await fetch(`${sim.urls[0]}/sim/stats`),
    );
    expect(stats.total_executed).toBe(1); // re-attached, not submitted again
    expect((await s2.get(`/api/results/${task_id}`)).status).toBe(200);
  }, 240_000);
});
