import { z } from 'zod';

export const zGenerationType = z.enum(['image', 'video']);
export type GenerationType = z.infer<typeof zGenerationType>;

/**
 * The one list of model ids. Adding a model: a spec file beside this one, its id here and its entry in
 * `MODELS` (index.ts; the compiler refuses a missing entry), and its workflow templates on the server.
 */
export const MODEL_IDS = ['anisora', 'phr00t', 'pony', 'flux'] as const;
export const zModelId = z.enum(MODEL_IDS);
export type ModelId = z.infer<typeof zModelId>;

export const zVideoMode = z.enum(['t2v', 'i2v', 'first_last_frame', 'arbitrary_frame']);
export const zImageMode = z.enum(['txt2img', 'img2img']);
export const zMode = z.enum([...zVideoMode.options, ...zImageMode.options]);
export type Mode = z.infer<typeof zMode>;

export const zSampler = z.enum(['Euler', 'Euler a', 'DPM++ 2M', 'DPM++ 2M Karras', 'DPM++ SDE Karras']);
export type Sampler = z.infer<typeof zSampler>;

export const zLightingVariant = z.enum(['high_noise', 'low_noise']);
export type LightingVariant = z.infer<typeof zLightingVariant>;

/**
 * LoRA families: which base a LoRA was trained on, so it fits a model (SDXL for Pony, Flux, Wan for the Wan
 * video models). Each model names its family in the registry.
 */
export const zLoraFamily = z.enum(['sdxl', 'flux', 'wan']);
export type LoraFamily = z.infer<typeof zLoraFamily>;

export const zVideoFormat = z.enum(['mp4', 'webm', 'gif']);
export const zImageFormat = z.enum(['png', 'jpg']);
export const zOutputFormat = z.enum([...zVideoFormat.options, ...zImageFormat.options]);
export type OutputFormat = z.infer<typeof zOutputFormat>;

/** Optional, model-specific numeric parameters of the payload. */
export type NumericParam =
  | 'steps'
  | 'cfg_scale'
  | 'guidance_scale'
  | 'clip_skip'
  | 'num_frames'
  | 'fps'
  | 'motion_score'
  | 'reference_strength'
  | 'denoising_strength'
  | 'reference_frame_index';

/** Every optional parameter a model may accept (beyond the common ones). */
/** Optional on/off settings of the payload. */
export type BooleanParam = 'score_prefix';

export type ModelParam =
  | NumericParam
  | BooleanParam
  | 'sampler'
  | 'lighting_variant'
  | 'vae'
  | 'reference_image'
  | 'first_frame_image'
  | 'last_frame_image';

export interface NumericLimit {
  min: number;
  max: number;
  integer?: boolean;
  /** a closed set of allowed values (fps) */
  oneOf?: readonly number[];
}

export interface ModelSpec {
  id: ModelId;
  label: string;
  type: GenerationType;
  modes: readonly Mode[];
  /** parameters this model accepts; anything else model-specific is refused with 422 */
  params: readonly ModelParam[];
  defaults: Partial<Record<NumericParam, number>> &
    Partial<Record<BooleanParam, boolean>> & { sampler?: Sampler; lighting_variant?: LightingVariant };
  /** values that must not change (the VRAM stability contract); violations → 422 fixed_parameter_violation */
  fixed: Partial<Record<NumericParam, number>>;
  fixedReason?: string;
  limits: Partial<Record<NumericParam, NumericLimit>>;
  /** video frame rule: frames = multiple·k + 1, rounded up */
  frameMultiple?: number;
  /**
   * Frames per second the model was trained to generate. Another `fps` only changes playback speed:
   * the clip keeps its frames, so 24 plays faster and 8 slower (the UI and metadata say so).
   */
  nativeFps?: number;
  /** width × height pairs the model was trained at, accepted beside the configured sizes (SPEC §2) */
  nativeSizes?: ReadonlyArray<readonly [number, number]>;
  /** the model's own VAE name: `vae` naming it is honoured, anything else is ignored and reported */
  vae?: string;
  /**
   * How `guidance_scale` reaches the sampler: `cfg` (classifier-free guidance, the sampler's CFG) or
   * `distilled` (a guidance-distilled model such as Flux: guidance is a conditioning value and the
   * sampler runs at CFG 1). Infotext and templates follow it; absent means the model has no guidance_scale.
   */
  guidance?: 'cfg' | 'distilled';
  /** the LoRAs this model takes (catalog entries of another family are refused with 422) */
  loraFamily: LoraFamily;
  outputFormats: readonly OutputFormat[];
  defaultOutputFormat: OutputFormat;
}

/** Wan 2.1/2.2 training sizes (AniSora's `--size` choices; the Wan video nodes' 832×480 default). */
export const WAN_NATIVE_SIZES: ReadonlyArray<readonly [number, number]> = [
  [832, 480],
  [480, 832],
  [1280, 720],
  [720, 1280],
];
