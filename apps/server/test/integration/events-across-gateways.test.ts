import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatorProcess, type SimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import { startGatewayProcess, type GatewayProcess } from '../gateway-process.ts';
import { freshDatabase } from '../test-databases.ts';
import { Client, json, readSse, tempDir, waitFor } from '../test-server.ts';

// Two active gateways on one PostgreSQL and one simulated GPU. A starts first and leases the only account, so every
// job runs on A; B accepts, streams, previews and cancels jobs it does not run.
const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a heron standing in a misty pond',
  width: 512,
  height: 512,
  seed: 3,
  steps: 30,
};

let sim: SimulatorProcess;
let a: GatewayProcess;
let b: GatewayProcess;

async function newUser(g: GatewayProcess, name: string): Promise<{ key: string; on: (g: GatewayProcess) => Client }> {
  const admin = new Client(g.url);
  expect(
    (await admin.post('/api/admin/session', undefined, { 'x-admin-key': 'gateway-process-admin-key-01' })).status,
  ).toBe(200);
  const res = await admin.post('/api/admin/users', { name });
  expect(res.status).toBe(201);
  const { access_key: key } = await json<{ access_key: string; id: string }>(res);
  return { key, on: (x) => new Client(x.url, { 'x-api-key': key }) };
}

beforeAll(async () => {
  sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.3 });
  const env = {
    DATABASE_URL: await freshDatabase('two_gateways'),
    COMFYUI_URLS: sim.urls.join(','),
    AUTH_MODE: 'key',
    RATE_LIMIT_GENERATE_PER_MINUTE: '6',
  };
  const dataDir = tempDir(); // a shared volume: both serve the same media
  a = await startGatewayProcess({ dataDir, env, readyAccounts: 1 });
  b = await startGatewayProcess({ dataDir, env });
}, 180_000);

afterAll(async () => {
  await b?.stop('SIGKILL');
  await a?.stop('SIGKILL');
  await sim?.stop();
});

describe('two gateways on one PostgreSQL', () => {
  it('a job accepted on B, run on A, is followed over SSE on B to completion with progress; B serves its preview', async () => {
    const user = await newUser(a, 'two-follow');
    const onB = user.on(b);
    const { task_id } = await json<{ task_id: string }>(await onB.post('/api/generate', PONY));
    const stream = await onB.get(`/api/events/${task_id}`);
    expect(stream.status).toBe(200);
    let previewStatus = 0;
    const events = await readSse(
      stream,
      (e) => e === 'completed' || e === 'failed' || e === 'cancelled',
      120_000,
      async (e) => {
        if (e.event === 'preview' && previewStatus !== 200)
          previewStatus = (await onB.get(`/api/preview/${task_id}`)).status;
      },
    );
    const running = events.filter(
      (e) => e.event === 'progress' && (e.data as { status: string; progress: number }).status === 'running',
    );
    expect(running.length).toBeGreaterThan(1);
    expect(previewStatus).toBe(200);
    expect(events.at(-1)?.event).toBe('completed');
    const status = await json<{ status: string; progress: number }>(await onB.get(`/api/status/${task_id}`));
    expect(status).toMatchObject({ status: 'completed', progress: 100 });
    expect((await onB.get(`/api/results/${task_id}`)).status).toBe(200);
  }, 180_000);

  it('a cancel sent to B cancels the job A runs; B shows live progress of it before', async () => {
    const user = await newUser(a, 'two-cancel');
    const onB = user.on(b);
    const { task_id } = await json<{ task_id: string }>(await onB.post('/api/generate', { ...PONY, seed: 4 }));
    await waitFor(async () => {
      const s = await json<{ status: string; progress: number }>(await onB.get(`/api/status/${task_id}`));
      return s.status === 'running' && s.progress > 0;
    }, 60_000);
    expect((await onB.post(`/api/cancel/${task_id}`)).status).toBeLessThan(300);
    const end = await waitFor(async () => {
      const s = await json<{ status: string }>(await onB.get(`/api/status/${task_id}`));
      return s.status === 'running' ? undefined : s;
    }, 20_000);
    expect(end.status).toBe('cancelled');
  }, 120_000);

  it('a key rotated on A is refused on B within a second', async () => {
    const admin = new Client(a.url);
    await admin.post('/api/admin/session', undefined, { 'x-admin-key': 'gateway-process-admin-key-01' });
    const res = await admin.post('/api/admin/users', { name: 'two-revoke' });
    const { id, access_key } = await json<{ id: string; access_key: string }>(res);
    const onB = new Client(b.url, { 'x-api-key': access_key });
    expect((await onB.get('/api/tasks')).status).toBe(200); // cached on B
    expect((await admin.post(`/api/admin/users/${id}/rotate-key`)).status).toBeLessThan(300);
    const sent = Date.now();
    await waitFor(async () => (await onB.get('/api/tasks')).status === 401, 1000, 20);
    expect(Date.now() - sent).toBeLessThan(1000);
  });

  it('the per-user generate limit holds across A and B together', async () => {
    const user = await newUser(a, 'two-limit');
    // the windows are aligned to the clock minute: start well inside one, so all eight hits fall in it
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await new Promise((r) => setTimeout(r, left + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const g = i % 2 === 0 ? a : b;
      statuses.push((await user.on(g).post('/api/generate', { ...PONY, seed: 100 + i, steps: 4 })).status);
    }
    // 6 per minute for both together: each alone saw only 4
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 429, 429]);
  });
});
