import { MODELS, type ResolvedGeneration } from '@mediagen/contract';

/** A1111-style "parameters" text so other tools (A1111, Forge, Civitai) read the generation settings. */
export function buildInfotext(p: ResolvedGeneration, seed: number): string {
  const model = MODELS[p.model];
  const distilled = model.guidance === 'distilled';
  const fields: Array<[string, string | number | undefined]> = [
    ['Steps', p.steps],
    ['Sampler', p.sampler],
    // a guidance-distilled model samples at CFG 1; its guidance is what Forge calls "Distilled CFG Scale"
    ['CFG scale', p.cfg_scale ?? (distilled ? 1 : p.guidance_scale)],
    ['Distilled CFG Scale', distilled ? p.guidance_scale : undefined],
    ['Seed', seed],
    ['Size', `${p.width}x${p.height}`],
    ['Model', model.label],
    ['Clip skip', p.clip_skip],
    ['Denoising strength', p.mode === 'img2img' ? p.denoising_strength : undefined],
    ['Frames', p.num_frames],
    ['FPS', p.fps],
    ['Motion score', p.motion_score],
    ['Mode', p.mode],
    ['Generator', 'MediaGen'],
  ];
  const settings = fields
    .filter((f): f is [string, string | number] => f[1] !== undefined)
    .map(([k, v]) => `${k}: ${String(v).replace(/[,\n]/g, ' ')}`)
    .join(', ');
  const negative = p.negative_prompt ? `\nNegative prompt: ${p.negative_prompt}` : '';
  return `${p.prompt}${negative}\n${settings}`;
}
