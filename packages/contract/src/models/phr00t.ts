import { WAN_NATIVE_SIZES, type ModelSpec } from './model-spec.ts';

export const phr00t: ModelSpec = {
  id: 'phr00t',
  label: 'Phr00t WAN 2.2 Rapid-AllInOne',
  type: 'video',
  modes: ['t2v', 'i2v', 'first_last_frame'],
  params: [
    'steps',
    'cfg_scale',
    'num_frames',
    'fps',
    'lighting_variant',
    'reference_strength',
    'denoising_strength',
    'reference_image',
    'first_frame_image',
    'last_frame_image',
  ],
  defaults: { steps: 4, cfg_scale: 1.0, fps: 16, num_frames: 81, lighting_variant: 'low_noise' },
  fixed: { steps: 4, cfg_scale: 1.0 },
  fixedReason: 'Rapid-AllInOne runs 4 steps at CFG 1.0 (VRAM stability contract)',
  limits: {
    num_frames: { min: 16, max: 161, integer: true },
    fps: { min: 8, max: 24, oneOf: [8, 16, 24] },
    reference_strength: { min: 0, max: 1 },
    denoising_strength: { min: 0, max: 1 },
  },
  frameMultiple: 4,
  nativeFps: 16,
  nativeSizes: WAN_NATIVE_SIZES,
  outputFormats: ['mp4', 'webm', 'gif'],
  defaultOutputFormat: 'mp4',
};
