// Which uploaded images a video conditioning node pins to which frames, read off the graph the way
// ComfyUI 0.3.64 executes it (comfy_extras/nodes_wan.py): IMAGE and MASK batches are evaluated
// symbolically (uploaded file, or a solid colour/value per frame) through the core batch nodes, so a
// WanVaceToVideo control video built from ImageBatch/EmptyImage and a mask from ImageToMask/SolidMask
// yield the same guide frames the real node would keep. Also: whether the sampler's model can use
// that conditioning at all (a VACE/T2V checkpoint has no image channels for WanImageToVideo).
import type { Graph } from './graph-validation.ts';

export interface GuideFrame {
  frame: number;
  file: string;
}

type Frame = { file: string } | { solid: [number, number, number] };
type Link = [string, number];

const MAX_FRAMES = 10_000;
const GREY: Frame = { solid: [0.5, 0.5, 0.5] };
const isLink = (v: unknown): v is Link => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string';
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** The frames of an IMAGE output, or undefined where the simulator cannot tell. */
export function imageFrames(graph: Graph, link: unknown, depth = 0): Frame[] | undefined {
  if (!isLink(link) || depth > 100) return undefined;
  const node = graph[link[0]];
  if (!node) return undefined;
  const i = node.inputs;
  const up = (name: string): Frame[] | undefined => imageFrames(graph, i[name], depth + 1);
  switch (node.class_type) {
    case 'LoadImage':
      return link[1] === 0 ? [{ file: String(i.image) }] : undefined;
    case 'EmptyImage': {
      const c = num(i.color, 0);
      const solid: Frame = { solid: [((c >> 16) & 255) / 255, ((c >> 8) & 255) / 255, (c & 255) / 255] };
      return Array.from({ length: Math.min(MAX_FRAMES, num(i.batch_size, 1)) }, () => solid);
    }
    case 'ImageBatch': {
      const a = up('image1');
      const b = up('image2');
      return a && b ? [...a, ...b].slice(0, MAX_FRAMES) : undefined;
    }
    case 'RepeatImageBatch': {
      const a = up('image');
      return a ? Array.from({ length: Math.min(MAX_FRAMES, num(i.amount, 1)) }, () => a).flat() : undefined;
    }
    case 'ImageFromBatch': {
      const a = up('image');
      const start = num(i.batch_index, 0);
      return a?.slice(start, start + num(i.length, 1));
    }
    case 'MaskToImage': {
      const m = maskValues(graph, i.mask, depth + 1);
      return m?.map((v): Frame => ({ solid: [v, v, v] }));
    }
    case 'ImageScale':
    case 'ImageScaleBy':
    case 'ImageScaleToTotalPixels':
      return up('image');
    default:
      return undefined;
  }
}

/** The per-frame values of a MASK output (0 = keep, 1 = generate for WanVaceToVideo), or undefined. */
export function maskValues(graph: Graph, link: unknown, depth = 0): number[] | undefined {
  if (!isLink(link) || depth > 100) return undefined;
  const node = graph[link[0]];
  if (!node) return undefined;
  const i = node.inputs;
  switch (node.class_type) {
    case 'SolidMask':
      return [num(i.value, 1)];
    case 'ImageToMask': {
      const frames = imageFrames(graph, i.image, depth + 1);
      const channel = ['red', 'green', 'blue'].indexOf(String(i.channel));
      if (!frames || channel < 0) return undefined;
      // an uploaded picture's channel is no clean 0/1: neither kept nor generated as a whole
      return frames.map((f) => ('solid' in f ? f.solid[channel]! : 0.5));
    }
    case 'LoadImage':
      return link[1] === 1 ? [0] : undefined; // MASK = 1 − alpha; the uploads here have no alpha
    case 'GrowMask':
    case 'FeatherMask':
      return maskValues(graph, i.mask, depth + 1);
    default:
      return undefined;
  }
}

/** AniSora's keyframe rule as MediaGenWanKeyframeToVideo applies it (Python round: halves to even). */
function snapKeyframe(index: number, length: number): number {
  const x = Math.max(0, index) / 8;
  const r = Math.round(x);
  const even = Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return Math.min(even * 8, Math.floor((length - 1) / 8) * 8);
}

/** Guide frames of a video conditioning node, at their frame index within `length` frames. */
export function conditioningGuides(graph: Graph, nodeId: string, length: number): GuideFrame[] {
  const node = graph[nodeId];
  if (!node) return [];
  const i = node.inputs;
  const files = (name: string): string[] =>
    (imageFrames(graph, i[name]) ?? []).flatMap((f) => ('file' in f ? [f.file] : []));
  switch (node.class_type) {
    case 'WanImageToVideo':
      return files('start_image').map((file, frame) => ({ frame, file }));
    case 'WanFirstLastFrameToVideo': {
      const start = files('start_image').map((file, frame) => ({ frame, file }));
      const end = files('end_image');
      return [...start, ...end.map((file, k) => ({ frame: length - end.length + k, file }))];
    }
    case 'MediaGenWanKeyframeToVideo': {
      const [file] = files('image');
      return file ? [{ frame: snapKeyframe(num(i.frame_index, 0), length), file }] : [];
    }
    case 'WanVaceToVideo': {
      if (num(i.strength, 1) <= 0) return [];
      const control = [...(imageFrames(graph, i.control_video) ?? [])].slice(0, length);
      const mask = [...(maskValues(graph, i.control_masks) ?? [])].slice(0, length);
      while (control.length < length) control.push(GREY); // WanVaceToVideo pads the control video with grey
      while (mask.length < length) mask.push(1); // … and the mask with 1 (generate)
      return control.flatMap((f, frame) => ('file' in f && mask[frame]! < 0.5 ? [{ frame, file: f.file }] : []));
    }
    default:
      return [];
  }
}

/** What image conditioning a node feeds the model: I2V concat channels, or a VACE control stream. */
const CONDITIONING_KIND: Record<string, 'concat' | 'vace'> = {
  WanImageToVideo: 'concat',
  WanFirstLastFrameToVideo: 'concat',
  MediaGenWanKeyframeToVideo: 'concat',
  WanVaceToVideo: 'vace',
};

/** Simulator data: which checkpoint takes which conditioning ("i2v": 36-channel concat, "vace", "t2v"). */
export type ModelConditioning = Readonly<Record<string, 'i2v' | 'vace' | 't2v'>>;

function upstream(graph: Graph, link: unknown, found: (classType: string) => boolean, depth = 0): string | undefined {
  if (!isLink(link) || depth > 100) return undefined;
  const node = graph[link[0]];
  if (!node) return undefined;
  if (found(node.class_type)) return link[0];
  for (const v of Object.values(node.inputs)) {
    const hit = upstream(graph, v, found, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

const MODEL_FILE = /\.(safetensors|gguf|ckpt|pt|pth|bin|sft)$/i;

/**
 * Conditioning nodes whose guide images the sampler's model cannot use, with the reason. Real ComfyUI
 * does not fail there: it drops the images (concat_cond of a model without image channels), so the
 * result silently ignores them — the simulator drops them too and says so in its warnings.
 */
export function unusableConditioning(graph: Graph, models: ModelConditioning): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of Object.values(graph)) {
    if (!['KSampler', 'KSamplerAdvanced', 'SamplerCustom'].includes(node.class_type)) continue;
    const cond = upstream(graph, node.inputs.positive, (c) => c in CONDITIONING_KIND);
    const loader = upstream(graph, node.inputs.model, (c) => /Loader/.test(c));
    if (!cond || !loader) continue;
    const file = Object.values(graph[loader]!.inputs).find(
      (v): v is string => typeof v === 'string' && MODEL_FILE.test(v),
    );
    const kind = file ? models[file] : undefined;
    const needs = CONDITIONING_KIND[graph[cond]!.class_type]!;
    if (!kind || (needs === 'concat' && kind === 'i2v') || (needs === 'vace' && kind === 'vace')) continue;
    out.set(
      cond,
      needs === 'concat'
        ? `${graph[cond]!.class_type} (node ${cond}) conditions on images through extra input channels, but ${file} is a ${kind.toUpperCase()} checkpoint without them: ComfyUI drops the images and the result is plain text-to-video`
        : `WanVaceToVideo (node ${cond}) needs a VACE model, but ${file} is a ${kind.toUpperCase()} checkpoint: the control video is ignored`,
    );
  }
  return out;
}
