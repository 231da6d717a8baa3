import { afterAll, describe, expect, it } from 'vitest';
import { startSimulatorProcess, type SimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import { startGatewayProcess, type GatewayProcess } from '../gateway-process.ts';
import { json, simulatorExecutions, tempDir, waitFor } from '../test-server.ts';

// Group commit answers 202 only once a batch is durable: a SIGKILL in the middle of a burst must lose no job that
// was answered 202, and a client that got no answer and retries with its Idempotency-Key must not get a twin.

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const ENV = {
  RATE_LIMIT_GENERATE_PER_MINUTE: '100000',
  RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '100000',
  MAX_QUEUED_PER_USER: '100000',
  MAX_QUEUE: '100000',
};

const body = (i: number): string =>
  JSON.stringify({
    type: 'image',
    model: 'pony',
    mode: 'txt2img',
    prompt: `a red fox in fresh snow, study ${i}`,
    width: 512,
    height: 512,
    steps: 4,
    seed: i,
  });

async function send(url: string, i: number): Promise<{ status: number; taskId?: string; replay: boolean }> {
  const res = await fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `burst-${i}` },
    body: body(i),
  });
  // 202 when accepted; a replay of a job that has already finished answers 200 with its end state
  const taskId = res.status === 202 || res.status === 200 ? (await json<{ task_id: string }>(res)).task_id : undefined;
  if (!taskId) await res.body?.cancel();
  return { status: res.status, ...(taskId ? { taskId } : {}), replay: res.headers.get('idempotent-replay') === 'true' };
}

describe('SIGKILL during an admission burst', () => {
  it('every job answered 202 is there after the restart; retried unanswered requests run once', async () => {
    const sim: SimulatorProcess = await startSimulatorProcess({ gpus: 2, timeScale: 0.02 });
    cleanup.push(() => sim.stop());
    const dataDir = tempDir();
    let gw: GatewayProcess = await startGatewayProcess({
      dataDir,
      readyAccounts: 2,
      env: { ...ENV, COMFYUI_URLS: sim.urls.join(',') },
    });
    cleanup.push(() => gw.stop('SIGKILL'));
    const port = gw.port;

    const TOTAL = 120;
    const answered = new Map<number, string>();
    const unanswered = new Set<number>();
    let next = 0;
    let killed = false;
    // 24 clients send back to back; the gateway is killed once 40 jobs have been answered, mid-stream
    const client = async (): Promise<void> => {
      while (next < TOTAL) {
        const i = next++;
        try {
          const r = await send(gw.url, i);
          if (r.status === 202 && r.taskId) answered.set(i, r.taskId);
          else unanswered.add(i);
        } catch {
          unanswered.add(i);
        }
        if (!killed && answered.size >= 40) {
          killed = true;
          gw.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 24 }, client));
    await gw.exited;
    expect(killed).toBe(true);
    expect(answered.size).toBeGreaterThanOrEqual(40);
    // the kill really cut the burst: some requests got no answer
    expect(unanswered.size).toBeGreaterThan(0);

    gw = await startGatewayProcess({
      dataDir,
      port,
      readyAccounts: 2,
      env: { ...ENV, COMFYUI_URLS: sim.urls.join(',') },
    });
    cleanup.push(() => gw.stop('SIGKILL'));

    // nothing answered 202 was lost
    for (const [, id] of answered) {
      const res = await fetch(`${gw.url}/api/status/${id}`);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    // a client retries what got no answer with the same key: a replay where the job was committed, else a new one
    const all = new Map(answered);
    for (const i of unanswered) {
      const r = await send(gw.url, i);
      expect([200, 202]).toContain(r.status);
      all.set(i, r.taskId!);
    }
    // and a retry of an answered one is a replay of the same task
    const [firstKey, firstId] = [...answered][0]!;
    const again = await send(gw.url, firstKey);
    expect(again).toMatchObject({ taskId: firstId, replay: true });

    const ids = [...new Set(all.values())];
    expect(ids).toHaveLength(all.size);
    const final = await waitFor(
      async () => {
        const s = await Promise.all(
          ids.map(async (id) => (await json<{ status: string }>(await fetch(`${gw.url}/api/status/${id}`))).status),
        );
        return s.every((x) => ['completed', 'failed', 'cancelled'].includes(x)) ? s : undefined;
      },
      240_000,
      500,
    );
    expect(final.filter((x) => x === 'completed')).toHaveLength(ids.length);
    const runs = await simulatorExecutions(sim.urls);
    // no job ran twice (a job interrupted by the kill is re-attached, not re-submitted)
    expect(runs.counts.every((n) => n === 1)).toBe(true);
    expect(runs.total).toBe(ids.length);
  }, 360_000);
});
