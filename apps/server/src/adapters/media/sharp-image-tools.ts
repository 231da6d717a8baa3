import sharp, { type Metadata } from 'sharp';
import type { BadImageReason, ImageMeta } from '#ports/media-tools.ts';
import { buildExifUserComment, insertJpegExif, isJpeg, readJpegUserComment } from './jpeg-exif-comment.ts';
import { isPng, readPngText, writePngText } from './png-text-chunk.ts';

const ACCEPTED_FORMATS: ReadonlySet<string> = new Set<ImageMeta['format']>(['png', 'jpeg', 'webp']);
export const PARAMETERS_KEYWORD = 'parameters';

/** An input image that cannot be used; `reason` says why (services map it to a 422). */
export class BadImageError extends Error {
  override readonly name = 'BadImageError';
  constructor(
    readonly reason: BadImageReason,
    message: string,
  ) {
    super(message);
  }
}

function isAcceptedFormat(format: string | undefined): format is ImageMeta['format'] {
  return format !== undefined && ACCEPTED_FORMATS.has(format);
}

/** Header-only read: sharp's metadata() parses the header without decoding pixels, so a bomb is not inflated. */
async function readHeader(input: Buffer): Promise<Metadata> {
  try {
    return await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new BadImageError('not_an_image', `the bytes are not an image (${(err as Error).message.split('\n')[0]})`);
  }
}

/**
 * Decode for real, check format and pixel count from the header before decoding, re-encode as 8-bit sRGB PNG.
 * The re-encode drops EXIF, XMP, ICC (after converting to sRGB) and text chunks; EXIF orientation is applied first.
 */
export async function normalizeImage(
  input: Buffer,
  opts: { maxPixels: number; resizeTo?: { width: number; height: number } },
): Promise<{ png: Buffer; meta: ImageMeta }> {
  if (input.length === 0) throw new BadImageError('not_an_image', 'empty input');
  const header = await readHeader(input);
  const format = header.format;
  if (!isAcceptedFormat(format))
    throw new BadImageError('unsupported_format', `only PNG, JPEG or WebP are accepted (got ${format ?? 'unknown'})`);
  const maxPixels = Math.max(1, Math.floor(opts.maxPixels)); // 0 would switch sharp's limit off
  const pixels = (header.width ?? 0) * (header.height ?? 0); // height is one page's height (only page 1 is read)
  if (pixels > maxPixels) {
    throw new BadImageError('too_many_pixels', `${header.width}×${header.height} is more than ${maxPixels} pixels`);
  }
  // limitInputPixels again, in case the decoder disagrees with the header parser; failOn 'error' rejects
  // truncated files but lets through the harmless warnings real cameras produce
  let pipeline = sharp(input, { limitInputPixels: maxPixels, failOn: 'error', pages: 1 })
    .autoOrient()
    .toColourspace('srgb');
  if (opts.resizeTo)
    pipeline = pipeline.resize(opts.resizeTo.width, opts.resizeTo.height, { fit: 'cover', position: 'centre' });
  try {
    const { data, info } = await pipeline.png({ compressionLevel: 6 }).toBuffer({ resolveWithObject: true });
    return { png: data, meta: { width: info.width, height: info.height, format, frames: header.pages ?? 1 } };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? '';
    if (/pixel limit/i.test(message)) throw new BadImageError('too_many_pixels', `more than ${maxPixels} pixels`);
    throw new BadImageError('not_an_image', `the image could not be decoded (${message})`);
  }
}

/**
 * Re-encode an engine output (dropping whatever the engine embedded, e.g. ComfyUI's workflow chunks)
 * and embed the A1111 infotext where A1111, Civitai and friends look for it.
 */
export async function encodeImageWithParameters(
  input: Buffer,
  format: 'png' | 'jpg',
  parameters: string,
): Promise<Buffer> {
  if (format === 'png') {
    const png = await sharp(input).png({ compressionLevel: 6 }).toBuffer();
    return writePngText(png, PARAMETERS_KEYWORD, parameters);
  }
  // JPEG has no alpha: flatten on white rather than on whatever the transparent pixels hold
  const jpeg = await sharp(input).flatten({ background: '#ffffff' }).jpeg({ quality: 92 }).toBuffer();
  return insertJpegExif(jpeg, buildExifUserComment(parameters));
}

/** PNG text chunk `parameters` or JPEG EXIF UserComment; the bytes decide which. */
export function readImageParameters(file: Buffer): string | undefined {
  if (isPng(file)) return readPngText(file, PARAMETERS_KEYWORD);
  if (isJpeg(file)) return readJpegUserComment(file);
  return undefined;
}

/** A JPEG thumbnail fitting maxSize×maxSize, never enlarged; first frame of an animation. */
export async function writeJpegThumbnail(
  input: Buffer | string,
  outJpegPath: string,
  maxSize: number,
  blurSigma?: number,
): Promise<void> {
  if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError(`bad thumbnail size ${maxSize}`);
  const fitted = sharp(input, { pages: 1 })
    .autoOrient()
    .resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' });
  await (blurSigma ? fitted.blur(blurSigma) : fitted).jpeg({ quality: 80 }).toFile(outJpegPath);
}
