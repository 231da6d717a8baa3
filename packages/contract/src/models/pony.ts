import type { ModelSpec } from './model-spec.ts';

export const pony: ModelSpec = {
  id: 'pony',
  label: 'Pony Diffusion V6 XL',
  type: 'image',
  modes: ['txt2img', 'img2img'],
  params: [
    'steps',
    'cfg_scale',
    'clip_skip',
    'sampler',
    'denoising_strength',
    'vae',
    'reference_image',
    'score_prefix',
  ],
  // score_prefix: the author's quality tags (score_9, score_8_up, score_7_up) before the prompt
  defaults: { steps: 30, cfg_scale: 6, clip_skip: 2, sampler: 'Euler a', denoising_strength: 0.7, score_prefix: true },
  fixed: {},
  limits: {
    steps: { min: 1, max: 150, integer: true },
    cfg_scale: { min: 1, max: 20 },
    clip_skip: { min: 1, max: 4, integer: true },
    denoising_strength: { min: 0, max: 1 },
  },
  vae: 'Pony XL VAE',
  loraFamily: 'sdxl',
  outputFormats: ['png', 'jpg'],
  defaultOutputFormat: 'png',
};
