import { MODEL_LIST, zMode, type ModelId } from '@mediagen/contract';

/**
 * A1111 "parameters" text → form parameters (what "reuse settings" takes). Reads what MediaGen writes
 * (domain/infotext.ts) and what A1111/Forge write: prompt, `Negative prompt:`, then `Key: value` pairs.
 */
export function parseInfotext(text: string): Record<string, unknown> | undefined {
  const lines = text.replace(/\r\n?/g, '\n').trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (!/(^|, )Steps: /.test(last) && !/(^|, )Seed: /.test(last)) return undefined;
  const body = lines.slice(0, -1).join('\n');
  const negAt = body.search(/(^|\n)Negative prompt: /);
  const { prompt, loras } = takeLoraTags((negAt >= 0 ? body.slice(0, negAt) : body).trim());
  const negative =
    negAt >= 0
      ? body
          .slice(negAt)
          .replace(/^\n?Negative prompt: /, '')
          .trim()
      : '';
  const fields = new Map<string, string>();
  for (const m of last.matchAll(/\s*([\w ]+?): ("(?:[^"\\]|\\.)*"|[^,]*)(?:,|$)/g)) {
    fields.set((m[1] ?? '').trim().toLowerCase(), (m[2] ?? '').trim().replace(/^"|"$/g, ''));
  }
  const num = (k: string): number | undefined => {
    const v = fields.get(k);
    const n = v === undefined ? Number.NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const out: Record<string, unknown> = { prompt, negative_prompt: negative };
  if (loras.length > 0) out.loras = loras;
  const model = modelOf(fields.get('model') ?? '');
  if (model) {
    const spec = MODEL_LIST.find((m) => m.id === model);
    out.model = model;
    out.type = spec?.type;
    const cfg = num('cfg scale');
    const distilled = num('distilled cfg scale');
    if (spec?.params.includes('cfg_scale') && cfg !== undefined) out.cfg_scale = cfg;
    if (spec?.params.includes('guidance_scale')) {
      const g = spec.guidance === 'distilled' ? distilled : cfg;
      if (g !== undefined) out.guidance_scale = g;
    }
  }
  const mode = zMode.safeParse(fields.get('mode'));
  if (mode.success) out.mode = mode.data;
  const size = /^(\d+)x(\d+)$/.exec(fields.get('size') ?? '');
  if (size) {
    out.width = Number(size[1]);
    out.height = Number(size[2]);
  }
  const set = (key: string, from: string): void => {
    const v = num(from);
    if (v !== undefined) out[key] = v;
  };
  set('seed', 'seed');
  set('steps', 'steps');
  set('clip_skip', 'clip skip');
  set('denoising_strength', 'denoising strength');
  set('num_frames', 'frames');
  set('fps', 'fps');
  set('motion_score', 'motion score');
  const sampler = fields.get('sampler');
  if (sampler) out.sampler = sampler;
  return out;
}

/** A model named by its MediaGen label, or a checkpoint name that says which family it is. */
function modelOf(name: string): ModelId | undefined {
  const n = name.toLowerCase();
  const exact = MODEL_LIST.find((m) => m.label.toLowerCase() === n);
  if (exact) return exact.id;
  return MODEL_LIST.find((m) => n.includes(m.id))?.id;
}

export interface RecalledLora {
  name: string;
  strength: number;
  strength_clip?: number;
}

const LORA_TAG = /\s*<lora:([^:<>]+):([^<>]+)>/g;

/**
 * A1111 extra-network tags: `<lora:name:strength>`, `<lora:name:te:unet>` (text encoder first), or named
 * `te=` / `unet=`; removed from the prompt, since the studio sends LoRAs apart.
 */
export function takeLoraTags(text: string): { prompt: string; loras: RecalledLora[] } {
  const loras: RecalledLora[] = [];
  const prompt = text
    .replace(LORA_TAG, (_m, name: string, rest: string) => {
      const positional: number[] = [];
      const named = new Map<string, number>();
      for (const part of rest.split(':')) {
        const [k, v] = part.includes('=') ? part.split('=') : [undefined, part];
        const n = Number(v);
        if (!Number.isFinite(n)) continue;
        if (k) named.set(k.trim(), n);
        else positional.push(n);
      }
      const te = named.get('te') ?? positional[0] ?? 1;
      const unet = named.get('unet') ?? positional[1] ?? te;
      loras.push({ name: name.trim(), strength: unet, ...(te !== unet ? { strength_clip: te } : {}) });
      return '';
    })
    .trim();
  return { prompt, loras };
}
