import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { verifyWebhook } from '@mediagen/client';
import { zWebhookLog, type WebhookLog } from '@mediagen/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startSimulatorProcess,
  type SimulatorProcess,
} from '../../src/adapters/simulator/simulator-process.ts';
import { Client, json, tempDir, waitFor } from '../test-server.ts';
import { WebhookReceiver } from '../webhook-receiver.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const children: ChildProcess[] = [];
const receiver = new WebhookReceiver();

async function startGateway(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    // a slow simulated GPU: the task is cancelled while it runs, and `cancelled` is the event under test
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_MODE: 'open',
      COMFYUI_URLS: sim?.urls.join(',') ?? '',
      LOG_LEVEL: 'warn',
      ADMIN_KEY: 'webhook-restart-admin-key-01',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_BASE_MS: '1500',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  await waitFor(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/api/health`)).ok || undefined;
      } catch {
        return undefined;
      }
    },
    30_000,
    100,
  );
  return child;
}

async function log(c: Client, id: string): Promise<WebhookLog> {
  return zWebhookLog.parse(await (await c.get(`/api/tasks/${id}/webhooks`)).json());
}

let sim: SimulatorProcess | undefined;

beforeAll(async () => {
  await receiver.start();
  sim = await startSimulatorProcess({ gpus: 1, timeScale: 20 });
});

afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  await receiver.close();
  await sim?.stop();
});

describe('webhook outbox across a gateway restart', () => {
  it('a delivery that failed before the gateway was killed is delivered after it restarts', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await startGateway(dataDir, port);
    const c = new Client(`http://127.0.0.1:${port}`);
    const { secret } = await json<{ secret: string }>(await c.post('/api/account/webhook-secret'));
    const res = await c.post('/api/generate', {
      type: 'image',
      model: 'flux',
      mode: 'txt2img',
      prompt: 'a bowl of fruit',
      width: 512,
      height: 512,
      seed: 1,
      webhook_url: `${receiver.url}/restart`,
    });
    expect(res.status).toBe(202);
    const id = (await json<{ task_id: string }>(res)).task_id;
    receiver.fallback = 500;
    expect((await c.post(`/api/cancel/${id}`)).status).toBe(200);
    // the first try failed and the next one is scheduled: kill the gateway (no graceful shutdown)
    await waitFor(async () => ((await log(c, id)).items[0]?.tries.length === 1 ? true : undefined));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const before = receiver.on('/restart').length;
    receiver.fallback = 204;

    await startGateway(dataDir, port);
    const delivered = await waitFor(
      async () => {
        const l = await log(c, id);
        return l.items[0]?.status === 'delivered' ? l : undefined;
      },
      30_000,
      100,
    );
    const message = delivered.items[0]!;
    expect(message.event).toBe('cancelled');
    expect(message.tries.at(0)).toMatchObject({ attempt: 1, response_status: 500, outcome: 'retry' });
    expect(message.tries.at(-1)).toMatchObject({ response_status: 204, outcome: 'delivered' });
    const hits = receiver.on('/restart');
    expect(hits.length).toBeGreaterThan(before);
    expect(hits.filter((h) => h.answered === 204)).toHaveLength(1);
    const last = hits.at(-1)!;
    expect(last.headers['webhook-id']).toBe(message.id);
    const task = await verifyWebhook(secret, last.headers, last.body);
    expect(task).toMatchObject({ task_id: id, status: 'cancelled' });
  }, 90_000);
});
