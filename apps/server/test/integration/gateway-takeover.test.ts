import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorProcess, type SimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import { startGatewayProcess, type GatewayProcess } from '../gateway-process.ts';
import { freshDatabase } from '../test-databases.ts';
import { Client, json, simulatorExecutions, tempDir, waitFor } from '../test-server.ts';

// Several active gateways on one PostgreSQL (ADR 0011): each GPU account is driven by the gateway holding its lease;
// when that gateway dies (SIGKILL) or drains (SIGTERM), another takes the account and re-attaches its running prompt.
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const TTL_SECONDS = 3;

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

async function query<T extends pg.QueryResultRow>(url: string, sql: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, args)).rows;
  } finally {
    await c.end();
  }
}

interface Cluster {
  sim: SimulatorProcess;
  url: string;
  gateways: GatewayProcess[];
  /** the gateway process whose instance holds the account's lease now */
  holderOf(accountId: string): Promise<GatewayProcess | undefined>;
}

/** A 2-GPU simulator and two gateways on one fresh database, started one after the other, each driving one GPU. */
async function twoGateways(label: string): Promise<Cluster> {
  const sim = await startSimulatorProcess({ gpus: 2, timeScale: 0.3 });
  cleanup.push(() => sim.stop());
  const url = await freshDatabase(label);
  const dataDir = tempDir(); // a shared volume: both gateways see the same media
  const env = { DATABASE_URL: url, COMFYUI_URLS: sim.urls.join(','), LEASE_TTL_SECONDS: String(TTL_SECONDS) };
  const gateways: GatewayProcess[] = [];
  for (let i = 0; i < 2; i++) {
    const g = await startGatewayProcess({ dataDir, env, readyAccounts: 2 });
    cleanup.push(() => g.stop('SIGKILL'));
    gateways.push(g);
  }
  // instances in start order: the first registered first
  const instances = (await query<{ id: string }>(url, 'SELECT id FROM gateway_instances ORDER BY started_at, id')).map(
    (r) => r.id,
  );
  expect(instances).toHaveLength(2);
  // the first one took both accounts alone; it gives one back once the second is alive, and that one takes it
  await waitFor(
    async () => {
      const rows = await query<{ instance_id: string; n: number }>(
        url,
        'SELECT instance_id, COUNT(*)::int AS n FROM account_leases GROUP BY instance_id',
      );
      return rows.length === 2 && rows.every((r) => r.n === 1) ? true : undefined;
    },
    20_000,
    100,
  );
  return {
    sim,
    url,
    gateways,
    async holderOf(accountId) {
      const [row] = await query<{ instance_id: string }>(
        url,
        'SELECT instance_id FROM account_leases WHERE account_id = $1',
        [accountId],
      );
      const i = row ? instances.indexOf(row.instance_id) : -1;
      return gateways[i];
    },
  };
}

/** Submits a job and waits until it is running with progress on a GPU; answers its id and account. */
async function runningJob(cl: Cluster, c: Client): Promise<{ taskId: string; accountId: string }> {
  const { task_id } = await json<{ task_id: string }>(await c.post('/api/generate', PONY));
  await waitFor(async () => {
    const s = await json<{ status: string; progress: number }>(await c.get(`/api/status/${task_id}`));
    return s.status === 'running' && s.progress > 0 ? s : undefined;
  }, 60_000);
  const [row] = await query<{ account_id: string }>(cl.url, 'SELECT account_id FROM tasks WHERE id = $1', [task_id]);
  return { taskId: task_id, accountId: row!.account_id };
}

async function finalStatus(c: Client, taskId: string): Promise<{ status: string }> {
  return waitFor(async () => {
    const s = await json<{ status: string }>(await c.get(`/api/status/${taskId}`));
    return s.status === 'running' || s.status === 'queued' ? undefined : s;
  }, 90_000);
}

describe('several active gateways on one PostgreSQL', () => {
  it('both answer, each drives one GPU; SIGKILL the one running a job: the other re-attaches it within the lease time, run once', async () => {
    const cl = await twoGateways('takeover');
    for (const g of cl.gateways) {
      const h = await json<{ accounts: { ready: number } }>(await fetch(`${g.url}/api/health`));
      expect(h.accounts.ready).toBe(2); // one global view of the accounts, whichever drives them
    }
    const { taskId, accountId } = await runningJob(cl, new Client(cl.gateways[0]!.url));
    const driver = (await cl.holderOf(accountId))!;
    const survivor = cl.gateways.find((g) => g !== driver)!;
    await driver.stop('SIGKILL');
    const killedAt = Date.now();
    await waitFor(async () => ((await cl.holderOf(accountId)) === survivor ? true : undefined), 20_000, 100);
    // the lease lapses TTL after the dead gateway's last renewal; the survivor's next beat (TTL/3) takes it
    expect(Date.now() - killedAt).toBeLessThan(TTL_SECONDS * 1000 + 3_000);
    const s = new Client(survivor.url);
    expect((await finalStatus(s, taskId)).status).toBe('completed');
    const runs = await simulatorExecutions(cl.sim.urls);
    expect(runs.total).toBe(1); // re-attached, not submitted again
    expect((await s.get(`/api/results/${taskId}`)).status).toBe(200);
  }, 240_000);

  it('SIGTERM drains the one running a job: its leases go back at once, the job is not cancelled and completes via the other, run once', async () => {
    const cl = await twoGateways('drain');
    const { taskId, accountId } = await runningJob(cl, new Client(cl.gateways[1]!.url));
    const driver = (await cl.holderOf(accountId))!;
    const survivor = cl.gateways.find((g) => g !== driver)!;
    const s = new Client(survivor.url);
    expect(await driver.stop('SIGTERM')).toBe(0);
    const drainedAt = Date.now();
    await waitFor(async () => ((await cl.holderOf(accountId)) === survivor ? true : undefined), 20_000, 50);
    // released, not lapsed: taken on the survivor's next beat, before the time to live could have run out
    expect(Date.now() - drainedAt).toBeLessThan(TTL_SECONDS * 1000);
    const statuses = new Set<string>();
    const done = await waitFor(async () => {
      const st = await json<{ status: string }>(await s.get(`/api/status/${taskId}`));
      statuses.add(st.status);
      return st.status === 'running' || st.status === 'queued' ? undefined : st;
    }, 90_000);
    expect(done.status).toBe('completed');
    expect(statuses.has('cancelled')).toBe(false);
    expect((await simulatorExecutions(cl.sim.urls)).total).toBe(1);
    expect((await s.get(`/api/results/${taskId}`)).status).toBe(200);
  }, 240_000);
});
