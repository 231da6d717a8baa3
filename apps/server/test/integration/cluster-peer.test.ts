import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelSignals } from '#adapters/cluster/channel-signals.ts';
import { createPostgresMessageChannel } from '#adapters/cluster/postgres-message-channel.ts';
import { createPostgresPreviewFrames } from '#adapters/cluster/postgres-preview-frames.ts';
import { createClusterTaskBus } from '#adapters/events/cluster-task-bus.ts';
import { createInProcessTaskBus } from '#adapters/events/in-process-task-bus.ts';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import { startSimulatorProcess, type SimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import type { ClusterSignals } from '#ports/cluster-signals.ts';
import type { TaskEventBus, TaskEventEnvelope } from '#ports/task-event-bus.ts';
import { hashToken } from '#services/auth.service.ts';
import { startGatewayProcess, type GatewayProcess } from '../gateway-process.ts';
import { freshDatabase } from '../test-databases.ts';
import { Client, json, tempDir, waitFor } from '../test-server.ts';

// One gateway process on PostgreSQL, and in this test the adapters another gateway would use on the same database
// (its bus, its signals, its preview reads, its rate-limit hits): what crosses instances, seen from both sides.
const log = pino({ level: 'silent' });
const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a red fox in a snowy forest',
  width: 512,
  height: 512,
  seed: 7,
  steps: 30,
};

let sim: SimulatorProcess;
let gateway: GatewayProcess;
let url: string;
let pool: pg.Pool;
let admin: Client;
let peer: { bus: TaskEventBus; signals: ClusterSignals; close(): Promise<void> };
const seen: TaskEventEnvelope[] = [];

async function newUser(name: string): Promise<{ id: string; key: string; client: Client }> {
  const res = await admin.post('/api/admin/users', { name });
  expect(res.status).toBe(201);
  const u = await json<{ id: string; access_key: string }>(res);
  return { id: u.id, key: u.access_key, client: new Client(gateway.url, { 'x-api-key': u.access_key }) };
}

beforeAll(async () => {
  sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.3 });
  url = await freshDatabase('peer');
  gateway = await startGatewayProcess({
    dataDir: tempDir(),
    env: { DATABASE_URL: url, COMFYUI_URLS: sim.urls.join(','), AUTH_MODE: 'key', RATE_LIMIT_GENERATE_PER_MINUTE: '8' },
    readyAccounts: 1,
  });
  admin = new Client(gateway.url);
  const login = await admin.post('/api/admin/session', undefined, { 'x-admin-key': 'gateway-process-admin-key-01' });
  expect(login.status).toBe(200);
  pool = openPostgresPool(url, 4);
  const channel = createPostgresMessageChannel({ url, pool, instanceId: 'peer', log });
  const bus = createClusterTaskBus({ local: createInProcessTaskBus(), channel, log });
  const signals = createChannelSignals(channel, log);
  bus.subscribeAll((e) => seen.push(e));
  await channel.ready();
  peer = {
    bus,
    signals,
    async close() {
      await bus.close();
      await signals.close();
      await channel.close();
    },
  };
}, 120_000);

afterAll(async () => {
  await peer?.close();
  await pool?.end();
  await gateway?.stop('SIGKILL');
  await sim?.stop();
});

describe('what crosses gateways on PostgreSQL', () => {
  it('a job is followed from another gateway: progress, a shared preview frame, the completed result', async () => {
    const { client } = await newUser('peer-follow');
    const { task_id } = await json<{ task_id: string }>(await client.post('/api/generate', PONY));
    const frames = createPostgresPreviewFrames(pool, log);
    try {
      const frame = await waitFor(() => frames.get(task_id), 60_000, 50);
      expect(frame.image.length).toBeGreaterThan(0);
      expect(frame.mime).toMatch(/^image\//);
      await waitFor(() => seen.some((e) => e.event.data.task_id === task_id && e.event.event === 'completed'), 90_000);
      const mine = seen.filter((e) => e.event.data.task_id === task_id);
      expect(mine.every((e) => e.remote === true)).toBe(true);
      const running = mine.filter((e) => e.event.event === 'progress' && e.event.data.status === 'running');
      expect(running.length).toBeGreaterThan(1);
      expect(mine.some((e) => e.event.event === 'preview')).toBe(true);
      const done = mine.at(-1)?.event;
      expect(done?.event === 'completed' && done.data.result.urls.length).toBe(1);
      // the frame is gone once the task ended (a thumbnail replaces it)
      await waitFor(async () => (await frames.get(task_id)) === undefined, 5000);
    } finally {
      frames.close();
    }
  }, 180_000);

  it('a cancel signal from the gateway that does not run the task cancels it', async () => {
    const { client } = await newUser('peer-cancel');
    const { task_id } = await json<{ task_id: string }>(await client.post('/api/generate', { ...PONY, seed: 8 }));
    await waitFor(async () => {
      const s = await json<{ status: string; progress: number }>(await client.get(`/api/status/${task_id}`));
      return s.status === 'running' && s.progress > 0;
    }, 60_000);
    peer.signals.send({ kind: 'cancel', taskId: task_id });
    const end = await waitFor(async () => {
      const s = await json<{ status: string }>(await client.get(`/api/status/${task_id}`));
      return s.status === 'running' ? undefined : s;
    }, 20_000);
    expect(end.status).toBe('cancelled');
  }, 120_000);

  it('a key revoked on the other gateway is refused here within a second (not after the cache TTL)', async () => {
    const { id, client } = await newUser('peer-revoke');
    expect((await client.get('/api/tasks')).status).toBe(200); // the key is now cached here
    // what the other gateway's rotate did: a new key hash, then the signal
    await pool.query('UPDATE users SET key_hash = $1 WHERE id = $2', [hashToken('mgk_rotated-elsewhere'), id]);
    expect((await client.get('/api/tasks')).status).toBe(200); // still cached: the signal is what ends it
    const sent = Date.now();
    peer.signals.send({ kind: 'auth-forget', userId: id });
    await waitFor(async () => (await client.get('/api/tasks')).status === 401, 1000, 20);
    expect(Date.now() - sent).toBeLessThan(1000);
  });

  it('the per-user generate limit counts the hits of the other gateway too', async () => {
    const { id, client } = await newUser('peer-limit');
    // the other gateway already took 7 of the 8 in this window (and in the next, should the minute turn now)
    const start = Date.now() - (Date.now() % 60_000);
    for (const w of [start, start + 60_000]) {
      await pool.query('INSERT INTO rate_windows (key, window_start, n) VALUES ($1, $2, 7)', [
        `generate-user:user:${id}`,
        w,
      ]);
    }
    expect((await client.post('/api/generate', { ...PONY, seed: 20 })).status).toBe(202);
    const refused = await client.post('/api/generate', { ...PONY, seed: 21 });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
