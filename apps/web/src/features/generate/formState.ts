import {
  API,
  DEFAULT_MAX_BATCH,
  DEFAULT_SIZES,
  IMAGE_FIELDS,
  MODELS,
  REFERENCE_MODES,
  SEED_MAX,
  estimateSeconds,
  modelsOfType,
  resolveFrames,
  resolveReferenceFrameIndex,
  zLightingVariant,
  zMode,
  zModelId,
  zOutputFormat,
  zSampler,
  type GenerationType,
  type ImageField,
  type LightingVariant,
  type Mode,
  type ModelId,
  type ModelSpec,
  type NumericParam,
  type OutputFormat,
  type Sampler,
} from '@mediagen/contract';
import { apiUrl } from '../../api/config.ts';
import { lorasFromParameters, lorasPayload, type FormLora } from './loraState.ts';

/** A picked image: `value` goes into the payload (data: URL or asset:<id>), `preview` into <img>. */
export interface ImageRef {
  value: string;
  preview: string;
  name: string;
}

/** Numbers stay strings while edited; buildPayload converts them and validation names bad ones. */
export type NumberInputs = Partial<Record<NumericParam, string>>;

export interface FormState {
  type: GenerationType;
  model: ModelId;
  mode: Mode;
  prompt: string;
  negative_prompt: string;
  width: number;
  height: number;
  seed: string;
  batch_size: number;
  output_format: OutputFormat;
  numbers: NumberInputs;
  sampler: Sampler | undefined;
  lighting_variant: LightingVariant | undefined;
  /** Pony: the author's quality tags before the prompt (undefined for models without the setting) */
  score_prefix: boolean | undefined;
  images: Partial<Record<ImageField, ImageRef>>;
  /** LoRAs from the library (GET /api/loras); absent in forms stored before they existed */
  loras?: FormLora[];
}

export const NUMERIC_PARAMS: readonly NumericParam[] = [
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
];
/** Strengths only mean something when an input image exists. */
const REFERENCE_ONLY: readonly NumericParam[] = ['reference_strength', 'denoising_strength'];

export function needsReference(mode: Mode): boolean {
  return (REFERENCE_MODES as readonly Mode[]).includes(mode);
}

export function imageFieldsFor(mode: Mode): readonly ImageField[] {
  if (mode === 'first_last_frame') return ['first_frame_image', 'last_frame_image'];
  return needsReference(mode) ? ['reference_image'] : [];
}

export function usesFrameIndex(model: ModelSpec, mode: Mode): boolean {
  return mode === 'arbitrary_frame' && model.params.includes('reference_frame_index');
}

/** Numeric settings shown under "Advanced" for this model and mode (frame index sits with the images). */
export function advancedParamsFor(model: ModelSpec, mode: Mode): NumericParam[] {
  return NUMERIC_PARAMS.filter(
    (p) =>
      model.params.includes(p) &&
      p !== 'reference_frame_index' &&
      (!REFERENCE_ONLY.includes(p) || needsReference(mode)),
  );
}

function modelDefaults(
  model: ModelSpec,
): Pick<FormState, 'numbers' | 'sampler' | 'lighting_variant' | 'score_prefix' | 'output_format'> {
  const numbers: NumberInputs = {};
  for (const p of NUMERIC_PARAMS) {
    const v = model.fixed[p] ?? model.defaults[p];
    if (v !== undefined) numbers[p] = String(v);
  }
  return {
    numbers,
    sampler: model.defaults.sampler,
    lighting_variant: model.defaults.lighting_variant,
    score_prefix: model.params.includes('score_prefix') ? (model.defaults.score_prefix ?? true) : undefined,
    output_format: model.defaultOutputFormat,
  };
}

export function initialForm(modelId: ModelId = 'anisora'): FormState {
  const model = MODELS[modelId];
  return {
    type: model.type,
    model: model.id,
    mode: model.modes[0] ?? 't2v',
    prompt: '',
    negative_prompt: '',
    width: 512,
    height: 512,
    seed: '-1',
    batch_size: 1,
    ...modelDefaults(model),
    images: {},
  };
}

/** Mode switch; a reference image follows into first_last_frame as its first frame, and back. */
export function withMode(s: FormState, mode: Mode): FormState {
  if (!MODELS[s.model].modes.includes(mode)) return s;
  const images = { ...s.images };
  if (mode === 'first_last_frame' && !images.first_frame_image && images.reference_image) {
    images.first_frame_image = images.reference_image;
  }
  if (mode !== 'first_last_frame' && needsReference(mode) && !images.reference_image && images.first_frame_image) {
    images.reference_image = images.first_frame_image;
  }
  return { ...s, mode, images };
}

/** Model switch: the model's defaults replace every model-specific value, on every switch (SPEC §9). */
export function withModel(s: FormState, id: ModelId): FormState {
  const model = MODELS[id];
  const mode = model.modes.includes(s.mode) ? s.mode : (model.modes[0] ?? s.mode);
  // LoRAs fit one family: another family's model drops them
  const loras = model.loraFamily === MODELS[s.model].loraFamily ? s.loras : [];
  return withMode({ ...s, type: model.type, model: id, ...modelDefaults(model), loras }, mode);
}

export function withType(s: FormState, type: GenerationType): FormState {
  if (s.type === type) return s;
  const first = modelsOfType(type)[0];
  return first ? withModel(s, first.id) : s;
}

function toNumber(raw: string): number {
  const t = raw.trim();
  return t === '' ? Number.NaN : Number(t);
}

/** The JSON body for POST /api/generate, before validation (fixed values always sent as fixed). */
export function buildPayload(s: FormState): Record<string, unknown> {
  const model = MODELS[s.model];
  const out: Record<string, unknown> = {
    type: s.type,
    model: s.model,
    mode: s.mode,
    prompt: s.prompt,
    negative_prompt: s.negative_prompt,
    width: s.width,
    height: s.height,
    seed: toNumber(s.seed),
    batch_size: s.batch_size,
    output_format: s.output_format,
  };
  const params = advancedParamsFor(model, s.mode);
  if (usesFrameIndex(model, s.mode)) params.push('reference_frame_index');
  for (const p of params) {
    const fixed = model.fixed[p];
    if (fixed !== undefined) {
      out[p] = fixed;
      continue;
    }
    const raw = s.numbers[p] ?? '';
    if (raw.trim() !== '') out[p] = toNumber(raw); // empty = let the server apply its default
  }
  if (model.params.includes('sampler') && s.sampler) out.sampler = s.sampler;
  if (model.params.includes('lighting_variant') && s.lighting_variant) out.lighting_variant = s.lighting_variant;
  if (model.params.includes('score_prefix') && s.score_prefix !== undefined) out.score_prefix = s.score_prefix;
  for (const f of imageFieldsFor(s.mode)) {
    const img = s.images[f];
    if (img) out[f] = img.value;
  }
  return { ...out, ...lorasPayload(s.loras) };
}

/** Width/height choices: the configured sizes, plus the model's native sizes for video models (SPEC §2). */
export function sizeChoices(model: ModelSpec): number[] {
  const native = (model.nativeSizes ?? []).flat();
  return [...new Set([...DEFAULT_SIZES, ...native])].sort((a, b) => a - b);
}

/** The native size the form is set to, as "832x480", or '' when it is another combination. */
export function nativeSizeOf(s: Pick<FormState, 'model' | 'width' | 'height'>): string {
  const hit = MODELS[s.model].nativeSizes?.find(([w, h]) => w === s.width && h === s.height);
  return hit ? `${hit[0]}x${hit[1]}` : '';
}

export interface FramesInfo {
  requested: number;
  produced: number;
  multiple: number;
  fps: number;
  seconds: number;
}

/** Frames the model will actually produce (k·m+1, rounded up) for the number typed. */
export function framesInfo(s: FormState): FramesInfo | null {
  const model = MODELS[s.model];
  if (model.type !== 'video') return null;
  const n = Number(s.numbers.num_frames);
  const requested = Number.isFinite(n) && n > 0 ? Math.round(n) : (model.defaults.num_frames ?? 81);
  const produced = resolveFrames(model, requested);
  const fpsIn = Number(s.numbers.fps);
  const fps = Number.isFinite(fpsIn) && fpsIn > 0 ? fpsIn : (model.defaults.fps ?? 16);
  return { requested, produced, multiple: model.frameMultiple ?? 1, fps, seconds: produced / fps };
}

/** arbitrary_frame: the highest index allowed and where the keyframe will land after snapping. */
export function frameIndexInfo(s: FormState): { max: number; snapped: number } | null {
  const frames = framesInfo(s);
  if (!frames || !usesFrameIndex(MODELS[s.model], s.mode)) return null;
  const raw = (s.numbers.reference_frame_index ?? '').trim();
  const idx = raw === '' ? undefined : Number(raw);
  const snapped = resolveReferenceFrameIndex(
    frames.produced,
    idx !== undefined && Number.isFinite(idx) ? idx : undefined,
  );
  return { max: frames.produced - 1, snapped };
}

/** Shared contract's estimate (the seed's cold-start formula) for what the form would send. */
export function estimateFor(s: FormState): number {
  const model = MODELS[s.model];
  const typed = Number(s.numbers.steps);
  const steps = model.fixed.steps ?? (Number.isFinite(typed) && typed > 0 ? typed : (model.defaults.steps ?? 20));
  const frames = framesInfo(s);
  return estimateSeconds({
    type: model.type,
    width: s.width,
    height: s.height,
    steps,
    batch_size: s.batch_size,
    ...(frames ? { num_frames: frames.produced } : {}),
  });
}

export function imageRefFromValue(value: string, name?: string): ImageRef {
  const preview = value.startsWith('asset:') ? apiUrl(API.asset(value.slice('asset:'.length))) : value;
  return { value, preview, name: name ?? (value.startsWith('asset:') ? value : 'image') };
}

/** "Use as reference": the picked output becomes the input image, switching to a mode that takes one. */
export function withReference(s: FormState, ref: ImageRef): FormState {
  let next = s;
  if (!needsReference(s.mode)) {
    const target: Mode = s.type === 'video' ? 'i2v' : 'img2img';
    next = withMode(s, target);
  }
  const field: ImageField = next.mode === 'first_last_frame' ? 'first_frame_image' : 'reference_image';
  return { ...next, images: { ...next.images, [field]: ref } };
}

/** "Reuse settings": fill the form from a task's parameters (read defensively, they are stored data). */
export function fromParameters(s: FormState, params: Record<string, unknown>): FormState {
  // a file from another tool may name no model we know: keep the form's model, take the rest
  const id = zModelId.safeParse(params.model);
  if (params.model !== undefined && !id.success) return s; // stored data naming a model this build lacks
  const model = MODELS[id.success ? id.data : s.model];
  let next = id.success ? withModel(s, id.data) : s;
  const mode = zMode.safeParse(params.mode);
  if (mode.success) next = withMode(next, mode.data);
  const text = (k: string): string | undefined => (typeof params[k] === 'string' ? params[k] : undefined);
  const num = (k: string): number | undefined => {
    const v = params[k];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const numbers: NumberInputs = { ...next.numbers };
  for (const p of NUMERIC_PARAMS) {
    if (model.fixed[p] !== undefined) continue;
    const v = p === 'num_frames' ? (num('requested_num_frames') ?? num('num_frames')) : num(p);
    if (v !== undefined) numbers[p] = String(v);
  }
  const format = zOutputFormat.safeParse(params.output_format);
  const sampler = zSampler.safeParse(params.sampler);
  const lighting = zLightingVariant.safeParse(params.lighting_variant);
  const images: Partial<Record<ImageField, ImageRef>> = {};
  for (const f of IMAGE_FIELDS) {
    const v = text(f);
    if (v && (v.startsWith('asset:') || v.startsWith('data:'))) images[f] = imageRefFromValue(v);
  }
  const seed = num('seed');
  const batch = num('batch_size');
  return {
    ...next,
    prompt: text('prompt') ?? next.prompt,
    negative_prompt: text('negative_prompt') ?? '',
    width: num('width') ?? next.width,
    height: num('height') ?? next.height,
    seed: seed !== undefined ? String(seed) : next.seed,
    batch_size: batch !== undefined ? Math.min(DEFAULT_MAX_BATCH, Math.max(1, Math.round(batch))) : next.batch_size,
    output_format: format.success && model.outputFormats.includes(format.data) ? format.data : next.output_format,
    numbers,
    sampler: sampler.success ? sampler.data : next.sampler,
    lighting_variant: lighting.success ? lighting.data : next.lighting_variant,
    score_prefix:
      next.score_prefix !== undefined && typeof params.score_prefix === 'boolean'
        ? params.score_prefix
        : next.score_prefix,
    images: Object.keys(images).length > 0 ? images : next.images,
    loras: lorasFromParameters(params.loras),
  };
}

/** Fields that have a control on screen now: a detail for any other path goes to the banner. */
export function placedPaths(s: FormState): Set<string> {
  const model = MODELS[s.model];
  const paths = new Set<string>([
    'type',
    'model',
    'mode',
    'prompt',
    'negative_prompt',
    'width',
    'height',
    'seed',
    'batch_size',
    'output_format',
    ...advancedParamsFor(model, s.mode),
    ...imageFieldsFor(s.mode),
    'loras',
  ]);
  if (model.params.includes('sampler')) paths.add('sampler');
  if (model.params.includes('lighting_variant')) paths.add('lighting_variant');
  if (model.params.includes('score_prefix')) paths.add('score_prefix');
  if (usesFrameIndex(model, s.mode)) paths.add('reference_frame_index');
  return paths;
}

/** A server detail may name reference_image while first_last_frame shows it as the first frame. */
export function fieldForPath(s: FormState, path: string): string {
  const top = path.split('.')[0] ?? path;
  if (s.mode === 'first_last_frame' && top === 'reference_image') return 'first_frame_image';
  return top;
}

export function randomSeed(): number {
  const v = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return Math.min(v, SEED_MAX);
}
