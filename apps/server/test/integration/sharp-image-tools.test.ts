import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_INFOTEXT, makePng, makeTempDir, makeVideo, removeTempDir } from '../media-test-fixtures.ts';
import { encodePngChunk, listPngChunks } from '#adapters/media/png-text-chunk.ts';
import {
  BadImageError,
  encodeImageWithParameters,
  normalizeImage,
  readImageParameters,
  writeJpegThumbnail,
} from '#adapters/media/sharp-image-tools.ts';

const dir = makeTempDir();
afterAll(() => removeTempDir(dir));

/** A PNG whose header claims width×height but whose pixel data is a few bytes: what a decompression bomb looks like up front. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    encodePngChunk('IHDR', ihdr),
    encodePngChunk('IDAT', zlib.deflateSync(Buffer.alloc(16))),
    encodePngChunk('IEND', Buffer.alloc(0)),
  ]);
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadImageError);
  return (err as BadImageError).reason;
}

describe('normalizeImage', () => {
  it('accepts PNG, JPEG and WebP by their bytes and returns a PNG with the source format', async () => {
    const png = await makePng(40, 30);
    for (const [bytes, format] of [
      [png, 'png'],
      [await sharp(png).jpeg().toBuffer(), 'jpeg'],
      [await sharp(png).webp().toBuffer(), 'webp'],
    ] as const) {
      const { png: out, meta } = await normalizeImage(bytes, { maxPixels: 1e6 });
      expect(meta).toEqual({ width: 40, height: 30, format, frames: 1 });
      expect((await sharp(out).metadata()).format).toBe('png');
    }
  });

  it('refuses what is not an image, or is cut short, as not_an_image', async () => {
    const png = await makePng(100, 100);
    const jpeg = await sharp(png).jpeg().toBuffer();
    expect(
      await reasonOf(normalizeImage(Buffer.from('hello, I am text pretending to be a .png'), { maxPixels: 1e6 })),
    ).toBe('not_an_image');
    expect(await reasonOf(normalizeImage(Buffer.alloc(0), { maxPixels: 1e6 }))).toBe('not_an_image');
    expect(await reasonOf(normalizeImage(png.subarray(0, 60), { maxPixels: 1e6 }))).toBe('not_an_image');
    expect(await reasonOf(normalizeImage(png.subarray(0, png.length - 20), { maxPixels: 1e6 }))).toBe('not_an_image');
    expect(await reasonOf(normalizeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)), { maxPixels: 1e6 }))).toBe(
      'not_an_image',
    );
  });

  it('refuses decodable formats other than PNG/JPEG/WebP as unsupported_format (without rendering them)', async () => {
    const gif = await sharp(await makePng(8, 8))
      .gif()
      .toBuffer();
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>',
    );
    const tiff = await sharp(await makePng(8, 8))
      .tiff()
      .toBuffer();
    for (const bytes of [gif, svg, tiff])
      expect(await reasonOf(normalizeImage(bytes, { maxPixels: 1e6 }))).toBe('unsupported_format');
  });

  it('refuses too many pixels from the header alone, before any decoding', async () => {
    // 60000² = 3.6 Gpx (10 GB as RGB): a decode attempt would fail differently or exhaust memory, so the reason
    // itself shows the header decided
    expect(await reasonOf(normalizeImage(pngHeaderOnly(60_000, 60_000), { maxPixels: 16_000_000 }))).toBe(
      'too_many_pixels',
    );
  });

  it('enforces the limit at exactly maxPixels (4000×4000 = 16 MP)', async () => {
    const big = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#fff' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(big.length).toBeLessThan(200_000); // a small file can still be a lot of pixels
    expect(await reasonOf(normalizeImage(big, { maxPixels: 1_000_000 }))).toBe('too_many_pixels');
    const ok = await normalizeImage(big, { maxPixels: 16_000_000, resizeTo: { width: 512, height: 768 } });
    expect(ok.meta).toMatchObject({ width: 512, height: 768, format: 'png' });
    expect(await sharp(ok.png).metadata()).toMatchObject({ width: 512, height: 768 });
  });

  it('strips EXIF and other metadata, after applying the EXIF orientation', async () => {
    const withExif = await sharp(await makePng(40, 20))
      .jpeg()
      .withMetadata({ orientation: 6 }) // also embeds an ICC profile
      .withExifMerge({ IFD0: { Copyright: 'secret-owner' } })
      .toBuffer();
    expect(await sharp(withExif).metadata()).toMatchObject({ orientation: 6, icc: expect.any(Buffer) });
    const { png, meta } = await normalizeImage(withExif, { maxPixels: 1e6 });
    expect(meta).toMatchObject({ width: 20, height: 40 }); // rotated upright
    const out = await sharp(png).metadata();
    expect(out.exif).toBeUndefined();
    expect(out.icc).toBeUndefined();
    expect(out.comments).toBeUndefined();
    expect(png.includes(Buffer.from('secret-owner'))).toBe(false);
    expect(listPngChunks(png).map((c) => c.type)).not.toContain('eXIf');
  });

  it('re-encodes 16-bit input as 8-bit sRGB and keeps alpha', async () => {
    const deep = await sharp(await makePng(16, 16, { alpha: true }))
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    const { png } = await normalizeImage(deep, { maxPixels: 1e6 });
    expect(await sharp(png).metadata()).toMatchObject({ depth: 'uchar', channels: 4, hasAlpha: true });
  });

  it('keeps the first frame of an animated WebP and counts pixels per frame', async () => {
    const anim = fs.readFileSync(
      makeVideo(path.join(dir, 'anim.webp'), {
        frames: 5,
        size: '64x48',
        codecArgs: ['-c:v', 'libwebp_anim', '-loop', '0'],
      }),
    );
    const { png, meta } = await normalizeImage(anim, { maxPixels: 64 * 48 });
    expect(meta).toMatchObject({ width: 64, height: 48, format: 'webp' });
    expect(meta.frames).toBeGreaterThan(1); // the encoder may merge near-identical frames
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 64, height: 48 }); // one frame, not a strip
    expect(await reasonOf(normalizeImage(anim, { maxPixels: 64 * 48 - 1 }))).toBe('too_many_pixels');
  });

  it('cover-resizes to the requested size', async () => {
    const { meta } = await normalizeImage(await makePng(300, 100), {
      maxPixels: 1e6,
      resizeTo: { width: 64, height: 64 },
    });
    expect(meta).toMatchObject({ width: 64, height: 64 });
  });
});

describe('encodeImageWithParameters / readImageParameters', () => {
  it('PNG: a valid PNG carrying the parameters, and nothing the engine had embedded', async () => {
    const fromEngine = await makePng(64, 48);
    const withWorkflow = Buffer.concat([
      fromEngine.subarray(0, 33),
      encodePngChunk('tEXt', Buffer.from('workflow\0{"nodes":[]}', 'latin1')),
      fromEngine.subarray(33),
    ]);
    const out = await encodeImageWithParameters(withWorkflow, 'png', SAMPLE_INFOTEXT);
    expect(readImageParameters(out)).toBe(SAMPLE_INFOTEXT);
    const meta = await sharp(out, { failOn: 'warning' }).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 64, height: 48 });
    expect(meta.comments).toEqual([{ keyword: 'parameters', text: SAMPLE_INFOTEXT }]);
  });

  it('JPEG: EXIF UserComment that sharp sees and we read back; transparent pixels flattened on white', async () => {
    const out = await encodeImageWithParameters(await makePng(64, 48, { alpha: true }), 'jpg', SAMPLE_INFOTEXT);
    expect(readImageParameters(out)).toBe(SAMPLE_INFOTEXT);
    const meta = await sharp(out, { failOn: 'warning' }).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 64, height: 48, hasAlpha: false });
    expect(meta.exif?.includes(Buffer.from('UNICODE\0', 'latin1'))).toBe(true);
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(120); // half-transparent green over white, not over black
  });

  it('reads nothing from files without parameters', async () => {
    const png = await makePng(8, 8);
    expect(readImageParameters(png)).toBeUndefined();
    expect(readImageParameters(await sharp(png).jpeg().toBuffer())).toBeUndefined();
    expect(readImageParameters(await sharp(png).webp().toBuffer())).toBeUndefined();
  });
});

describe('writeJpegThumbnail', () => {
  it('fits the box, keeps the aspect ratio and never enlarges', async () => {
    const src = path.join(dir, 'wide.png');
    fs.writeFileSync(src, await makePng(1024, 512));
    const out = path.join(dir, 'thumb.jpg');
    await writeJpegThumbnail(src, out, 256);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 128 });
    await writeJpegThumbnail(await makePng(100, 50), out, 256);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 100, height: 50 });
  });
});
