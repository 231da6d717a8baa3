// Starts several simulated GPUs (one port each) in this process. Used by main.ts and by tests
// that want the simulator in-process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesOfOtherModels, loadCatalog, loadModelFiles, loadModelTraits } from './node-catalog.ts';
import { SimulatedGpu } from './simulated-gpu.ts';
import type { TimingModel } from './timing-model.ts';

export interface SimulatorOptions {
  /** one simulated GPU per port; 0 picks a free port */
  ports: number[];
  host?: string;
  /** multiplies every simulated duration (0.01 = 100× faster) */
  timeScale?: number;
  /** root of the GPUs' input/output/temp folders; default: a temp dir removed on close */
  outputDir?: string;
  /** VRAM per GPU in GiB: one value for all, or one per port */
  vramGb?: number | number[];
  modelsFile?: string;
  /** node classes / model files to leave out; `port:name` entries apply to that port only */
  missingNodes?: string[];
  missingModels?: string[];
  /** models whose files are present (ids of data/model-traits.json); `port:model` entries apply to that port only; unset = all */
  models?: string[];
  /** LoRA files under models/loras (LoraLoader's options); `port:file` entries apply to that port only */
  loras?: string[];
  previews?: boolean;
  metadata?: boolean;
  maxUploadMb?: number;
  corsOrigin?: string;
  wsReuseBug?: boolean;
  timing?: TimingModel;
}

export interface RunningSimulator {
  ports: number[];
  gpus: SimulatedGpu[];
  outputDir: string;
  close(): Promise<void>;
}

/** Entries without a `port:` prefix apply to every GPU. */
export function entriesForPort(entries: string[], port: number): string[] {
  return entries.flatMap((e) => {
    const m = /^(\d+):(.+)$/.exec(e);
    if (!m) return [e];
    return Number(m[1]) === port ? [m[2]!] : [];
  });
}

export async function startSimulator(o: SimulatorOptions): Promise<RunningSimulator> {
  const ownDir = !o.outputDir;
  const root = path.resolve(o.outputDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'comfy-sim-')));
  const gpus: SimulatedGpu[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(gpus.map((g) => g.close()));
    if (ownDir) fs.rmSync(root, { recursive: true, force: true });
  };
  const traits = loadModelTraits();
  try {
    for (const [index, port] of o.ports.entries()) {
      const vram = Array.isArray(o.vramGb) ? (o.vramGb[index] ?? o.vramGb.at(-1) ?? 80) : (o.vramGb ?? 80);
      const only = o.models ? entriesForPort(o.models, port) : undefined;
      const absent = [
        ...entriesForPort(o.missingModels ?? [], port),
        ...(only && only.length > 0 ? filesOfOtherModels(traits, only) : []),
      ];
      const listed = loadModelFiles(o.modelsFile, absent);
      const models = { ...listed, loras: [...(listed.loras ?? []), ...entriesForPort(o.loras ?? [], port)] };
      const gpu = new SimulatedGpu({
        port,
        host: o.host ?? '127.0.0.1',
        dir: path.join(root, port > 0 ? `gpu-${port}` : `gpu-i${index}`),
        catalog: loadCatalog(models, entriesForPort(o.missingNodes ?? [], port)),
        models,
        conditioning: traits.conditioning,
        vramGb: vram,
        config: { timeScale: o.timeScale ?? 1, previews: o.previews ?? true, metadata: o.metadata ?? true },
        ...(o.timing ? { timing: o.timing } : {}),
        ...(o.maxUploadMb ? { maxUploadMb: o.maxUploadMb } : {}),
        ...(o.corsOrigin !== undefined ? { corsOrigin: o.corsOrigin } : {}),
        ...(o.wsReuseBug ? { wsReuseBug: true } : {}),
      });
      gpus.push(gpu);
      await gpu.listen();
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { ports: gpus.map((g) => g.port), gpus, outputDir: root, close };
}
