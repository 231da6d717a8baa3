// Turns scenes into the bytes ComfyUI would produce: PNGs with the `prompt`/workflow text
// chunks SaveImage embeds, and small JPEG latent previews that sharpen as sampling advances.
import sharp from 'sharp';
import { makeScene, renderFrame, type SceneReference } from './scene-renderer.ts';

export interface StillSpec {
  width: number;
  height: number;
  seed: string;
  salt: string;
  reference?: SceneReference;
  /** frame index and count, for stills cut from a clip */
  t?: number;
  frames?: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Inserts tEXt chunks before the first IDAT, where PIL's PngInfo puts them. */
export function addPngText(png: Buffer, entries: Array<[string, string]>): Buffer {
  if (entries.length === 0) return png;
  const idat = png.indexOf('IDAT', 8, 'latin1') - 4;
  if (idat < 8) return png;
  const chunks = entries.map(([key, text]) => {
    const body = Buffer.concat([
      Buffer.from('tEXt', 'latin1'),
      Buffer.from(key, 'latin1'),
      Buffer.from([0]),
      Buffer.from(text, 'latin1'),
    ]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length - 4);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  });
  return Buffer.concat([png.subarray(0, idat), ...chunks, png.subarray(idat)]);
}

export async function renderPng(spec: StillSpec, text: Array<[string, string]> = []): Promise<Buffer> {
  const raw = renderFrame(
    makeScene(spec.seed, spec.salt),
    spec.width,
    spec.height,
    spec.t ?? 0,
    spec.frames ?? 1,
    spec.reference,
  );
  // compression level 4 is SaveImage's default
  const png = await sharp(raw, { raw: { width: spec.width, height: spec.height, channels: 3 } })
    .png({ compressionLevel: 4 })
    .toBuffer();
  return addPngText(png, text);
}

export const PREVIEW_MAX_SIDE = 256;

export function previewSize(width: number, height: number): { width: number; height: number } {
  const s = Math.min(1, PREVIEW_MAX_SIDE / Math.max(width, height));
  return { width: Math.max(8, Math.round(width * s)), height: Math.max(8, Math.round(height * s)) };
}

/** A latent-preview-like JPEG (≤256 px): noisy and blurred early, the final picture at progress 1. */
export async function renderPreviewJpeg(spec: StillSpec, progress: number): Promise<Buffer> {
  const { width, height } = previewSize(spec.width, spec.height);
  const p = Math.min(1, Math.max(0, progress));
  const frame = renderFrame(makeScene(spec.seed, spec.salt), width, height, 0, 1);
  // deterministic noise that fades as steps advance
  let state = (Math.round(p * 1000) * 2654435761) >>> 0;
  const noise = (1 - p) * 0.7;
  for (let i = 0; i < frame.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    frame[i] = frame[i]! * (1 - noise) + (state >>> 24) * noise;
  }
  let img = sharp(frame, { raw: { width, height, channels: 3 } });
  const sigma = (1 - p) * 6;
  if (sigma >= 0.3) img = img.blur(sigma);
  return img.jpeg({ quality: 80 }).toBuffer();
}

/** An uploaded guide picture as raw RGB at the output size ("center" crop, like common_upscale). */
export async function loadReference(file: string, width: number, height: number): Promise<Buffer | undefined> {
  try {
    return await sharp(file)
      .resize(width, height, { fit: 'cover', position: 'centre' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer();
  } catch {
    return undefined;
  }
}
