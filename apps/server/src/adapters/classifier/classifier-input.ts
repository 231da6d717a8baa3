// Pixels for the classifier: sharp decodes images, ffmpeg samples video frames; both give size×size RGB bytes
// (the square squash nsfwjs itself applies, done by libvips/ffmpeg instead of TensorFlow.js).
import sharp from 'sharp';
import { asFileUrl, runMediaProcess, type FfmpegVideoTools } from '../media/ffmpeg-video-tools.ts';
import { evenlySpacedFrames } from './nsfw-model.ts';

/** Bigger inputs than this are refused before decoding (the gateway's own upload limit is lower). */
const MAX_INPUT_PIXELS = 100_000_000;

/** Any image sharp decodes → size×size RGB (EXIF orientation applied, transparency flattened on white). */
export async function imageToRgb(image: Buffer, size: number): Promise<Uint8Array<ArrayBuffer>> {
  const { data, info } = await sharp(image, { pages: 1, limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(size, size, { fit: 'fill', kernel: 'cubic' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || data.length !== size * size * 3) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×3`);
  }
  return new Uint8Array(data); // a copy the inference thread can take over (transfer)
}

/**
 * ffmpeg arguments that write the frames at `indices` (decoded order, 0-based), scaled to size×size, as raw
 * RGB on stdout: one decode pass, no temporary files.
 */
export function buildFrameSampleArgs(path: string, indices: readonly number[], size: number): string[] {
  if (indices.length === 0) throw new RangeError('no frames to sample');
  for (const i of indices) if (!Number.isInteger(i) || i < 0) throw new RangeError(`bad frame index ${i}`);
  if (!Number.isInteger(size) || size < 16 || size > 1024) throw new RangeError(`bad size ${size}`);
  const select = `select=${indices.map((i) => `eq(n\\,${i})`).join('+')}`;
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    asFileUrl(path),
    '-map',
    '0:v:0',
    '-an',
    '-vf',
    `${select},scale=${size}:${size}:flags=bicubic,format=rgb24`,
    '-vsync',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
}

/** Split ffmpeg's raw RGB output into frames of size×size×3 bytes (a trailing partial frame is an error). */
export function splitRawFrames(raw: Buffer, size: number): Array<Uint8Array<ArrayBuffer>> {
  const frameBytes = size * size * 3;
  if (raw.length % frameBytes !== 0) throw new Error(`ffmpeg wrote ${raw.length} bytes, not whole ${size}² frames`);
  const frames: Array<Uint8Array<ArrayBuffer>> = [];
  for (let at = 0; at < raw.length; at += frameBytes) {
    // a copy per frame, so each can be transferred to the inference thread on its own
    frames.push(new Uint8Array(raw.subarray(at, at + frameBytes)));
  }
  return frames;
}

export interface FrameSampler {
  ffmpegPath: string;
  video: Pick<FfmpegVideoTools, 'probe'>;
  timeoutMs: number;
}

/**
 * `count` evenly spaced frames of a video as size×size RGB. The frame count comes from the container when it
 * states one (mp4), otherwise from a counting decode (webm, gif).
 */
export async function sampleVideoFrames(
  path: string,
  count: number,
  size: number,
  tools: FrameSampler,
): Promise<Array<Uint8Array<ArrayBuffer>>> {
  let total = (await tools.video.probe(path, { countFrames: false })).frames;
  if (!(total > 0)) total = (await tools.video.probe(path, { countFrames: true })).frames;
  if (!(total > 0)) throw new Error('the video has no frames');
  const indices = evenlySpacedFrames(total, count);
  const raw = await runMediaProcess(tools.ffmpegPath, buildFrameSampleArgs(path, indices, size), tools.timeoutMs);
  const frames = splitRawFrames(raw, size);
  if (frames.length === 0) throw new Error('ffmpeg returned no frames');
  return frames;
}
