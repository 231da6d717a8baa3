import type { ModelSpec } from './model-spec.ts';

export const anisora: ModelSpec = {
  id: 'anisora',
  label: 'Index-AniSora V3.2',
  type: 'video',
  modes: ['t2v', 'i2v', 'first_last_frame', 'arbitrary_frame'],
  params: [
    'steps', 'guidance_scale', 'num_frames', 'fps', 'motion_score', 'reference_strength',
    'denoising_strength', 'reference_frame_index', 'reference_image', 'first_frame_image', 'last_frame_image',
  ],
  defaults: { steps: 8, guidance_scale: 1.0, fps: 16, motion_score: 3.0, num_frames: 81 },
  fixed: { steps: 8 },
  fixedReason: 'AniSora V3.2 is distilled to 8 steps (VRAM stability contract)',
  limits: {
    guidance_scale: { min: 0, max: 20 },
    num_frames: { min: 16, max: 161, integer: true },
    fps: { min: 8, max: 24, oneOf: [8, 16, 24] },
    motion_score: { min: 0, max: 5 },
    reference_strength: { min: 0, max: 1 },
    denoising_strength: { min: 0, max: 1 },
    reference_frame_index: { min: 0, max: 160, integer: true },
  },
  frameMultiple: 8,
  outputFormats: ['mp4', 'webm', 'gif'],
  defaultOutputFormat: 'mp4',
};
