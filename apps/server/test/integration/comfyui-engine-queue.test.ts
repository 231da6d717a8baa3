import { resolveGeneration } from '@mediagen/contract';
import { afterAll, describe, expect, it } from 'vitest';
import { createComfyUiEngine } from '../../src/adapters/engines/comfyui/comfyui-engine.ts';
import { startSimulatorProcess, type SimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import type { EngineListener } from '../../src/ports/engine.ts';
import { waitFor } from '../test-server.ts';

let sim: SimulatorProcess | undefined;
const engine = createComfyUiEngine();
afterAll(async () => {
  await engine.close();
  await sim?.stop();
});

const quiet: EngineListener = { onSubmitted: () => undefined, onProgress: () => undefined, onPreview: () => undefined };

describe('ComfyUI adapter cancel of a queued prompt', () => {
  it('deletes it from the backend queue (it never runs), while the running one finishes', async () => {
    sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.3 });
    const backend = { id: 'gpu', name: 'gpu', baseUrl: sim.urls[0]! };
    const params = (seed: number) =>
      resolveGeneration(
        { type: 'video', model: 'phr00t', mode: 't2v', prompt: 'waves', width: 512, height: 512, seed, num_frames: 17 },
        () => seed,
      );
    const first = engine.run(
      { taskId: 'first', backend, params: params(1), inputs: {} },
      quiet,
      new AbortController().signal,
    );
    let secondId = '';
    const abort = new AbortController();
    const second = engine
      .run(
        { taskId: 'second', backend, params: params(2), inputs: {} },
        {
          ...quiet,
          onSubmitted: (id) => {
            secondId = id;
          },
        },
        abort.signal,
      )
      .then(
        () => 'completed',
        (e: { code?: string }) => e.code,
      );
    const stats = async () =>
      (await fetch(`${backend.baseUrl}/sim/stats`)).json() as Promise<{
        queue: { pending: string[] };
        executions: Record<string, number>;
      }>;
    await waitFor(
      async () => (secondId && (await stats()).queue.pending.includes(secondId) ? true : undefined),
      20_000,
      50,
    );
    abort.abort();
    expect(await second).toBe('cancelled');
    expect((await stats()).queue.pending).toEqual([]);
    const result = await first;
    expect(result.files).toHaveLength(1);
    expect((await stats()).executions[secondId]).toBeUndefined();
  }, 60_000);
});
