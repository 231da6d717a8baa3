import { anisora } from './anisora.ts';
import { flux } from './flux.ts';
import { MODEL_IDS, type ModelId, type ModelSpec } from './model-spec.ts';
import { phr00t } from './phr00t.ts';
import { pony } from './pony.ts';

export * from './model-spec.ts';

/** The one registry of models (SPEC §1), read by the web UI and the server alike. */
export const MODELS: Readonly<Record<ModelId, ModelSpec>> = { anisora, phr00t, pony, flux };
/** In MODEL_IDS order. */
export const MODEL_LIST: readonly ModelSpec[] = MODEL_IDS.map((id) => MODELS[id]);

export function modelsOfType(type: ModelSpec['type']): ModelSpec[] {
  return MODEL_LIST.filter((m) => m.type === type);
}

/** Modes that need at least one reference image. */
export const REFERENCE_MODES = ['i2v', 'first_last_frame', 'arbitrary_frame', 'img2img'] as const;

/** Default allowed sizes; an operator may widen them in server config. */
export const DEFAULT_SIZES: readonly number[] = [512, 768, 1024];
export const SEED_MAX = 4294967295;
export const DEFAULT_MAX_BATCH = 4;
