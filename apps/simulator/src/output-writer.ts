// Executes the save nodes: writes the synthetic files where ComfyUI would, with its naming,
// and returns the node's UI dict (`{images:[{filename, subfolder, type}], animated?:[bool]}`).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MediaDesc, OutputPlan } from './graph-analysis.ts';
import type { Graph } from './graph-validation.ts';
import type { SimulatorFolders } from './output-files.ts';
import { loadReference, renderPng } from './output-renderer.ts';
import { pyJsonDumps } from './python-format.ts';
import type { SceneReference } from './scene-renderer.ts';
import { encodeAnimation, type AnimationFormat } from './video-encoder.ts';

export interface FileRef {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp';
}
export type UiOutput = { images: FileRef[]; animated?: boolean[] };

/** Seed of batch item i: `seed + i`, exact for 64-bit decimal seeds. */
export function itemSeed(seed: string, i: number): string {
  return /^-?\d+$/.test(seed) ? (BigInt(seed) + BigInt(i)).toString() : `${seed}+${i}`;
}

async function references(media: MediaDesc, folders: SimulatorFolders): Promise<SceneReference | undefined> {
  const load = async (name: string | undefined): Promise<Buffer | undefined> => {
    const file = name ? folders.inputPath(name) : undefined;
    return file ? loadReference(file, media.width, media.height) : undefined;
  };
  if (media.refs.guides && media.refs.guides.length > 0) {
    const guides = await Promise.all(
      media.refs.guides.map(async (g) => ({ frame: g.frame, data: await load(g.file) })),
    );
    const loaded = guides.flatMap((g) => (g.data ? [{ frame: g.frame, data: g.data }] : []));
    return loaded.length > 0 ? { guides: loaded, weight: 0.85 } : undefined;
  }
  if (media.refs.source) {
    // img2img: what survives of the source is what the denoise strength leaves untouched
    const source = await load(media.refs.source);
    return source ? { source, weight: Math.min(0.9, Math.max(0.1, 1 - media.denoise)) } : undefined;
  }
  return undefined;
}

const ANIMATION: Record<string, { format: AnimationFormat; ext: string }> = {
  video: { format: 'mp4', ext: 'mp4' },
  webm: { format: 'webm', ext: 'webm' },
  webp: { format: 'webp', ext: 'webp' },
  apng: { format: 'apng', ext: 'png' },
};

export interface WriteContext {
  folders: SimulatorFolders;
  graph: Graph;
  extraData: Record<string, unknown>;
  /** SaveImage's embedded `prompt`/workflow text chunks (off with --disable-metadata) */
  metadata: boolean;
}

export async function writeOutput(plan: OutputPlan, ctx: WriteContext): Promise<UiOutput> {
  const m = plan.media;
  const reference = await references(m, ctx.folders);
  if (plan.kind === 'image' || plan.kind === 'preview') {
    const temp = plan.kind === 'preview';
    // PreviewImage: temp folder, prefix + "_temp_" + 5 random letters (nodes.py)
    const prefix = temp
      ? `${plan.prefix}_temp_${Array.from(crypto.randomBytes(5), (b) => 'abcdefghijklmnopqrstupvxyz'[b % 26]).join('')}`
      : plan.prefix;
    const target = ctx.folders.savePath(prefix, temp ? 'temp' : 'output', m.width, m.height);
    const text: Array<[string, string]> = [];
    if (ctx.metadata) {
      text.push(['prompt', pyJsonDumps(ctx.graph)]);
      const info = ctx.extraData.extra_pnginfo;
      if (info && typeof info === 'object') for (const [k, v] of Object.entries(info)) text.push([k, pyJsonDumps(v)]);
    }
    const images: FileRef[] = [];
    let counter = target.counter;
    // a decoded video latent is a batch of frames: one PNG per frame, like VAEDecode + SaveImage
    for (let b = 0; b < m.batch; b++) {
      for (let f = 0; f < m.frames; f++) {
        const index = b * m.frames + f;
        const file = `${target.filename.replaceAll('%batch_num%', String(index))}_${String(counter).padStart(5, '0')}_.png`;
        const png = await renderPng(
          {
            width: m.width,
            height: m.height,
            seed: itemSeed(plan.seed, b),
            salt: plan.salt,
            t: f,
            frames: m.frames,
            ...(reference ? { reference } : {}),
          },
          text,
        );
        fs.writeFileSync(path.join(target.folder, file), png);
        images.push({ filename: file, subfolder: target.subfolder, type: temp ? 'temp' : 'output' });
        counter += 1;
      }
    }
    return { images };
  }
  const anim = ANIMATION[plan.kind]!;
  const target = ctx.folders.savePath(plan.prefix, 'output', m.width, m.height);
  const file = `${target.filename}_${String(target.counter).padStart(5, '0')}_.${anim.ext}`;
  const frames = m.frames * m.batch;
  await encodeAnimation(
    {
      width: m.width,
      height: m.height,
      frames,
      fps: plan.fps > 0 ? plan.fps : 16,
      seed: plan.seed,
      salt: plan.salt,
      options: plan.options,
      ...(reference ? { reference } : {}),
    },
    anim.format,
    path.join(target.folder, file),
  );
  return {
    images: [{ filename: file, subfolder: target.subfolder, type: 'output' }],
    animated: [plan.kind === 'webp' ? frames !== 1 : true],
  };
}
