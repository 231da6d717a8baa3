// Reads a validated API graph the way the simulator needs it: which nodes run in which order,
// what size/frames/batch each output has (a tiny symbolic evaluation of LATENT/IMAGE/VIDEO
// flows), which samplers run how many steps, and which model files the prompt loads.
import { conditioningGuides, unusableConditioning, type GuideFrame, type ModelConditioning } from './guide-frames.ts';
import type { Graph } from './graph-validation.ts';
import type { Catalog } from './node-catalog.ts';

export interface MediaDesc {
  width: number;
  height: number;
  /** frames per batch item (1 for still images) */
  frames: number;
  batch: number;
  video: boolean;
  fps?: number;
  /** uploaded input files that condition the result: img2img source, video guide frames at their index */
  refs: { source?: string; guides?: GuideFrame[] };
  denoise: number;
}

export interface SamplerPlan {
  nodeId: string;
  /** progress-bar length of this node (end − start for KSamplerAdvanced) */
  steps: number;
  /** first step and schedule length: previews sharpen over the whole schedule across passes */
  start: number;
  total: number;
  seed: string;
  media: MediaDesc;
  settings: string;
}

export type OutputKind = 'image' | 'preview' | 'video' | 'webm' | 'webp' | 'apng';

export interface OutputPlan {
  nodeId: string;
  kind: OutputKind;
  prefix: string;
  fps: number;
  media: MediaDesc;
  seed: string;
  /** hashed with the seed: prompt texts, model files, sampler settings */
  salt: string;
  options: Record<string, unknown>;
}

export interface PromptPlan {
  order: string[];
  /** a dependency cycle among executed nodes, if any (ComfyUI fails the prompt) */
  cycle?: string[];
  samplers: Map<string, SamplerPlan>;
  outputs: Map<string, OutputPlan>;
  /** the output each sampler feeds (its preview shows that output's picture) */
  samplerOutput: Map<string, OutputPlan>;
  modelFiles: string[];
  /** identity of the model set: a GPU that last ran the same key needs no load */
  modelKey: string;
  isVideo: boolean;
  texts: string[];
  /** what a real ComfyUI would do silently but a test should see (images a model cannot use) */
  warnings: string[];
}

export type ImageInfo = (file: string) => { width: number; height: number; pages: number } | undefined;

const MEDIA_TYPES = new Set(['LATENT', 'IMAGE', 'VIDEO', 'MASK']);
const TEXT_INPUTS = new Set(['text', 'clip_l', 't5xxl', 'text_g', 'text_l', 'prompt']);
const MODEL_FILE = /\.(safetensors|gguf|ckpt|pt|pt2|pth|bin|sft)$/i;
const LORA_NODES = new Set(['LoraLoader', 'LoraLoaderModelOnly']);

const SAMPLERS: Record<string, { seed: string; latent: string }> = {
  KSampler: { seed: 'seed', latent: 'latent_image' },
  KSamplerAdvanced: { seed: 'noise_seed', latent: 'latent_image' },
  SamplerCustom: { seed: 'noise_seed', latent: 'latent_image' },
  SamplerCustomAdvanced: { seed: 'noise_seed', latent: 'latent_image' },
};
/** Frame granularity of each video latent (decoded frames = ((length-1)//k)*k + 1) and spatial factor. */
const VIDEO_LATENT: Record<string, { temporal: number; spatial: number }> = {
  EmptyLTXVLatentVideo: { temporal: 8, spatial: 32 },
  EmptyMochiLatentVideo: { temporal: 6, spatial: 8 },
  Wan22ImageToVideoLatent: { temporal: 4, spatial: 16 },
};

export const num = (v: unknown, d: number): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : d;
};
const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string';
const floorTo = (v: number, k: number): number => Math.max(k, Math.floor(v / k) * k);

/** Executed nodes: outputs and their ancestors, dependencies first (DFS post-order). */
export function executionOrder(graph: Graph, outputs: string[]): { order: string[]; cycle?: string[] } {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  let cycle: string[] | undefined;
  const visit = (id: string, path: string[]): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') {
      cycle ??= path.slice(path.indexOf(id));
      return;
    }
    state.set(id, 'visiting');
    for (const v of Object.values(graph[id]?.inputs ?? {})) if (isLink(v) && graph[v[0]]) visit(v[0], [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const o of outputs) visit(o, []);
  return cycle ? { order, cycle } : { order };
}

class MediaEvaluator {
  private readonly memo = new Map<string, MediaDesc | undefined>();
  readonly samplers = new Map<string, SamplerPlan>();

  constructor(
    private readonly graph: Graph,
    private readonly catalog: Catalog,
    private readonly imageInfo: ImageInfo,
    /** conditioning nodes whose images the model drops */
    private readonly dropsImages: ReadonlySet<string> = new Set(),
  ) {}

  describe(id: string, slot: number, depth = 0): MediaDesc | undefined {
    const node = this.graph[id];
    if (!node || depth > 200) return undefined;
    const outType = this.catalog[node.class_type]?.output[slot];
    if (outType !== undefined && !MEDIA_TYPES.has(outType)) return undefined;
    const key = `${id}:${slot}`;
    if (this.memo.has(key)) return this.memo.get(key);
    this.memo.set(key, undefined); // cycle guard
    const d = this.evaluate(id, depth);
    this.memo.set(key, d);
    return d;
  }

  private linked(id: string, input: string, depth: number): MediaDesc | undefined {
    const v = this.graph[id]?.inputs[input];
    return isLink(v) ? this.describe(v[0], v[1], depth + 1) : undefined;
  }

  private evaluate(id: string, depth: number): MediaDesc | undefined {
    const node = this.graph[id]!;
    const i = node.inputs;
    const cls = node.class_type;
    if (cls === 'LoadImage' || cls === 'LoadImageMask') {
      const file = String(i.image);
      const info = this.imageInfo(file);
      return {
        width: info?.width ?? 512,
        height: info?.height ?? 512,
        frames: 1,
        batch: info?.pages ?? 1,
        video: false,
        refs: { source: file },
        denoise: 1,
      };
    }
    const sampler = SAMPLERS[cls];
    if (sampler) return this.sampler(id, sampler, depth);
    const hasWH = typeof i.width === 'number' || typeof i.height === 'number';
    const hasLatentIn = Object.values(i).some(
      (v) => isLink(v) && this.catalog[this.graph[v[0]]?.class_type ?? '']?.output[v[1]] === 'LATENT',
    );
    if (hasWH && !hasLatentIn && this.catalog[cls]?.output.includes('LATENT') && !cls.includes('Upscale')) {
      const video = 'length' in i;
      const k = VIDEO_LATENT[cls] ?? { temporal: 4, spatial: 8 };
      const length = num(i.length, 1);
      const frames = video ? Math.floor((Math.max(1, length) - 1) / k.temporal) * k.temporal + 1 : 1;
      const guides = this.dropsImages.has(id)
        ? []
        : conditioningGuides(this.graph, id, length).filter((g) => g.frame >= 0 && g.frame < frames);
      return {
        width: floorTo(num(i.width, 512), k.spatial),
        height: floorTo(num(i.height, 512), k.spatial),
        frames,
        batch: num(i.batch_size, 1),
        video,
        refs: guides.length > 0 ? { guides } : {},
        denoise: 1,
      };
    }
    const up = this.firstLinked(id, depth);
    if (!up) return undefined;
    switch (cls) {
      case 'VAEEncode':
      case 'VAEEncodeTiled':
      case 'VAEEncodeForInpaint':
        return { ...up, width: floorTo(up.width, 8), height: floorTo(up.height, 8) };
      case 'RepeatLatentBatch':
      case 'RepeatImageBatch':
        return { ...up, batch: up.batch * num(i.amount, 1) };
      case 'CreateVideo':
        return { ...up, fps: num(i.fps, 30) };
      case 'ImageScale':
      case 'LatentUpscale': {
        let w = num(i.width, 0);
        let h = num(i.height, 0);
        if (w === 0 && h === 0) return up;
        if (w === 0) w = Math.round((up.width * h) / up.height);
        if (h === 0) h = Math.round((up.height * w) / up.width);
        return cls === 'LatentUpscale'
          ? { ...up, width: floorTo(w, 8), height: floorTo(h, 8) }
          : { ...up, width: w, height: h };
      }
      case 'ImageScaleBy':
      case 'LatentUpscaleBy': {
        const s = num(i.scale_by, 1);
        return { ...up, width: Math.max(1, Math.round(up.width * s)), height: Math.max(1, Math.round(up.height * s)) };
      }
      default:
        return up;
    }
  }

  private firstLinked(id: string, depth: number): MediaDesc | undefined {
    for (const v of Object.values(this.graph[id]!.inputs)) {
      if (!isLink(v)) continue;
      const d = this.describe(v[0], v[1], depth + 1);
      if (d) return d;
    }
    return undefined;
  }

  private sampler(id: string, s: { seed: string; latent: string }, depth: number): MediaDesc | undefined {
    const i = this.graph[id]!.inputs;
    const media = this.linked(id, s.latent, depth) ?? {
      width: 512,
      height: 512,
      frames: 1,
      batch: 1,
      video: false,
      refs: {},
      denoise: 1,
    };
    const total = num(i.steps ?? this.upstreamInput(id, 'steps'), 20);
    let steps = total;
    let start = 0;
    let denoise = num(i.denoise, 1);
    if (this.graph[id]!.class_type === 'KSamplerAdvanced') {
      start = num(i.start_at_step, 0);
      steps = Math.max(0, Math.min(num(i.end_at_step, 10000), total) - start);
      denoise = total > 0 ? Math.max(0, (total - start) / total) : 1;
    }
    const seedValue = i[s.seed] ?? this.upstreamInput(id, 'noise_seed') ?? 0;
    const settings = ['cfg', 'sampler_name', 'scheduler', 'denoise', 'add_noise']
      .map((k) => `${k}=${String(i[k] ?? '')}`)
      .join(',');
    const out: MediaDesc = { ...media, denoise: Math.min(media.denoise, denoise) };
    this.samplers.set(id, {
      nodeId: id,
      steps,
      start,
      total,
      seed: String(seedValue),
      media: out,
      settings: `steps=${total},${settings}`,
    });
    return out;
  }

  /** A widget value on a linked helper node (RandomNoise.noise_seed, BasicScheduler.steps). */
  private upstreamInput(id: string, name: string): unknown {
    for (const v of Object.values(this.graph[id]!.inputs)) {
      if (isLink(v) && this.graph[v[0]] && name in this.graph[v[0]]!.inputs) return this.graph[v[0]]!.inputs[name];
    }
    return undefined;
  }
}

function ancestors(graph: Graph, id: string, seen = new Set<string>()): Set<string> {
  if (seen.has(id)) return seen;
  seen.add(id);
  for (const v of Object.values(graph[id]?.inputs ?? {})) if (isLink(v) && graph[v[0]]) ancestors(graph, v[0], seen);
  return seen;
}

const OUTPUT_NODES: Record<
  string,
  { kind: OutputKind; media: string; prefix: string; fps: (i: Record<string, unknown>, m?: MediaDesc) => number }
> = {
  SaveImage: { kind: 'image', media: 'images', prefix: 'ComfyUI', fps: () => 0 },
  PreviewImage: { kind: 'preview', media: 'images', prefix: 'ComfyUI', fps: () => 0 },
  SaveVideo: { kind: 'video', media: 'video', prefix: 'video/ComfyUI', fps: (_i, m) => m?.fps ?? 30 },
  SaveWEBM: { kind: 'webm', media: 'images', prefix: 'ComfyUI', fps: (i) => num(i.fps, 24) },
  SaveAnimatedWEBP: { kind: 'webp', media: 'images', prefix: 'ComfyUI', fps: (i) => num(i.fps, 6) },
  SaveAnimatedPNG: { kind: 'apng', media: 'images', prefix: 'ComfyUI', fps: (i) => num(i.fps, 6) },
};

/** Everything the executor needs to simulate one validated prompt. */
export function planPrompt(
  graph: Graph,
  outputs: string[],
  catalog: Catalog,
  imageInfo: ImageInfo,
  conditioning: ModelConditioning = {},
): PromptPlan {
  const { order, cycle } = executionOrder(graph, outputs);
  const unusable = unusableConditioning(graph, conditioning);
  const ev = new MediaEvaluator(graph, catalog, imageInfo, new Set(unusable.keys()));
  const modelFiles = new Set<string>();
  const texts: string[] = [];
  for (const id of order) {
    for (const [k, v] of Object.entries(graph[id]!.inputs)) {
      if (typeof v !== 'string') continue;
      if (MODEL_FILE.test(v) && /Loader/i.test(graph[id]!.class_type)) modelFiles.add(v);
      if (TEXT_INPUTS.has(k)) texts.push(v);
    }
  }
  const files = [...modelFiles].sort();
  // a LoRA's strength changes the picture too, not only which LoRA files are loaded
  const loraStrengths = order
    .filter((id) => LORA_NODES.has(graph[id]!.class_type))
    .map((id) => {
      const i = graph[id]!.inputs;
      return `${String(i.lora_name)}@${String(i.strength_model)}/${String(i.strength_clip ?? '-')}`;
    })
    .join(',');
  const plans = new Map<string, OutputPlan>();
  const samplerOutput = new Map<string, OutputPlan>();
  for (const id of order) {
    const node = graph[id]!;
    const def = OUTPUT_NODES[node.class_type];
    if (SAMPLERS[node.class_type]) ev.describe(id, 0);
    if (!def) continue;
    const link = node.inputs[def.media];
    const media = (isLink(link) ? ev.describe(link[0], link[1]) : undefined) ?? {
      width: 512,
      height: 512,
      frames: 1,
      batch: 1,
      video: false,
      refs: {},
      denoise: 1,
    };
    const up = ancestors(graph, id);
    const sampler = [...ev.samplers.values()].filter((s) => up.has(s.nodeId)).at(-1);
    const ownTexts = order
      .filter((n) => up.has(n))
      .flatMap((n) =>
        Object.entries(graph[n]!.inputs)
          .filter(([k, v]) => TEXT_INPUTS.has(k) && typeof v === 'string')
          .map(([, v]) => String(v)),
      );
    const plan: OutputPlan = {
      nodeId: id,
      kind: def.kind,
      prefix: String(node.inputs.filename_prefix ?? def.prefix),
      fps: def.fps(node.inputs, media),
      media,
      seed: sampler?.seed ?? '0',
      salt: [
        ownTexts.join('\u241f'),
        files.join('+'),
        sampler?.settings ?? '',
        ...(loraStrengths ? [loraStrengths] : []),
      ].join('|'),
      options: node.inputs,
    };
    plans.set(id, plan);
    for (const s of ev.samplers.keys()) if (up.has(s) && !samplerOutput.has(s)) samplerOutput.set(s, plan);
  }
  const isVideo =
    [...plans.values()].some((p) => p.media.video) || [...ev.samplers.values()].some((s) => s.media.video);
  return {
    order,
    ...(cycle ? { cycle } : {}),
    samplers: ev.samplers,
    outputs: plans,
    samplerOutput,
    modelFiles: files,
    modelKey: files.join('+'),
    isVideo,
    texts,
    // only where images were actually given: a node without them loses nothing
    warnings: [...unusable]
      .filter(([id]) => conditioningGuides(graph, id, num(graph[id]!.inputs.length, 1)).length > 0)
      .map(([, warning]) => warning),
  };
}
