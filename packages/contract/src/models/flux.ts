import type { ModelSpec } from './model-spec.ts';

export const flux: ModelSpec = {
  id: 'flux',
  label: 'Flux.1 [dev] nf4',
  type: 'image',
  modes: ['txt2img', 'img2img'],
  params: ['steps', 'guidance_scale', 'sampler', 'denoising_strength', 'vae', 'reference_image'],
  defaults: { steps: 25, guidance_scale: 3.5, sampler: 'Euler', denoising_strength: 0.65 },
  guidance: 'distilled',
  fixed: {},
  limits: {
    steps: { min: 1, max: 150, integer: true },
    guidance_scale: { min: 1, max: 10 },
    denoising_strength: { min: 0, max: 1 },
  },
  vae: 'Flux VAE',
  loraFamily: 'flux',
  outputFormats: ['png', 'jpg'],
  defaultOutputFormat: 'png',
};
