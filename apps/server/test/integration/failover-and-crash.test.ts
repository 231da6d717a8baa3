import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startSimulatorProcess,
  type SimulatorProcess,
} from '../../src/adapters/simulator/simulator-process.ts';
import { ADMIN_KEY, Client, json, simulatorExecutions, startTestServer, tempDir, waitFor } from '../test-server.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

interface AccountView {
  id: string;
  base_url: string;
  status: string;
  status_reason: string | null;
}

async function adminClient(url: string): Promise<Client> {
  const a = new Client(url);
  await a.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  return a;
}

describe('a GPU dies mid-job', () => {
  it('the job completes on the other GPU; the dead account fails, then comes back ready when restarted', async () => {
    const simA = await startSimulatorProcess({ gpus: 1, timeScale: 0.4 });
    const simB = await startSimulatorProcess({ gpus: 1, timeScale: 0.4 });
    cleanup.push(
      () => simA.stop(),
      () => simB.stop(),
    );
    const gw = await startTestServer({ env: { AUTH_MODE: 'open', COMFYUI_URLS: `${simA.urls[0]},${simB.urls[0]}` } });
    cleanup.push(() => gw.close());
    const c = new Client(gw.url);
    const admin = await adminClient(gw.url);
    await waitFor(
      async () =>
        (await json<{ accounts: { ready: number } }>(await c.get('/api/health'))).accounts.ready === 2 || undefined,
      30_000,
      100,
    );
    const res = await c.post('/api/generate', {
      type: 'video',
      model: 'phr00t',
      mode: 't2v',
      prompt: 'rain over a quiet harbour',
      width: 512,
      height: 512,
      seed: 9,
      num_frames: 33,
    });
    const id = (await json<{ task_id: string }>(res)).task_id;
    const running = await waitFor(
      async () => {
        const q = await json<{ running: Array<{ task_id: string; account_id: string; progress: number }> }>(
          await admin.get('/api/admin/queue'),
        );
        const r = q.running.find((x) => x.task_id === id);
        return r && r.progress > 5 ? r : undefined;
      },
      30_000,
      50,
    );
    const accounts = (await json<{ items: AccountView[] }>(await admin.get('/api/admin/accounts'))).items;
    const victim = accounts.find((a) => a.id === running.account_id)!;
    const victimSim = victim.base_url === simA.urls[0] ? simA : simB;
    const survivorSim = victimSim === simA ? simB : simA;
    const port = Number(new URL(victim.base_url).port);
    victimSim.child.kill('SIGKILL');

    const done = await waitFor(
      async () => {
        const s = await json<{ status: string; result?: { metadata: { backend: string } } }>(
          await c.get(`/api/status/${id}`),
        );
        return ['completed', 'failed'].includes(s.status) ? s : undefined;
      },
      60_000,
      100,
    );
    expect(done.status).toBe('completed');
    const survivorStats = (await (await fetch(`${survivorSim.urls[0]}/sim/stats`)).json()) as {
      total_executed: number;
    };
    expect(survivorStats.total_executed).toBe(1);
    const dead = await waitFor(
      async () => {
        const a = (await json<{ items: AccountView[] }>(await admin.get('/api/admin/accounts'))).items.find(
          (x) => x.id === victim.id,
        );
        return a?.status === 'failed' ? a : undefined;
      },
      30_000,
      100,
    );
    expect(dead.status_reason).toMatch(/does not answer/);

    const revived = await startSimulatorProcess({ gpus: 1, timeScale: 0.4, ports: [port] });
    cleanup.push(() => revived.stop());
    await waitFor(
      async () => {
        const a = (await json<{ items: AccountView[] }>(await admin.get('/api/admin/accounts'))).items.find(
          (x) => x.id === victim.id,
        );
        return a?.status === 'ready' ? a : undefined;
      },
      45_000,
      200,
    );
  }, 150_000);
});

function startGateway(dataDir: string, port: number, urls: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_MODE: 'open',
      COMFYUI_URLS: urls.join(','),
      LOG_LEVEL: 'warn',
      ADMIN_KEY,
      RATE_LIMIT_GENERATE_PER_MINUTE: '1000',
      MAX_QUEUED_PER_USER: '1000',
      // shared lanes only, so video runs in degraded mode: lift its bounds, this test is about crash recovery
      DEGRADED_MAX_WAITING: '1000',
      DEGRADED_MAX_WAIT_SECONDS: '3600',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanup.push(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  return child;
}

async function up(url: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        return (
          (await json<{ accounts: { ready: number } }>(await fetch(`${url}/api/health`))).accounts.ready >= 2 ||
          undefined
        );
      } catch {
        return undefined;
      }
    },
    40_000,
    100,
  );
}

describe('gateway crash', () => {
  it('50 mixed jobs, SIGKILL mid-run, restart: every job completes, none lost, none run twice', async () => {
    let sim: SimulatorProcess | undefined = await startSimulatorProcess({ gpus: 2, timeScale: 0.05 });
    cleanup.push(() => sim?.stop());
    const dataDir = tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = startGateway(dataDir, port, sim.urls);
    await up(url);
    const c = new Client(url);
    const kinds = [
      { type: 'image', model: 'pony', mode: 'txt2img' },
      { type: 'image', model: 'flux', mode: 'txt2img' },
      { type: 'video', model: 'anisora', mode: 't2v', num_frames: 17 },
      { type: 'video', model: 'phr00t', mode: 't2v', num_frames: 17 },
    ];
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await c.post('/api/generate', {
        ...kinds[i % 4],
        prompt: `a field of sunflowers, variation ${i}`,
        width: 512,
        height: 512,
        seed: i,
      });
      expect(res.status).toBe(202);
      ids.push((await json<{ task_id: string }>(res)).task_id);
    }
    await waitFor(
      async () => {
        const s = await Promise.all(
          ids.slice(0, 12).map(async (id) => (await json<{ status: string }>(await c.get(`/api/status/${id}`))).status),
        );
        return s.filter((x) => x === 'completed').length >= 6 || undefined;
      },
      60_000,
      100,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    startGateway(dataDir, port, sim.urls);
    await up(url);
    const final = await waitFor(
      async () => {
        const s = await Promise.all(
          ids.map(async (id) => (await json<{ status: string }>(await c.get(`/api/status/${id}`))).status),
        );
        return s.every((x) => ['completed', 'failed', 'cancelled'].includes(x)) ? s : undefined;
      },
      180_000,
      250,
    );
    expect(final.filter((x) => x === 'completed')).toHaveLength(50);
    const runs = await simulatorExecutions(sim.urls);
    expect(runs.counts.every((n) => n === 1)).toBe(true);
    expect(runs.total).toBe(50);
    await sim.stop();
    sim = undefined;
  }, 300_000);
});
