import { z } from 'zod';
import type { ErrorDetail } from './errors.ts';
import {
  DEFAULT_MAX_BATCH,
  DEFAULT_SIZES,
  MODELS,
  REFERENCE_MODES,
  SEED_MAX,
  type ModelParam,
  type ModelSpec,
  type NumericParam,
  zGenerationType,
  zLightingVariant,
  zMode,
  zModelId,
  zOutputFormat,
  zSampler,
} from './models/index.ts';
import { checkLoraRules, zLoraRequest, zResolvedLora } from './loras.ts';
import { zWebhookEvents, zWebhookUrl } from './webhooks.ts';

/** An image: base64, a `data:` URL, or `asset:<id>` naming an earlier upload/output of the same owner. */
const zImageRef = z.string().min(1);

export const NUMERIC_FIELDS = [
  'width',
  'height',
  'seed',
  'batch_size',
  'steps',
  'cfg_scale',
  'guidance_scale',
  'clip_skip',
  'num_frames',
  'fps',
  'motion_score',
  'reference_strength',
  'denoising_strength',
  'reference_frame_index',
] as const;
export const IMAGE_FIELDS = ['reference_image', 'first_frame_image', 'last_frame_image'] as const;
/** On/off fields: a multipart form sends them as "true"/"false" text, which the route converts like numbers. */
export const BOOLEAN_FIELDS = ['score_prefix'] as const;
export type ImageField = (typeof IMAGE_FIELDS)[number];

/** Stage 1 (types and enums): a failure here is 400 invalid_request. */
export const zGenerateRequest = z
  .object({
    type: zGenerationType,
    model: zModelId,
    mode: zMode,
    prompt: z.string(),
    negative_prompt: z.string().optional(),
    width: z.number(),
    height: z.number(),
    seed: z.number(),
    batch_size: z.number().optional(),
    output_format: zOutputFormat.optional(),
    steps: z.number().optional(),
    cfg_scale: z.number().optional(),
    guidance_scale: z.number().optional(),
    clip_skip: z.number().optional(),
    num_frames: z.number().optional(),
    fps: z.number().optional(),
    motion_score: z.number().optional(),
    reference_strength: z.number().optional(),
    denoising_strength: z.number().optional(),
    reference_frame_index: z.number().optional(),
    sampler: zSampler.optional(),
    lighting_variant: zLightingVariant.optional(),
    score_prefix: z.boolean().optional(),
    vae: z.string().optional(),
    reference_image: zImageRef.optional(),
    first_frame_image: zImageRef.optional(),
    last_frame_image: zImageRef.optional(),
    /** where task events are POSTed (Standard Webhooks, signed with the account's secret) */
    webhook_url: zWebhookUrl.optional(),
    /** which events to send; default the final ones */
    webhook_events: zWebhookEvents.optional(),
    /** LoRAs from the library (GET /api/loras), at most 4 */
    loras: z.array(zLoraRequest).optional(),
  })
  .strict();
export type GenerateRequest = z.infer<typeof zGenerateRequest>;

export interface RuleOptions {
  sizes?: readonly number[];
  maxBatch?: number;
  maxPromptLength?: number;
}

const OPTIONAL_MODEL_PARAMS: readonly ModelParam[] = [
  'steps',
  'cfg_scale',
  'guidance_scale',
  'clip_skip',
  'num_frames',
  'fps',
  'motion_score',
  'reference_strength',
  'denoising_strength',
  'reference_frame_index',
  'sampler',
  'lighting_variant',
  'score_prefix',
  'vae',
  'first_frame_image',
  'last_frame_image',
];

export interface RuleViolations {
  /** 422 validation_error */
  invalid: ErrorDetail[];
  /** 422 fixed_parameter_violation */
  fixed: ErrorDetail[];
}

function checkNumber(
  path: string,
  value: number,
  min: number,
  max: number,
  integer: boolean,
  out: ErrorDetail[],
): void {
  if (integer && !Number.isInteger(value)) out.push({ path, message: 'must be an integer' });
  else if (value < min || value > max) out.push({ path, message: `must be between ${min} and ${max}` });
}

/** Stage 2 (rules on well-typed values): each violation is a 422 detail (SPEC §2–3). */
export function checkGenerateRules(req: GenerateRequest, opts: RuleOptions = {}): RuleViolations {
  const invalid: ErrorDetail[] = [];
  const fixed: ErrorDetail[] = [];
  const model = MODELS[req.model];
  const sizes = opts.sizes ?? DEFAULT_SIZES;
  const maxPrompt = opts.maxPromptLength ?? 4000;

  if (req.type !== model.type) invalid.push({ path: 'type', message: `${model.id} is a ${model.type} model` });
  if (!model.modes.includes(req.mode)) {
    invalid.push({ path: 'mode', message: `${model.id} offers ${model.modes.join(', ')}` });
  }
  if (req.prompt.trim() === '') invalid.push({ path: 'prompt', message: 'must not be empty' });
  if (req.prompt.length > maxPrompt)
    invalid.push({ path: 'prompt', message: `must be at most ${maxPrompt} characters` });
  if ((req.negative_prompt ?? '').length > maxPrompt) {
    invalid.push({ path: 'negative_prompt', message: `must be at most ${maxPrompt} characters` });
  }
  const native = model.nativeSizes?.some(([w, h]) => w === req.width && h === req.height) ?? false;
  if (!native) {
    const also = model.nativeSizes?.length
      ? ` (or a native size: ${model.nativeSizes.map(([w, h]) => `${w}×${h}`).join(', ')})`
      : '';
    for (const dim of ['width', 'height'] as const) {
      if (!sizes.includes(req[dim])) invalid.push({ path: dim, message: `must be one of ${sizes.join(', ')}${also}` });
    }
  }
  if (req.seed !== -1) checkNumber('seed', req.seed, 0, SEED_MAX, true, invalid);
  if (req.batch_size !== undefined)
    checkNumber('batch_size', req.batch_size, 1, opts.maxBatch ?? DEFAULT_MAX_BATCH, true, invalid);
  if (req.output_format !== undefined && !model.outputFormats.includes(req.output_format)) {
    invalid.push({
      path: 'output_format',
      message: `${model.type} output is one of ${model.outputFormats.join(', ')}`,
    });
  }

  for (const param of OPTIONAL_MODEL_PARAMS) {
    if (req[param] === undefined) continue;
    if (!model.params.includes(param)) {
      invalid.push({ path: param, message: `is not a parameter of ${model.id}` });
      continue;
    }
    const value = req[param];
    if (typeof value !== 'number') continue;
    const numeric = param as NumericParam;
    const fixedValue = model.fixed[numeric];
    if (fixedValue !== undefined) {
      if (value !== fixedValue) fixed.push({ path: param, message: `must be ${fixedValue} for ${model.id}` });
      continue;
    }
    const limit = model.limits[numeric];
    if (!limit) continue;
    if (limit.oneOf) {
      if (!limit.oneOf.includes(value))
        invalid.push({ path: param, message: `must be one of ${limit.oneOf.join(', ')}` });
    } else checkNumber(param, value, limit.min, limit.max, limit.integer ?? false, invalid);
  }

  if (
    req.reference_frame_index !== undefined &&
    req.mode !== 'arbitrary_frame' &&
    model.params.includes('reference_frame_index')
  ) {
    invalid.push({ path: 'reference_frame_index', message: 'applies to arbitrary_frame only' });
  }
  if (req.reference_frame_index !== undefined && req.mode === 'arbitrary_frame') {
    const frames = resolveFrames(model, req.num_frames);
    if (req.reference_frame_index > frames - 1) {
      invalid.push({ path: 'reference_frame_index', message: `must be at most ${frames - 1} (num_frames − 1)` });
    }
  }
  checkReferences(req, invalid);
  checkLoraRules(req.loras, invalid);
  return { invalid, fixed };
}

function checkReferences(req: GenerateRequest, out: ErrorDetail[]): void {
  if (req.mode === 'first_last_frame') {
    if (!req.first_frame_image && !req.reference_image) {
      out.push({ path: 'first_frame_image', message: 'first_last_frame needs first_frame_image (or reference_image)' });
    }
    // the last frame is optional (seed guide): without it only the start frame conditions the video
    return;
  }
  if ((REFERENCE_MODES as readonly string[]).includes(req.mode) && !req.reference_image) {
    out.push({ path: 'reference_image', message: `${req.mode} needs a reference_image` });
  }
  for (const field of ['first_frame_image', 'last_frame_image'] as const) {
    if (req[field] !== undefined && MODELS[req.model].params.includes(field)) {
      out.push({ path: field, message: 'applies to first_last_frame only' });
    }
  }
}

/** Frames actually produced: the model's k·m+1 rule, rounded up (SPEC §2). */
export function resolveFrames(model: ModelSpec, requested: number | undefined): number {
  const frames = requested ?? model.defaults.num_frames ?? 81;
  const m = model.frameMultiple ?? 1;
  return Math.ceil((frames - 1) / m) * m + 1;
}

/** Python's round(): halves go to the even neighbour (AniSora snaps keyframes with it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** arbitrary_frame keyframe: default the last frame, snapped to a multiple of 8 within the clip, as AniSora does. */
export function resolveReferenceFrameIndex(frames: number, requested: number | undefined): number {
  const wanted = requested ?? frames - 1;
  const snapped = roundHalfEven(wanted / 8) * 8;
  return Math.min(snapped, Math.floor((frames - 1) / 8) * 8);
}

export const zIgnoredParam = z.object({ param: z.string(), reason: z.string() });
export type IgnoredParam = z.infer<typeof zIgnoredParam>;

/** A request with every default applied and the seed resolved: what a task stores and an engine runs. */
export const zResolvedGeneration = z.object({
  type: zGenerationType,
  model: zModelId,
  mode: zMode,
  prompt: z.string(),
  negative_prompt: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  seed: z.number().int(),
  seeds: z.array(z.number().int()),
  requested_seed: z.number().int(),
  batch_size: z.number().int(),
  output_format: zOutputFormat,
  steps: z.number().int(),
  cfg_scale: z.number().optional(),
  guidance_scale: z.number().optional(),
  clip_skip: z.number().int().optional(),
  sampler: zSampler.optional(),
  num_frames: z.number().int().optional(),
  requested_num_frames: z.number().int().optional(),
  fps: z.number().optional(),
  motion_score: z.number().optional(),
  lighting_variant: zLightingVariant.optional(),
  score_prefix: z.boolean().optional(),
  reference_strength: z.number().optional(),
  denoising_strength: z.number().optional(),
  reference_frame_index: z.number().int().optional(),
  reference_image: z.string().optional(),
  first_frame_image: z.string().optional(),
  last_frame_image: z.string().optional(),
  /** resolved against the LoRA library by the server (absent: none) */
  loras: z.array(zResolvedLora).optional(),
  ignored_params: z.array(zIgnoredParam),
});
export type ResolvedGeneration = z.infer<typeof zResolvedGeneration>;

/** Apply defaults, frame rules and seed resolution to a request that passed both stages. */
export function resolveGeneration(req: GenerateRequest, randomSeed: () => number): ResolvedGeneration {
  const model = MODELS[req.model];
  const d = model.defaults;
  const seed = req.seed === -1 ? randomSeed() : req.seed;
  const batch = req.batch_size ?? 1;
  const ignored: IgnoredParam[] = [];
  if (req.vae !== undefined && req.vae !== model.vae) {
    ignored.push({ param: 'vae', reason: `${model.id} always uses its own VAE (${model.vae ?? 'built in'})` });
  }
  const usesReference = (REFERENCE_MODES as readonly string[]).includes(req.mode);
  if (!usesReference && req.reference_image !== undefined) {
    ignored.push({ param: 'reference_image', reason: `${req.mode} uses no reference image` });
  }
  const out: ResolvedGeneration = {
    type: req.type,
    model: req.model,
    mode: req.mode,
    prompt: req.prompt.trim(),
    negative_prompt: req.negative_prompt ?? '',
    width: req.width,
    height: req.height,
    seed,
    seeds: Array.from({ length: batch }, (_, i) => seed + i),
    requested_seed: req.seed,
    batch_size: batch,
    output_format: req.output_format ?? model.defaultOutputFormat,
    steps: req.steps ?? d.steps ?? 20,
    ignored_params: ignored,
  };
  const pick = <K extends keyof ResolvedGeneration>(key: K, value: ResolvedGeneration[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  const has = (p: ModelParam): boolean => model.params.includes(p);
  if (has('cfg_scale')) pick('cfg_scale', req.cfg_scale ?? d.cfg_scale);
  if (has('guidance_scale')) pick('guidance_scale', req.guidance_scale ?? d.guidance_scale);
  if (has('clip_skip')) pick('clip_skip', req.clip_skip ?? d.clip_skip);
  if (has('sampler')) pick('sampler', req.sampler ?? d.sampler);
  if (has('motion_score')) pick('motion_score', req.motion_score ?? d.motion_score);
  if (has('lighting_variant')) pick('lighting_variant', req.lighting_variant ?? d.lighting_variant);
  if (has('score_prefix')) pick('score_prefix', req.score_prefix ?? d.score_prefix);
  if (model.type === 'video') {
    const frames = resolveFrames(model, req.num_frames);
    out.num_frames = frames;
    out.requested_num_frames = req.num_frames ?? frames;
    out.fps = req.fps ?? d.fps ?? 16;
    if (req.mode === 'arbitrary_frame')
      out.reference_frame_index = resolveReferenceFrameIndex(frames, req.reference_frame_index);
  }
  if (usesReference) {
    pick('reference_strength', req.reference_strength);
    pick('denoising_strength', req.denoising_strength ?? (model.type === 'image' ? d.denoising_strength : undefined));
    pick('reference_image', req.reference_image);
    if (req.mode === 'first_last_frame') {
      pick('first_frame_image', req.first_frame_image ?? req.reference_image);
      pick('last_frame_image', req.last_frame_image);
    }
  } else {
    for (const p of ['reference_strength', 'denoising_strength'] as const) {
      if (req[p] !== undefined) ignored.push({ param: p, reason: `${req.mode} has no input image` });
    }
  }
  return out;
}

/** Remove `null` values (clients often send null for "not set") before stage 1. */
export function dropNulls(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
}
