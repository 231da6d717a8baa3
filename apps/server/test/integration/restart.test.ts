import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/adapters/simulator/simulator-process.ts';
import { Client, json, tempDir, waitFor } from '../test-server.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const children: ChildProcess[] = [];

async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    // a backend that never answers: accepted tasks stay queued, which is what this test needs
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_MODE: 'open',
      COMFYUI_URLS: 'http://127.0.0.1:9',
      LOG_LEVEL: 'warn',
      ADMIN_KEY: 'restart-test-admin-key-0001',
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

afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('gateway restart', () => {
  it('every accepted task survives a killed process, in its state', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await startServer(dataDir, port);
    const c = new Client(`http://127.0.0.1:${port}`);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await c.post('/api/generate', {
        type: 'image',
        model: 'flux',
        mode: 'txt2img',
        prompt: `a bowl of fruit ${i}`,
        width: 512,
        height: 512,
        seed: i,
      });
      expect(res.status).toBe(202);
      ids.push((await json<{ task_id: string }>(res)).task_id);
    }
    await c.post(`/api/cancel/${ids[0]}`);
    // no graceful shutdown: the answer 202 must already be on disk
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await startServer(dataDir, port);
    const states = await Promise.all(
      ids.map(async (id) => await json<{ status: string; queue_position?: number }>(await c.get(`/api/status/${id}`))),
    );
    expect(states.map((s) => s.status)).toEqual(['cancelled', 'queued', 'queued', 'queued', 'queued']);
    expect(states.slice(1).map((s) => s.queue_position)).toEqual([1, 2, 3, 4]);
  }, 90_000);
});
