import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  startSimulatorProcess,
  type SimulatorProcess,
} from '../../src/adapters/simulator/simulator-process.ts';
import { startGatewayProcess } from '../gateway-process.ts';
import {
  ADMIN_KEY,
  Client,
  json,
  readSse,
  startTestServer,
  tempDir,
  waitFor,
  type TestServer,
} from '../test-server.ts';

// How the gateway lives with real backends (issue "Real backends", item 7): per-model readiness, a drain
// that never cancels, status that agrees with the event stream, and recovery when a backend comes back.

const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse on a cliff',
  width: 512,
  height: 512,
  seed: 7,
};
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});
afterAll(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

interface AccountView {
  id: string;
  status: string;
  ready_models: string[];
  readiness: Array<{ model: string; ready: boolean; missing_files: Array<{ file: string }> }>;
}

async function admin(server: { url: string }): Promise<Client> {
  const c = new Client(server.url);
  expect((await c.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY })).status).toBe(200);
  return c;
}

async function gatewayOn(sim: SimulatorProcess, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({
    env: { AUTH_MODE: 'open', COMFYUI_URLS: sim.urls.join(','), ...env },
    overrides: { healthReadyMs: 60_000 },
  });
  cleanup.push(() => server.close());
  return server;
}

async function onlyAccount(a: Client): Promise<AccountView> {
  return waitFor(async () => {
    const items = (await json<{ items: AccountView[] }>(await a.get('/api/admin/accounts'))).items;
    return items[0]?.status === 'ready' ? items[0] : undefined;
  }, 30_000);
}

describe('per-model readiness', () => {
  it('a backend with only Pony files serves Pony; Flux is refused at once (503) and the setup script names its files', async () => {
    const sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.02, env: { SIM_MODELS: 'pony' } });
    cleanup.push(() => sim.stop());
    const server = await gatewayOn(sim);
    const a = await admin(server);
    const account = await onlyAccount(a);
    expect(account.ready_models).toEqual(['pony']);
    const flux = account.readiness.find((r) => r.model === 'flux');
    expect(flux?.ready).toBe(false);
    expect(flux?.missing_files.length).toBeGreaterThan(0);

    const c = new Client(server.url);
    const refused = await c.post('/api/generate', { ...PONY, model: 'flux' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(await json(refused)).toMatchObject({
      code: 'no_backend_available',
      detail: { code: 'no_backend_available' },
    });

    const accepted = await c.post('/api/generate', PONY, { prefer: 'wait=60' });
    expect(accepted.status).toBe(200);
    expect(await json(accepted)).toMatchObject({ status: 'success', model: 'pony' });

    const script = await a.get(`/api/admin/accounts/${account.id}/setup-script`);
    expect(script.status).toBe(200);
    const text = await script.text();
    expect(text).toMatch(/^#!\/usr\/bin\/env bash/);
    for (const f of flux?.missing_files ?? []) expect(text).toContain(f.file);
  }, 120_000);
});

describe('status and events agree', () => {
  it('every progress event is already what /api/status says', async () => {
    const sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.15 });
    cleanup.push(() => sim.stop());
    const server = await gatewayOn(sim);
    await onlyAccount(await admin(server));
    const c = new Client(server.url);
    const { task_id } = await json<{ task_id: string }>(await c.post('/api/generate', { ...PONY, steps: 20 }));
    const events = await c.get(`/api/events/${task_id}`);
    const mismatches: string[] = [];
    let compared = 0;
    await readSse(
      events,
      (name) => name === 'completed' || name === 'failed',
      60_000,
      async (ev) => {
        const data = ev.data as { status?: string; progress?: number; stage?: string };
        if (ev.event !== 'progress' || data.status !== 'running') return;
        const s = await json<{ status: string; progress: number; stage: string }>(
          await c.get(`/api/status/${task_id}`),
        );
        compared += 1;
        // progress only rises: the status read may be further along, never behind
        if (s.status === 'running' && s.progress < (data.progress ?? 0)) {
          mismatches.push(`event ${data.progress} / status ${s.progress}`);
        }
      },
    );
    expect(compared).toBeGreaterThan(3);
    expect(mismatches).toEqual([]);
  }, 120_000);
});

describe('a drain never cancels', () => {
  it('SIGTERM while a job runs, then restart: the job completes on its backend, never cancelled', async () => {
    const sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.3 });
    cleanup.push(() => sim.stop());
    const dataDir = tempDir();
    const env = { COMFYUI_URLS: sim.urls.join(',') };
    const first = await startGatewayProcess({ dataDir, env, readyAccounts: 1 });
    cleanup.push(() => first.stop('SIGKILL'));
    const c = new Client(first.url);
    const { task_id } = await json<{ task_id: string }>(await c.post('/api/generate', { ...PONY, steps: 40 }));
    await waitFor(async () => {
      const s = await json<{ status: string; progress: number }>(await c.get(`/api/status/${task_id}`));
      return s.status === 'running' && s.progress > 0 ? s : undefined;
    }, 60_000);
    const exit = await first.stop('SIGTERM');
    expect(exit).toBe(0);
    // the prompt is still running (or done) on the backend: nothing interrupted it
    const stats = await json<{ queue: { running: string | null } }>(await fetch(`${sim.urls[0]}/sim/stats`));
    const promptId = stats.queue.running;

    const second = await startGatewayProcess({ dataDir, env, port: first.port, readyAccounts: 1 });
    cleanup.push(() => second.stop('SIGKILL'));
    const done = await waitFor(async () => {
      const s = await json<{ status: string }>(await c.get(`/api/status/${task_id}`));
      return s.status === 'running' || s.status === 'queued' ? undefined : s;
    }, 90_000);
    expect(done.status).toBe('completed');
    if (promptId) {
      const history = await json<Record<string, { status: { status_str: string } }>>(
        await fetch(`${sim.urls[0]}/history/${promptId}`),
      );
      expect(history[promptId]?.status.status_str).toBe('success');
    }
  }, 240_000);
});

describe('recovery', () => {
  it('a failed account is ready again within 5 s of its backend answering again (re-check on reconnect)', async () => {
    const port = await freePort();
    let sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.02, ports: [port] });
    cleanup.push(() => sim.stop());
    const server = await gatewayOn(sim);
    const a = await admin(server);
    const account = await onlyAccount(a);
    await sim.stop();
    const failed = await json<{ status: string }>(await a.post(`/api/admin/accounts/${account.id}/check`));
    expect(failed.status).toBe('failed');
    sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.02, ports: [port] });
    cleanup.push(() => sim.stop());
    // the bound is the acceptance line itself: waitFor fails the test past 5 s
    await waitFor(async () => {
      const v = await json<AccountView>(await a.get(`/api/admin/accounts/${account.id}`));
      return v.status === 'ready' ? v : undefined;
    }, 5_000);
  }, 120_000);
});
