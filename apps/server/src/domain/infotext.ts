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
  const loras = loraTags(p.loras ?? []);
  const hashes = (p.loras ?? []).filter((l) => l.hash).map((l) => `${l.name}: ${l.hash ?? ''}`);
  const loraHashes = hashes.length > 0 ? `, Lora hashes: "${hashes.join(', ')}"` : '';
  return `${[p.prompt, loras].filter(Boolean).join(' ')}${negative}\n${settings}${loraHashes}`;
}

/**
 * A1111's extra-network tags: `<lora:name:strength>`; with its own text-encoder strength A1111's positional
 * form `<lora:name:te:unet>` (the text encoder first).
 */
function loraTags(loras: NonNullable<ResolvedGeneration['loras']>): string {
  return loras
    .map((l) =>
      l.strength_clip !== undefined && l.strength_clip !== l.strength
        ? `<lora:${l.name}:${l.strength_clip}:${l.strength}>`
        : `<lora:${l.name}:${l.strength}>`,
    )
    .join(' ');
}
