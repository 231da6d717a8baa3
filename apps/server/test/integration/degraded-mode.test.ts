import { afterAll, describe, expect, it } from 'vitest';
import { startSimulatorProcess, type SimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import { Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';

let sim: SimulatorProcess;
let gw: TestServer;
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

const video = (i: number, size = 512) => ({
  type: 'video',
  model: 'anisora',
  mode: 't2v',
  prompt: `a lantern festival, shot ${i}`,
  width: size,
  height: size,
  seed: i,
  num_frames: 81,
});

describe('degraded mode (no dedicated video lane ready)', () => {
  it('admits 25 waiting video jobs on shared GPUs, refuses the 26th with the full 503 body, and fails jobs that wait 30 s', async () => {
    // realistic timing: the first job holds the only (shared) GPU for well over 30 s
    sim = await startSimulatorProcess({ gpus: 1, timeScale: 1 });
    gw = await startTestServer({
      env: {
        AUTH_MODE: 'open',
        COMFYUI_URLS: sim.urls[0]!,
        RATE_LIMIT_GENERATE_PER_MINUTE: '1000',
        MAX_QUEUED_PER_USER: '1000',
      },
    });
    const c = new Client(gw.url);
    await waitFor(
      async () =>
        (await json<{ accounts: { ready: number } }>(await c.get('/api/health'))).accounts.ready === 1 || undefined,
      30_000,
      100,
    );
    const first = (await json<{ task_id: string }>(await c.post('/api/generate', video(0, 1024)))).task_id;
    await waitFor(
      async () => ((await json(await c.get(`/api/status/${first}`))).status === 'running' ? true : undefined),
      20_000,
      50,
    );
    const waiting: string[] = [];
    for (let i = 1; i <= 25; i++) {
      const res = await c.post('/api/generate', video(i));
      expect(res.status, `job ${i}`).toBe(202);
      waiting.push((await json<{ task_id: string }>(res)).task_id);
    }
    const refused = await c.post('/api/generate', video(26));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await json(refused);
    expect(body).toMatchObject({
      status: 'error',
      code: 'queue_overloaded',
      user_action: 'Retry later.',
      detail: { code: 'queue_overloaded', user_action: 'Retry later.' },
    });
    expect(String(body.error)).toMatch(/overloaded/);
    // images are not affected by the video bound
    expect(
      (
        await c.post('/api/generate', {
          type: 'image',
          model: 'pony',
          mode: 'txt2img',
          prompt: 'a teapot',
          width: 512,
          height: 512,
          seed: 1,
        })
      ).status,
    ).toBe(202);

    const expired = await waitFor(
      async () => {
        const s = await json<{
          status: string;
          code?: string;
          retriable?: boolean;
          created_at: string;
          updated_at: string;
        }>(await c.get(`/api/status/${waiting[0]}`));
        return s.status === 'failed' ? s : undefined;
      },
      45_000,
      250,
    );
    // not a moment early: the gateway's own record of the wait (the exact boundary is a JobRunner unit test)
    expect(Date.parse(expired.updated_at) - Date.parse(expired.created_at)).toBeGreaterThanOrEqual(30_000);
    expect(expired).toMatchObject({ code: 'queue_overloaded', retriable: true });
    // each one expires 30 s after its own creation (on a loaded machine the 25 requests span seconds): wait for all
    await waitFor(
      async () => {
        const all = await Promise.all(
          waiting.map(async (id) => (await json<{ status: string }>(await c.get(`/api/status/${id}`))).status),
        );
        return all.every((s) => s === 'failed') || undefined;
      },
      45_000,
      250,
    );
    expect((await json(await c.get(`/api/status/${first}`))).status).toBe('running');
  }, 120_000);
});
