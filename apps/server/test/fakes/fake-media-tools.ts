import {
  buildExifUserComment,
  insertJpegExif,
  isJpeg,
  readJpegUserComment,
} from '#adapters/media/jpeg-exif-comment.ts';
import { isPng, readPngText, writePngText } from '#adapters/media/png-text-chunk.ts';
import type { BadImageReason, MediaTools, VideoFormat, VideoProbe } from '#ports/media-tools.ts';
import { fingerprint, jpegStandIn, pngStandIn, readImageHeader } from './image-stand-ins.ts';
import type { MemoryFileStore } from './memory-file-store.ts';

class BadImageError extends Error {
  override readonly name = 'BadImageError';
  constructor(
    readonly reason: BadImageReason,
    message: string,
  ) {
    super(message);
  }
}

const VIDEO_MAGIC = 'FAKE-VIDEO ';

/**
 * The MediaTools port without sharp or ffmpeg, for unit tests. Images are judged by their headers (PNG, JPEG,
 * WebP accepted; other image formats `unsupported_format`; anything else `not_an_image`; the pixel bound checked)
 * and "re-encoded" to PNG stand-ins; parameters are embedded and read back with the real chunk writers. Files
 * named by a path (videos, thumbnails) live in the MemoryFileStore whose `localPath` made the path; a video is a
 * small JSON stand-in that `probeVideo` reads back.
 */
export class FakeMediaTools implements MediaTools {
  /** one line per call, e.g. "normalizeImage 64x64 png", "thumbnail media/t/thumb.jpg" */
  readonly calls: string[] = [];
  /** what a converted video probes as */
  video: Omit<VideoProbe, 'codec'> = { width: 512, height: 512, frames: 81, fps: 16, durationSeconds: 5.0625 };

  constructor(private readonly files: MemoryFileStore) {}

  private keyOf(localPath: string): string {
    const key = this.files.keyOf(localPath);
    if (key === undefined) throw new Error(`FakeMediaTools works on memory-file-store paths only, not ${localPath}`);
    return key;
  }

  async normalizeImage(input: Buffer, opts: { maxPixels: number; resizeTo?: { width: number; height: number } }) {
    const header = input.length > 0 ? readImageHeader(input) : undefined;
    if (!header) throw new BadImageError('not_an_image', 'the bytes are not an image');
    if (header.format === 'other') throw new BadImageError('unsupported_format', 'only PNG, JPEG or WebP are accepted');
    if (header.width * header.height > Math.max(1, Math.floor(opts.maxPixels))) {
      throw new BadImageError(
        'too_many_pixels',
        `${header.width}×${header.height} is more than ${opts.maxPixels} pixels`,
      );
    }
    const size = opts.resizeTo ?? header;
    this.calls.push(`normalizeImage ${size.width}x${size.height} ${header.format}`);
    return {
      png: pngStandIn(size.width, size.height, `normalized ${fingerprint(input)}`),
      meta: { width: header.width, height: header.height, format: header.format },
    };
  }

  async encodeImage(pngInput: Buffer, format: 'png' | 'jpg', parameters: string): Promise<Buffer> {
    const header = readImageHeader(pngInput);
    if (!header || header.format === 'other') throw new Error('encodeImage: the input is not an image');
    const size = { width: header.width, height: header.height };
    this.calls.push(`encodeImage ${format}`);
    if (format === 'png')
      return writePngText(pngStandIn(size.width, size.height, fingerprint(pngInput)), 'parameters', parameters);
    const jpeg = jpegStandIn(size.width, size.height, fingerprint(pngInput));
    return insertJpegExif(jpeg, buildExifUserComment(parameters));
  }

  async readImageParameters(file: Buffer): Promise<string | undefined> {
    if (isPng(file)) return readPngText(file, 'parameters');
    if (isJpeg(file)) return readJpegUserComment(file);
    return undefined;
  }

  async convertVideo(
    inputPath: string,
    format: VideoFormat,
    outPath: string,
    opts?: { fps?: number; comment?: string },
  ): Promise<void> {
    this.calls.push(`convertVideo ${format}`);
    const probe = {
      ...this.video,
      ...(opts?.fps ? { fps: opts.fps } : {}),
      ...(opts?.comment ? { comment: opts.comment } : {}),
      format,
      from: inputPath,
    };
    await this.files.write(this.keyOf(outPath), Buffer.from(VIDEO_MAGIC + JSON.stringify(probe)));
  }

  async lastFrame(videoPath: string): Promise<Buffer> {
    this.calls.push(`lastFrame ${this.keyOf(videoPath)}`);
    return pngStandIn(this.video.width, this.video.height, `last frame of ${this.keyOf(videoPath)}`);
  }

  async probeVideo(path: string): Promise<VideoProbe> {
    const bytes = (await this.files.read(this.keyOf(path))).toString();
    if (!bytes.startsWith(VIDEO_MAGIC)) throw new Error(`probeVideo: not a video: ${path}`);
    const p = JSON.parse(bytes.slice(VIDEO_MAGIC.length)) as VideoProbe & { format: VideoFormat };
    const codec = p.format === 'mp4' ? 'h264' : p.format === 'webm' ? 'vp9' : 'gif';
    return {
      width: p.width,
      height: p.height,
      frames: p.frames,
      fps: p.fps,
      codec,
      durationSeconds: p.durationSeconds,
    };
  }

  async thumbnail(input: { path: string; kind: 'image' | 'video' }, outJpegPath: string, maxSize = 384): Promise<void> {
    const key = this.keyOf(outJpegPath);
    this.calls.push(`thumbnail ${key}`);
    const source = await this.files.read(this.keyOf(input.path));
    const header = input.kind === 'image' ? readImageHeader(source) : undefined;
    const [w, h] =
      header && header.format !== 'other' ? [header.width, header.height] : [this.video.width, this.video.height];
    const scale = Math.min(1, maxSize / Math.max(w, h));
    await this.files.write(key, jpegStandIn(Math.round(w * scale), Math.round(h * scale), `thumbnail of ${key}`));
  }
}
