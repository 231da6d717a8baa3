/* Per-job costs on the simulator backend: the gateway's overhead around a job, and the push latency of progress. */
import { ComfyUiClient } from '../apps/server/src/adapters/engines/comfyui/comfyui-client.ts';
import { startSimulatorProcess } from '../apps/server/src/adapters/simulator/simulator-process.ts';
import { Client, json, startTestServer, waitFor } from '../apps/server/test/test-server.ts';

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

/** One simulated GPU and an in-process gateway on it, once its account is ready. */
async function simulatedGateway(timeScale: number) {
  const sim = await startSimulatorProcess({ gpus: 1, timeScale });
  const gw = await startTestServer({
    env: { AUTH_MODE: 'open', COMFYUI_URLS: sim.urls[0]!, RATE_LIMIT_GENERATE_PER_MINUTE: '100000' },
  });
  const c = new Client(gw.url);
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await c.get('/api/health'))).accounts.ready === 1 || undefined,
    30_000,
    100,
  );
  return { sim, gw, c };
}

export async function overhead(out: (s?: string) => void): Promise<{ p99: number }> {
  out('## 2. Gateway overhead per job (simulator backend)');
  const { sim, gw, c } = await simulatedGateway(0.02);
  out('| kind | jobs | overhead p50 ms | overhead p99 ms | output transfer p50 ms (apart) |');
  out('|---|---|---|---|---|');
  let worst = 0;
  for (const [kind, body] of [
    [
      'image (pony 512², 20 steps)',
      {
        type: 'image',
        model: 'pony',
        mode: 'txt2img',
        prompt: 'a lighthouse',
        width: 512,
        height: 512,
        seed: 1,
        steps: 20,
      },
    ],
    [
      'video (anisora 512², 17 frames)',
      {
        type: 'video',
        model: 'anisora',
        mode: 't2v',
        prompt: 'a lake',
        width: 512,
        height: 512,
        seed: 1,
        num_frames: 17,
      },
    ],
  ] as const) {
    const samples: number[] = [];
    const transfers: number[] = [];
    // two untimed jobs first: the first run of a kind compiles its code paths (JIT), which is not per-job overhead
    for (let i = 0; i < 2; i++) await c.post('/api/generate', { ...body, seed: 1000 + i }, { prefer: 'wait=60' });
    for (let i = 0; i < 15; i++) {
      const r = await json<{ metadata: { inference_time: number; gpu_time: number; transfer_time?: number } }>(
        await c.post('/api/generate', { ...body, seed: i }, { prefer: 'wait=60' }),
      );
      const m = r.metadata;
      samples.push((m.inference_time - m.gpu_time - (m.transfer_time ?? 0)) * 1000);
      transfers.push((m.transfer_time ?? 0) * 1000);
    }
    samples.sort((x, y) => x - y);
    transfers.sort((x, y) => x - y);
    worst = Math.max(worst, samples[samples.length - 1]!);
    out(
      `| ${kind} | ${samples.length} | ${f1(samples[Math.floor(samples.length / 2)]!)} | ${f1(samples[samples.length - 1]!)} | ${f1(transfers[Math.floor(transfers.length / 2)]!)} |`,
    );
  }
  out();
  out(
    'Overhead = gateway-observed engine time − simulator-reported execution time − the `/view` download (`metadata.transfer_time`, measured apart): submit, upload, WebSocket follow-up and `/history` (target p99 < 5 ms). Two untimed jobs of each kind run first (JIT warm-up). The simulator stamps its execution with `Date.now()`, so each sample carries up to ±1 ms of rounding.',
  );
  out();
  await gw.close();
  await sim.stop();
  return { p99: worst };
}

/** From the moment a backend `progress` frame reaches the gateway's socket to the SSE event at an HTTP client. */
export async function pushLatency(out: (s?: string) => void): Promise<void> {
  out('## 3. Push latency (backend WebSocket message → SSE event)');
  const received: number[] = [];
  const original = ComfyUiClient.prototype.emit;
  // observe (not change) the client's event stream: stamp each backend progress frame as it arrives
  ComfyUiClient.prototype.emit = function (this: ComfyUiClient, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && (args[0] as { type?: string }).type === 'progress') received.push(performance.now());
    return original.call(this, event, ...args);
  };
  const { sim, gw, c } = await simulatedGateway(0.2);
  const latencies: number[] = [];
  for (let i = 0; i < 6; i++) {
    received.length = 0;
    const id = (
      await json<{ task_id: string }>(
        await c.post('/api/generate', {
          type: 'image',
          model: 'pony',
          mode: 'txt2img',
          prompt: 'latency',
          width: 1024,
          height: 1024,
          seed: i,
          steps: 25,
        }),
      )
    ).task_id;
    const res = await c.get(`/api/events/${id}`);
    const reader = res.body!.getReader();
    const arrived: number[] = [];
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const now = performance.now();
      buf += new TextDecoder().decode(value);
      let k: number;
      while ((k = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, k);
        buf = buf.slice(k + 2);
        if (chunk.includes('event: progress') && chunk.includes('"stage":"sampling"')) arrived.push(now);
      }
      if (buf.includes('event: completed') || buf.includes('event: failed')) break;
    }
    await reader.cancel().catch(() => undefined);
    // each backend progress frame yields one sampling event (node starts add a few more at the front): pair from the end
    const n = Math.min(arrived.length, received.length);
    for (let j = 1; j <= n; j++) latencies.push(arrived[arrived.length - j]! - received[received.length - j]!);
  }
  ComfyUiClient.prototype.emit = original;
  latencies.sort((a, b) => a - b);
  const p = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  out(
    `${latencies.length} progress events over 6 jobs: p50 **${f2(p(0.5))} ms**, p99 **${f2(p(0.99))} ms** (target p99 < 20 ms). The SSE client is Node's fetch in the same process, standing in for the browser.`,
  );
  out();
  await gw.close();
  await sim.stop();
}
