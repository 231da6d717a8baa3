import sharp, { type Metadata } from 'sharp';
import type { MediaTools } from '#ports/media-tools.ts';
import { convertVideo, probeVideo, videoThumbnail } from './ffmpeg-video-tools.ts';
import { addJpegExif, buildExifUserComment, readJpegUserComment } from './jpeg-exif-comment.ts';
import { addPngText, readPngText } from './png-text-chunk.ts';

const ACCEPTED = new Set(['png', 'jpeg', 'webp']);

export class BadImageError extends Error {
  constructor(readonly reason: 'not_an_image' | 'too_many_pixels' | 'unsupported_format', message: string) {
    super(message);
    this.name = 'BadImageError';
  }
}

/** sharp for images (libvips inside the npm package), ffmpeg/ffprobe for video. */
export function createMediaTools(opts: { concurrency?: number } = {}): MediaTools {
  sharp.concurrency(opts.concurrency ?? 1);
  return {
    async normalizeImage(input, { maxPixels, resizeTo }) {
      let meta: Metadata;
      try {
        // limitInputPixels stops a decompression bomb before it is decoded
        meta = await sharp(input, { limitInputPixels: false }).metadata();
      } catch {
        throw new BadImageError('not_an_image', 'the bytes are not a decodable image');
      }
      if (!meta.format || !ACCEPTED.has(meta.format)) throw new BadImageError('unsupported_format', `only PNG, JPEG or WebP (got ${meta.format ?? 'unknown'})`);
      const w = meta.width ?? 0;
      const h = meta.height ?? 0;
      if (w * h > maxPixels) throw new BadImageError('too_many_pixels', `${w}×${h} is more than ${maxPixels} pixels`);
      let img = sharp(input, { limitInputPixels: maxPixels, failOn: 'error' }).rotate();
      if (resizeTo) img = img.resize(resizeTo.width, resizeTo.height, { fit: 'cover', position: 'centre' });
      try {
        const { data, info } = await img.removeAlpha().png({ compressionLevel: 6 }).toBuffer({ resolveWithObject: true });
        return { png: data, meta: { width: info.width, height: info.height, format: meta.format } };
      } catch (err) {
        throw new BadImageError('not_an_image', `the image could not be decoded (${(err as Error).message})`);
      }
    },
    async encodeImage(pngInput, format, parameters) {
      if (format === 'png') {
        const png = await sharp(pngInput).png({ compressionLevel: 6 }).toBuffer();
        return addPngText(png, 'parameters', parameters);
      }
      const jpeg = await sharp(pngInput).jpeg({ quality: 92, mozjpeg: false }).toBuffer();
      return addJpegExif(jpeg, buildExifUserComment(parameters));
    },
    async readImageParameters(file) {
      return readPngText(file, 'parameters') ?? readJpegUserComment(file);
    },
    convertVideo: (input, format, out, o) => convertVideo(input, format, out, o),
    async probeVideo(path) {
      const p = await probeVideo(path);
      return { width: p.width, height: p.height, frames: p.frames, fps: p.fps, codec: p.codec, durationSeconds: p.durationSeconds };
    },
    async thumbnail(input, outJpegPath, maxSize = 384) {
      if (input.kind === 'video') return videoThumbnail(input.path, outJpegPath, maxSize);
      await sharp(input.path, { pages: 1 }).resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 82 }).toFile(outJpegPath);
    },
  };
}
