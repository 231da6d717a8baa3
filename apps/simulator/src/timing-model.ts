// How long simulated work takes and how much VRAM it needs. Orders of magnitude are those of an
// H100 running the project's models; every duration is multiplied by SIM_TIME_SCALE by the caller.
import type { MediaDesc } from './graph-analysis.ts';

const GB = 1024 ** 3;
const IMAGE_REF_PIXELS = 1024 * 1024;
const VIDEO_REF_VOXELS = 512 * 512 * 81;

export interface TimingModel {
  /** seconds to load a model set the GPU does not hold */
  loadSeconds(isVideo: boolean): number;
  /** seconds per sampler step for a latent of this size */
  stepSeconds(media: MediaDesc): number;
  /** seconds for VAEDecode of this latent */
  decodeSeconds(media: MediaDesc): number;
  /** seconds for any other node (text encoders, small image ops) */
  nodeSeconds(classType: string): number;
}

export const DEFAULT_TIMING: TimingModel = {
  loadSeconds: (isVideo) => (isVideo ? 8 : 4),
  // image 1024² ≈ 0.15 s/step; video 512²×81 frames ≈ 2.5 s/step; linear in pixels × frames × batch
  stepSeconds: (m) =>
    m.video
      ? (2.5 * m.width * m.height * m.frames * m.batch) / VIDEO_REF_VOXELS
      : (0.15 * m.width * m.height * m.batch) / IMAGE_REF_PIXELS,
  decodeSeconds: (m) =>
    m.video
      ? (1.5 * m.width * m.height * m.frames * m.batch) / VIDEO_REF_VOXELS
      : (0.05 * m.width * m.height * m.batch) / IMAGE_REF_PIXELS,
  nodeSeconds: (cls) => (/TextEncode/.test(cls) ? 0.05 : /Encode/.test(cls) ? 0.1 : 0.002),
};

/** Rough weight size of a model file, from the naming conventions of the files in models.json. */
export function modelFileBytes(file: string): number {
  const f = file.toLowerCase();
  if (f.includes('aio')) return 23 * GB;
  if (f.includes('14b')) return 15 * GB;
  if (f.includes('q8')) return 12.7 * GB;
  if (f.includes('nf4')) return 11.5 * GB;
  if (f.includes('umt5')) return 6.7 * GB;
  if (f.includes('t5xxl')) return 4.9 * GB;
  if (f.includes('xl') || f.includes('pony')) return 6.9 * GB;
  if (f.includes('clip') || f.includes('vae') || /^ae\./.test(f)) return 0.3 * GB;
  return 2 * GB;
}

export const modelSetBytes = (files: string[]): number => files.reduce((s, f) => s + modelFileBytes(f), 0);

/** Activation memory of sampling this latent; above the card's size the job fails like a CUDA OOM. */
export function activationBytes(m: MediaDesc): number {
  return m.video
    ? GB + (8 * GB * m.width * m.height * m.frames * m.batch) / VIDEO_REF_VOXELS
    : GB + (1.5 * GB * m.width * m.height * m.batch) / IMAGE_REF_PIXELS;
}

/** ComfyUI offloads weights to fit, so only activations that leave no room at all fail. */
export const wouldOom = (m: MediaDesc, vramBytes: number): boolean => activationBytes(m) > vramBytes - 2 * GB;
