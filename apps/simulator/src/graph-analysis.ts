import type { Graph } from './graph-validation.ts';
import { LOADER_FILE_INPUTS } from './node-catalog.ts';

export interface OutputPlan {
  nodeId: string;
  kind: 'image' | 'video' | 'webm' | 'webp';
  prefix: string;
  fps: number;
}

export interface GraphPlan {
  width: number;
  height: number;
  frames: number;
  batch: number;
  seed: number;
  steps: number;
  text: string;
  /** model files the graph loads: its "model identity" for load-time simulation */
  modelKey: string;
  isVideo: boolean;
  /** file loaded by a LoadImage, if any */
  loadImage?: string;
  outputs: OutputPlan[];
  samplerNodes: string[];
}

const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d);

/** Reads what a (validated) graph would produce: size, frames, steps, seed, model, outputs. */
export function analyzeGraph(graph: Graph, imageSize: (file: string) => { width: number; height: number } | undefined): GraphPlan {
  let width = 512;
  let height = 512;
  let frames = 1;
  let batch = 1;
  let isVideo = false;
  let loadImage: string | undefined;
  const files: string[] = [];
  const texts: string[] = [];
  let seed = 0;
  let steps = 0;
  const samplerNodes: string[] = [];
  const outputs: OutputPlan[] = [];
  const fpsOf = (id: string): number => {
    for (const n of Object.values(graph)) if (n.class_type === 'CreateVideo') return num(n.inputs.fps, 30);
    return num(graph[id]?.inputs.fps, 16);
  };
  for (const [id, n] of Object.entries(graph)) {
    const i = n.inputs;
    switch (n.class_type) {
      case 'EmptyLatentImage':
      case 'EmptySD3LatentImage':
        width = num(i.width, width); height = num(i.height, height); batch = num(i.batch_size, 1);
        break;
      case 'EmptyHunyuanLatentVideo':
      case 'WanImageToVideo':
      case 'WanFirstLastFrameToVideo':
      case 'WanMultiFrameRefToVideo':
      case 'WanVaceToVideo':
        width = num(i.width, width); height = num(i.height, height); frames = num(i.length, 81); batch = num(i.batch_size, 1); isVideo = true;
        break;
      case 'LoadImage':
        loadImage = String(i.image);
        break;
      case 'RepeatLatentBatch':
        batch = num(i.amount, 1);
        break;
      case 'KSampler':
        seed = num(i.seed, 0); steps += num(i.steps, 20); samplerNodes.push(id);
        break;
      case 'KSamplerAdvanced': {
        const total = num(i.steps, 20);
        seed = num(i.noise_seed, seed);
        steps += Math.max(0, Math.min(num(i.end_at_step, total), total) - num(i.start_at_step, 0));
        samplerNodes.push(id);
        break;
      }
      case 'CLIPTextEncode':
        texts.push(String(i.text ?? ''));
        break;
      case 'SaveImage':
        outputs.push({ nodeId: id, kind: 'image', prefix: String(i.filename_prefix ?? 'ComfyUI'), fps: 0 });
        break;
      case 'SaveVideo':
        outputs.push({ nodeId: id, kind: 'video', prefix: String(i.filename_prefix ?? 'video/ComfyUI'), fps: fpsOf(id) });
        break;
      case 'SaveWEBM':
        outputs.push({ nodeId: id, kind: 'webm', prefix: String(i.filename_prefix ?? 'ComfyUI'), fps: num(i.fps, 24) });
        break;
      case 'SaveAnimatedWEBP':
        outputs.push({ nodeId: id, kind: 'webp', prefix: String(i.filename_prefix ?? 'ComfyUI'), fps: num(i.fps, 6) });
        break;
      default:
        break;
    }
    for (const f of LOADER_FILE_INPUTS) if (f.node === n.class_type && typeof i[f.input] === 'string') files.push(String(i[f.input]));
  }
  // img2img: the latent comes from the loaded picture, so its size decides
  const encodesImage = Object.values(graph).some((n) => n.class_type === 'VAEEncode');
  if (encodesImage && loadImage && !isVideo) {
    const s = imageSize(loadImage);
    if (s) ({ width, height } = s);
  }
  return {
    width, height, frames, batch, seed, steps: Math.max(1, steps), text: texts.join('|'), modelKey: [...new Set(files)].sort().join('+'),
    isVideo, outputs, samplerNodes, ...(loadImage ? { loadImage } : {}),
  };
}

export interface TimingModel {
  /** seconds to load a model set the GPU did not have loaded */
  loadSeconds(plan: GraphPlan): number;
  /** seconds per sampler step */
  stepSeconds(plan: GraphPlan): number;
}

/** Realistic-order defaults (H100-class), scaled by SIM_TIME_SCALE by the caller. */
export const DEFAULT_TIMING: TimingModel = {
  loadSeconds: (p) => (p.isVideo ? 8 : 4),
  stepSeconds: (p) => {
    const mp = (p.width * p.height) / 1_000_000;
    return p.isVideo ? 2.5 * (mp / 0.262144) * (p.frames / 81) : 0.15 * mp * Math.max(1, p.batch);
  },
};
