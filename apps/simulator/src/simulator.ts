import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GpuServer } from './gpu-server.ts';
import { loadCatalog, loadModelFiles } from './node-catalog.ts';

export interface SimulatorOptions {
  ports: number[];
  host?: string;
  timeScale?: number;
  outputDir?: string;
  vramGb?: number;
  missingNodes?: string[];
  missingModels?: string[];
}

/** Several simulated GPUs (one port each) in one process. */
export async function startSimulator(o: SimulatorOptions): Promise<{ ports: number[]; gpus: GpuServer[]; close(): Promise<void> }> {
  const root = o.outputDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'comfy-sim-'));
  const models = loadModelFiles(undefined, o.missingModels ?? []);
  const gpus: GpuServer[] = [];
  for (const port of o.ports) {
    const gpu = new GpuServer({
      port, host: o.host ?? '127.0.0.1', timeScale: o.timeScale ?? 1, dir: path.join(root, `gpu-${port}`),
      catalog: loadCatalog(models, o.missingNodes ?? []), models, vramGb: o.vramGb ?? 80,
    });
    await gpu.listen();
    gpus.push(gpu);
  }
  const ports = gpus.map((g) => {
    const a = g.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  });
  return { ports, gpus, close: async () => void (await Promise.all(gpus.map((g) => g.close()))) };
}
