import { resolveMediaBinaries } from '@mediagen/binaries';
import sharp from 'sharp';
import type { MediaTools } from '#ports/media-tools.ts';
import { createFfmpegVideoTools } from './ffmpeg-video-tools.ts';
import {
  encodeImageWithParameters,
  normalizeImage,
  readImageParameters,
  writeJpegThumbnail,
} from './sharp-image-tools.ts';

export { BadImageError } from './sharp-image-tools.ts';

export interface MediaToolsOptions {
  /** default: FFMPEG_PATH, else ffmpeg on PATH, else the npm-shipped build (@mediagen/binaries) */
  ffmpegPath?: string;
  /** default: FFPROBE_PATH, else ffprobe on PATH, else the npm-shipped build */
  ffprobePath?: string;
  /** an ffmpeg/ffprobe run is killed after this long (default 5 min) */
  processTimeoutMs?: number;
  /** libvips threads per image operation (process-wide); unset leaves sharp's default (one per core) */
  sharpConcurrency?: number;
}

const DEFAULT_THUMBNAIL_SIZE = 384;

/** sharp (libvips inside the npm package) for images, ffmpeg/ffprobe child processes for video. */
export function createMediaTools(opts: MediaToolsOptions = {}): MediaTools {
  if (opts.sharpConcurrency !== undefined) sharp.concurrency(opts.sharpConcurrency);
  const video = createFfmpegVideoTools({
    ffmpegPath: opts.ffmpegPath ?? resolveMediaBinaries().ffmpeg.path,
    ffprobePath: opts.ffprobePath ?? resolveMediaBinaries().ffprobe.path,
    timeoutMs: opts.processTimeoutMs ?? 5 * 60_000,
  });
  return {
    normalizeImage: (input, o) => normalizeImage(input, o),
    encodeImage: (pngInput, format, parameters) => encodeImageWithParameters(pngInput, format, parameters),
    readImageParameters: async (file) => readImageParameters(file),
    convertVideo: (inputPath, format, outPath, o) => video.convert(inputPath, format, outPath, o),
    async probeVideo(path) {
      const { pixFmt: _pixFmt, ...probe } = await video.probe(path, { countFrames: true });
      return probe;
    },
    lastFrame: (videoPath) => video.grabLastFrame(videoPath),
    async thumbnail(input, outJpegPath, maxSize = DEFAULT_THUMBNAIL_SIZE, opts = {}) {
      const source = input.kind === 'video' ? await video.grabMiddleFrame(input.path) : input.path;
      await writeJpegThumbnail(source, outJpegPath, maxSize, opts.blurSigma);
    },
  };
}
