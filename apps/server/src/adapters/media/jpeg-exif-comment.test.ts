import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  MAX_USER_COMMENT_UNITS,
  buildExifUserComment,
  insertJpegExif,
  readJpegUserComment,
} from './jpeg-exif-comment.ts';
import { SAMPLE_INFOTEXT, makePng } from '#test/sample-images.ts';

const makeJpeg = async (): Promise<Buffer> =>
  sharp(await makePng(32, 24))
    .jpeg()
    .toBuffer();

/** The markers of the JPEG segments before the scan, e.g. [0xe0, 0xe1, 0xdb, …]. */
function headerMarkers(jpeg: Buffer): number[] {
  const markers: number[] = [];
  for (let off = 2; off + 4 <= jpeg.length && jpeg[off + 1] !== 0xda; off += 2 + jpeg.readUInt16BE(off + 2))
    markers.push(jpeg[off + 1] ?? 0);
  return markers;
}

describe('JPEG EXIF UserComment', () => {
  it('lays the comment out as piexif (A1111) does: big-endian TIFF, "UNICODE\\0" + UTF-16BE', () => {
    const exif = buildExifUserComment('Seed: 42, маяк');
    expect(exif.toString('latin1', 0, 10)).toBe('Exif\0\0MM\0*');
    const prefixAt = exif.indexOf('UNICODE\0', 0, 'latin1');
    expect(prefixAt).toBeGreaterThan(0);
    // UTF-16BE, decoded the way piexif.helper.UserComment.load does it
    const body = Buffer.from(exif.subarray(prefixAt + 8))
      .swap16()
      .toString('utf16le');
    expect(body).toBe('Seed: 42, маяк');
  });

  it('round-trips through a real JPEG; sharp decodes it and sees the same EXIF block', async () => {
    const exif = buildExifUserComment(SAMPLE_INFOTEXT);
    const out = insertJpegExif(await makeJpeg(), exif);
    expect(readJpegUserComment(out)).toBe(SAMPLE_INFOTEXT);
    const meta = await sharp(out, { failOn: 'warning' }).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 32, height: 24 });
    expect(meta.exif?.equals(exif)).toBe(true);
    await expect(sharp(out, { failOn: 'warning' }).raw().toBuffer()).resolves.toBeInstanceOf(Buffer);
  });

  it('libexif (inside libvips) parses the block: re-saved with keepExif, the comment survives its rewrite', async () => {
    const ours = insertJpegExif(await makeJpeg(), buildExifUserComment(SAMPLE_INFOTEXT));
    const rewritten = await sharp(ours).keepExif().jpeg().toBuffer();
    const exif = (await sharp(rewritten).metadata()).exif;
    expect(exif?.equals(buildExifUserComment(SAMPLE_INFOTEXT))).toBe(false); // libexif wrote its own layout (more IFD0 tags)
    expect(readJpegUserComment(rewritten)).toBe(SAMPLE_INFOTEXT);
  });

  it('goes after a JFIF APP0 and replaces an EXIF block that was already there', async () => {
    const jfif = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    const plain = await makeJpeg();
    const withJfif = Buffer.concat([plain.subarray(0, 2), jfif, plain.subarray(2)]);
    const withOldExif = insertJpegExif(withJfif, buildExifUserComment('old'));
    const out = insertJpegExif(withOldExif, buildExifUserComment('new'));
    expect(headerMarkers(out).slice(0, 2)).toEqual([0xe0, 0xe1]);
    expect(headerMarkers(out).filter((m) => m === 0xe1)).toHaveLength(1);
    expect(readJpegUserComment(out)).toBe('new');
    expect((await sharp(out).metadata()).width).toBe(32);
  });

  it('reads a UserComment written by another writer (libvips, little-endian TIFF, ASCII)', async () => {
    const byLibvips = await sharp(await makePng(16, 16))
      .jpeg()
      .withExif({ IFD2: { UserComment: 'Steps: 20, Seed: 7' } })
      .toBuffer();
    expect(byLibvips.includes(Buffer.from('Exif\0\0II', 'latin1'))).toBe(true);
    expect(readJpegUserComment(byLibvips)).toBe('Steps: 20, Seed: 7');
  });

  it('cuts an over-long text to fit one APP1 segment, never splitting a surrogate pair', async () => {
    const long = `${'a'.repeat(MAX_USER_COMMENT_UNITS - 1)}🌅tail`;
    const exif = buildExifUserComment(long);
    expect(exif.length).toBeLessThanOrEqual(65533);
    const out = insertJpegExif(await makeJpeg(), exif);
    expect(readJpegUserComment(out)).toBe('a'.repeat(MAX_USER_COMMENT_UNITS - 1));
    expect((await sharp(out).metadata()).format).toBe('jpeg');
  });

  it('answers undefined for JPEGs without EXIF, other bytes and broken EXIF', async () => {
    const jpeg = await makeJpeg();
    expect(readJpegUserComment(jpeg)).toBeUndefined();
    expect(readJpegUserComment(Buffer.from('hello'))).toBeUndefined();
    const broken = insertJpegExif(jpeg, Buffer.concat([Buffer.from('Exif\0\0MM\0*\0\0\xff\xff', 'latin1')]));
    expect(readJpegUserComment(broken)).toBeUndefined();
  });
});
