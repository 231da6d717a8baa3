import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import sharp from 'sharp';

/** Deterministic 32-bit PRNG (mulberry32): same seed, same numbers. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SceneSpec {
  width: number;
  height: number;
  seed: number;
  /** prompt text and other parameters that should change the picture */
  salt: string;
  /** an optional reference image (raw RGB at width×height) blended in */
  reference?: Buffer;
}

interface Scene {
  c1: [number, number, number];
  c2: [number, number, number];
  discs: Array<{ x: number; y: number; r: number; vx: number; vy: number; color: [number, number, number] }>;
}

function scene(spec: SceneSpec): Scene {
  const h = crypto.createHash('sha256').update(`${spec.seed}|${spec.salt}`).digest();
  const rnd = prng(h.readUInt32LE(0));
  const color = (): [number, number, number] => [Math.floor(rnd() * 256), Math.floor(rnd() * 256), Math.floor(rnd() * 256)];
  const discs = Array.from({ length: 3 + Math.floor(rnd() * 3) }, () => ({
    x: rnd(), y: rnd(), r: 0.06 + rnd() * 0.14, vx: (rnd() - 0.5) * 0.02, vy: (rnd() - 0.5) * 0.02, color: color(),
  }));
  return { c1: color(), c2: color(), discs };
}

/** One RGB frame (t = frame index) of the seed's scene. */
export function renderFrame(spec: SceneSpec, t: number, size?: { width: number; height: number }): Buffer {
  const w = size?.width ?? spec.width;
  const hgt = size?.height ?? spec.height;
  const s = scene(spec);
  const out = Buffer.alloc(w * hgt * 3);
  const shift = (t * 0.01) % 1;
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      const k = ((x / w + y / hgt) / 2 + shift) % 1;
      const i = (y * w + x) * 3;
      out[i] = s.c1[0] + (s.c2[0] - s.c1[0]) * k;
      out[i + 1] = s.c1[1] + (s.c2[1] - s.c1[1]) * k;
      out[i + 2] = s.c1[2] + (s.c2[2] - s.c1[2]) * k;
    }
  }
  for (const d of s.discs) {
    const cx = (((d.x + d.vx * t) % 1) + 1) % 1 * w;
    const cy = (((d.y + d.vy * t) % 1) + 1) % 1 * hgt;
    const r = d.r * Math.min(w, hgt);
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(w - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(hgt - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        const i = (y * w + x) * 3;
        out[i] = d.color[0];
        out[i + 1] = d.color[1];
        out[i + 2] = d.color[2];
      }
    }
  }
  if (spec.reference && !size && spec.reference.length === out.length) {
    for (let i = 0; i < out.length; i++) out[i] = (out[i]! + spec.reference[i]!) >> 1;
  }
  return out;
}

export async function renderPng(spec: SceneSpec): Promise<Buffer> {
  return sharp(renderFrame(spec, 0), { raw: { width: spec.width, height: spec.height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** A small JPEG that sharpens as sampling advances (progress 0…1), like a latent preview. */
export async function renderPreview(spec: SceneSpec, progress: number): Promise<Buffer> {
  const w = 128;
  const h = Math.max(16, Math.round((128 * spec.height) / spec.width));
  const frame = renderFrame(spec, 0, { width: w, height: h });
  const rnd = prng(spec.seed + Math.round(progress * 1000));
  const noise = 1 - progress;
  for (let i = 0; i < frame.length; i++) frame[i] = frame[i]! * (1 - noise) + rnd() * 255 * noise;
  return sharp(frame, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}

/** An mp4 (H.264) or webm (VP9) of `frames` frames at `fps`, made by piping raw frames to ffmpeg. */
export function renderVideo(spec: SceneSpec, frames: number, fps: number, outPath: string, format: 'mp4' | 'webm' = 'mp4'): Promise<void> {
  const codec = format === 'mp4'
    ? ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart']
    : ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '32', '-deadline', 'good', '-cpu-used', '4', '-row-mt', '1'];
  const args = ['-y', '-nostdin', '-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${spec.width}x${spec.height}`,
    '-r', String(fps), '-i', '-', '-frames:v', String(frames), ...codec, '-threads', '1', '-fflags', '+bitexact', '-flags:v', '+bitexact',
    '-map_metadata', '-1', '-f', format, outPath];
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.FFMPEG_PATH ?? 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err.trim()}`))));
    child.stdin.on('error', () => undefined);
    let t = 0;
    const pump = (): void => {
      while (t < frames) {
        const ok = child.stdin.write(renderFrame(spec, t));
        t += 1;
        if (!ok) {
          child.stdin.once('drain', pump);
          return;
        }
      }
      child.stdin.end();
    };
    pump();
  });
}
