import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildVideoConvertArgs, probeVideo } from './ffmpeg-video-tools.ts';
import { BadImageError, createMediaTools } from './media-tools.ts';

const media = createMediaTools();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-test-'));
const mp4 = path.join(dir, 'in.mp4');
const TEXT = 'a lighthouse at dawn\nNegative prompt: fog\nSteps: 30, Sampler: Euler a, Seed: 42, Size: 512x512 — маяк';

beforeAll(() => {
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=256x256:rate=16', '-frames:v', '33', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', mp4]);
});

const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#4a7' } }).png().toBuffer();

describe('images', () => {
  it('PNG carries the parameters text and stays a valid PNG', async () => {
    const out = await media.encodeImage(await png(64, 48), 'png', TEXT);
    expect(await media.readImageParameters(out)).toBe(TEXT);
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 64, height: 48 });
    // an independent reader (libvips) sees the chunk too
    expect(JSON.stringify(meta.comments ?? [])).toContain('parameters');
  });

  it('JPEG carries the parameters as EXIF UserComment', async () => {
    const out = await media.encodeImage(await png(64, 48), 'jpg', TEXT);
    expect(await media.readImageParameters(out)).toBe(TEXT);
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif?.includes(Buffer.from('UNICODE\0', 'latin1'))).toBe(true);
  });

  it('normalizeImage decodes for real and refuses what is not an image', async () => {
    await expect(media.normalizeImage(Buffer.from('hello, not an image'), { maxPixels: 1e6 })).rejects.toBeInstanceOf(BadImageError);
    const good = await png(100, 100);
    await expect(media.normalizeImage(good.subarray(0, 60), { maxPixels: 1e6 })).rejects.toBeInstanceOf(BadImageError);
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer();
    await expect(media.normalizeImage(gif, { maxPixels: 1e6 })).rejects.toMatchObject({ reason: 'unsupported_format' });
  });

  it('a pixel-count limit stops decompression bombs before decoding', async () => {
    const big = await sharp({ create: { width: 5000, height: 5000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(big.length).toBeLessThan(200_000); // tiny file, 25 MP
    await expect(media.normalizeImage(big, { maxPixels: 1_000_000 })).rejects.toMatchObject({ reason: 'too_many_pixels' });
    const ok = await media.normalizeImage(big, { maxPixels: 30_000_000, resizeTo: { width: 512, height: 768 } });
    expect(ok.meta).toMatchObject({ width: 512, height: 768, format: 'png' });
  });

  it('metadata is stripped by re-encoding', async () => {
    const withExif = await sharp(await png(32, 32)).jpeg().withExif({ IFD0: { Copyright: 'secret-gps-owner' } }).toBuffer();
    expect((await sharp(withExif).metadata()).exif).toBeDefined();
    const { png: out } = await media.normalizeImage(withExif, { maxPixels: 1e6 });
    const meta = await sharp(out).metadata();
    expect(meta.exif).toBeUndefined();
    expect(out.includes(Buffer.from('secret-gps-owner'))).toBe(false);
  });

  it('thumbnail of an image fits the box', async () => {
    const src = path.join(dir, 'src.png');
    fs.writeFileSync(src, await png(1024, 512));
    const out = path.join(dir, 'thumb.jpg');
    await media.thumbnail({ path: src, kind: 'image' }, out, 256);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 128 });
  });
});

describe('video (real ffmpeg)', () => {
  it('argument builders', () => {
    expect(buildVideoConvertArgs('a', 'webm', 'b')).toEqual(expect.arrayContaining(['libvpx-vp9', '-deadline', 'good', '-cpu-used', '4', '-row-mt', '1']));
    expect(buildVideoConvertArgs('a', 'mp4', 'b')).toEqual(expect.arrayContaining(['libx264', 'yuv420p', '+faststart']));
    expect(buildVideoConvertArgs('a', 'mp4', 'b', { copyH264: true })).toEqual(expect.arrayContaining(['-c:v', 'copy']));
    expect(buildVideoConvertArgs('a', 'gif', 'b', { fps: 16 }).join(' ')).toMatch(/fps=16,split.*palettegen.*paletteuse/);
  });

  it.each([
    ['mp4', 'h264'],
    ['webm', 'vp9'],
    ['gif', 'gif'],
  ] as const)('mp4 → %s keeps size and frame count', async (format, codec) => {
    const out = path.join(dir, `out.${format}`);
    await media.convertVideo(mp4, format, out, { fps: 16 });
    const p = await probeVideo(out);
    expect(p.codec).toBe(codec);
    expect(p.frames).toBe(33);
    expect([p.width, p.height]).toEqual([256, 256]);
    if (format === 'mp4') expect(p.pixFmt).toBe('yuv420p');
  }, 60_000);

  it('thumbnail of a video is a JPEG of a middle frame', async () => {
    const out = path.join(dir, 'vthumb.jpg');
    await media.thumbnail({ path: mp4, kind: 'video' }, out, 128);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 128, height: 128 });
  });
});
