import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import { startGatewayProcess, type GatewayProcess } from '../gateway-process.ts';
import { Client, json, tempDir, waitFor } from '../test-server.ts';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

const job = (model: string, i: number) => ({
  type: 'image',
  model,
  mode: 'txt2img',
  prompt: `a bowl of fruit ${i}`,
  width: 512,
  height: 512,
  seed: i,
});

describe('gateway restart', () => {
  it('every accepted task survives a killed process, in its state', async () => {
    // one slow simulated GPU: a blocker job runs, the rest wait in the queue
    const sim = await startSimulatorProcess({ gpus: 1, timeScale: 20 });
    stops.push(() => sim.stop());
    const dataDir = tempDir();
    const env = { COMFYUI_URLS: sim.urls.join(',') };
    const first: GatewayProcess = await startGatewayProcess({ dataDir, env, readyAccounts: 1 });
    stops.push(() => first.stop('SIGKILL'));
    const c = new Client(first.url);
    const blocker = (await json<{ task_id: string }>(await c.post('/api/generate', job('pony', 99)))).task_id;
    await waitFor(async () =>
      (await json<{ status: string }>(await c.get(`/api/status/${blocker}`))).status === 'running' ? true : undefined,
    );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await c.post('/api/generate', job('flux', i));
      expect(res.status).toBe(202);
      ids.push((await json<{ task_id: string }>(res)).task_id);
    }
    await c.post(`/api/cancel/${ids[0]}`);
    // no graceful shutdown: the answer 202 must already be on disk
    await first.stop('SIGKILL');
    const second = await startGatewayProcess({ dataDir, env, port: first.port });
    stops.push(() => second.stop('SIGKILL'));
    const states = await Promise.all(
      ids.map(async (id) => await json<{ status: string; queue_position?: number }>(await c.get(`/api/status/${id}`))),
    );
    expect(states.map((s) => s.status)).toEqual(['cancelled', 'queued', 'queued', 'queued', 'queued']);
    expect(states.slice(1).map((s) => s.queue_position)).toEqual([1, 2, 3, 4]);
    // the blocker was running on its backend: it is re-attached, not lost
    expect(['running', 'completed']).toContain(
      (await json<{ status: string }>(await c.get(`/api/status/${blocker}`))).status,
    );
  }, 120_000);
});
