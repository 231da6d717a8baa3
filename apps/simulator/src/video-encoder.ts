// Encodes animated scenes by piping raw RGB frames into ffmpeg: H.264 mp4 (SaveVideo), VP9 webm
// (SaveWEBM), animated WebP and APNG. Single-threaded, bit-exact flags: same input ⇒ same bytes.
import { spawn } from 'node:child_process';
import { resolveMediaBinaries } from '@mediagen/binaries';
import { makeScene, renderFrame, type SceneReference } from './scene-renderer.ts';

export type AnimationFormat = 'mp4' | 'webm' | 'webp' | 'apng';

export interface AnimationSpec {
  width: number;
  height: number;
  frames: number;
  fps: number;
  seed: string;
  salt: string;
  reference?: SceneReference;
  /** node widgets that matter to the encoder: crf, codec, lossless, quality, method, compress_level */
  options?: Record<string, unknown>;
}

/** Guards the host against absurd requests; the GPU memory model rejects most of these earlier. */
export const MAX_ENCODED_PIXELS = 2_000_000_000;

const WEBP_METHOD: Record<string, string> = { fastest: '0', default: '4', slowest: '6' };

function codecArgs(format: AnimationFormat, o: Record<string, unknown>): string[] {
  switch (format) {
    case 'mp4':
      return [
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '19',
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
      ];
    case 'webm': {
      const crf = String(Math.round(Number(o.crf ?? 32)));
      if (o.codec === 'av1') return ['-c:v', 'libsvtav1', '-crf', crf, '-pix_fmt', 'yuv420p', '-f', 'webm'];
      return [
        '-c:v',
        'libvpx-vp9',
        '-crf',
        crf,
        '-b:v',
        '0',
        '-deadline',
        'good',
        '-cpu-used',
        '4',
        '-row-mt',
        '1',
        '-pix_fmt',
        'yuv420p',
        '-f',
        'webm',
      ];
    }
    case 'webp':
      return [
        '-c:v',
        'libwebp_anim',
        '-lossless',
        o.lossless === false ? '0' : '1',
        '-quality',
        String(Number(o.quality ?? 80)),
        '-compression_level',
        WEBP_METHOD[String(o.method ?? 'default')] ?? '4',
        '-loop',
        '0',
        '-f',
        'webp',
      ];
    case 'apng':
      return ['-c:v', 'apng', '-plays', '0', '-f', 'apng'];
  }
}

/** Writes `frames` frames of the scene to `outPath`; rejects with ffmpeg's message on failure. */
export function encodeAnimation(spec: AnimationSpec, format: AnimationFormat, outPath: string): Promise<void> {
  const { width, height, frames, fps } = spec;
  if (width * height * frames > MAX_ENCODED_PIXELS)
    return Promise.reject(new Error(`refusing to encode ${frames} frames of ${width}x${height}`));
  // yuv420p needs even sizes: crop a stray odd row/column, as encoders commonly do
  const evenCrop =
    format === 'mp4' || format === 'webm'
      ? width % 2 || height % 2
        ? ['-vf', 'crop=trunc(iw/2)*2:trunc(ih/2)*2']
        : []
      : [];
  const args = [
    '-y',
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${width}x${height}`,
    '-r',
    String(fps),
    '-i',
    '-',
    '-frames:v',
    String(frames),
    ...evenCrop,
    ...codecArgs(format, spec.options ?? {}),
    '-threads',
    '1',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-map_metadata',
    '-1',
    outPath,
  ];
  const scene = makeScene(spec.seed, spec.salt);
  return new Promise((resolve, reject) => {
    const child = spawn(resolveMediaBinaries().ffmpeg.path, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    let failed = false;
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString();
    });
    child.on('error', (err) => {
      failed = true;
      reject(err);
    });
    child.on('close', (code) => {
      if (failed) return;
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with code ${code}: ${stderr.trim()}`));
    });
    child.stdin.on('error', () => undefined); // EPIPE when ffmpeg dies early: reported by 'close'
    let t = 0;
    const pump = (): void => {
      // one frame at a time, waiting for 'drain': memory stays bounded whatever the clip length
      while (t < frames && !failed && child.exitCode === null) {
        const ok = child.stdin.write(renderFrame(scene, width, height, t, frames, spec.reference));
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
