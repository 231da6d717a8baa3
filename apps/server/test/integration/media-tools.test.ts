// The MediaTools port as the worker and services use it, on real files with the real sharp and ffmpeg.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadImageError, createMediaTools } from '#adapters/media/media-tools.ts';
import {
  FFMPEG,
  FFPROBE,
  SAMPLE_INFOTEXT,
  makePng,
  makeTempDir,
  makeVideo,
  probeWithFfprobe,
  removeTempDir,
} from '../media-test-fixtures.ts';

const media = createMediaTools({ ffmpegPath: FFMPEG, ffprobePath: FFPROBE, processTimeoutMs: 60_000 });
const dir = makeTempDir();
const mp4 = path.join(dir, 'engine-output.mp4');

beforeAll(() => {
  makeVideo(mp4, { frames: 33, size: '256x256', rate: 16 });
});
afterAll(() => removeTempDir(dir));

describe('MediaTools (sharp + ffmpeg)', () => {
  it.each(['png', 'jpg'] as const)('%s keeps the generation parameters', async (format) => {
    const out = await media.encodeImage(await makePng(64, 48), format, SAMPLE_INFOTEXT);
    expect(await media.readImageParameters(out)).toBe(SAMPLE_INFOTEXT);
    expect(await sharp(out).metadata()).toMatchObject({
      format: format === 'jpg' ? 'jpeg' : 'png',
      width: 64,
      height: 48,
    });
  });

  it('normalizeImage rejects with a typed BadImageError', async () => {
    const err: unknown = await media
      .normalizeImage(Buffer.from('GIF89a? no, plain text'), { maxPixels: 1e6 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadImageError);
    expect(err).toMatchObject({ name: 'BadImageError', reason: 'not_an_image' });
    await expect(media.normalizeImage(await makePng(2000, 1000), { maxPixels: 1_000_000 })).rejects.toMatchObject({
      reason: 'too_many_pixels',
    });
  });

  it.each([
    ['mp4', 'h264'],
    ['webm', 'vp9'],
    ['gif', 'gif'],
  ] as const)('convertVideo mp4 → %s, and probeVideo agrees with ffprobe', async (format, codec) => {
    const out = path.join(dir, `result.${format}`);
    await media.convertVideo(mp4, format, out, { fps: 16 });
    expect(probeWithFfprobe(out)).toMatchObject({ codec, width: 256, height: 256, frames: 33 });
    const probe = await media.probeVideo(out);
    expect(probe).toMatchObject({ codec, width: 256, height: 256, frames: 33 });
    expect(probe.fps).toBeCloseTo(16, 0);
    expect(probe.durationSeconds).toBeGreaterThan(1.9);
    expect(Object.keys(probe).sort()).toEqual(['codec', 'durationSeconds', 'fps', 'frames', 'height', 'width']);
  });

  it('thumbnail of a video: a JPEG of a middle frame within maxSize', async () => {
    const out = path.join(dir, 'video-thumb.jpg');
    await media.thumbnail({ path: mp4, kind: 'video' }, out, 128);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 128, height: 128 });
    // closer to frame 16 of 33 than to frame 0 (testsrc2 moves and counts, so frames differ)
    const thumb = await sharp(out).raw().toBuffer();
    const distanceTo = async (frame: number): Promise<number> => {
      const png = execFileSync(FFMPEG, [
        '-nostdin',
        '-loglevel',
        'error',
        '-i',
        mp4,
        '-vf',
        `select=eq(n\\,${frame})`,
        '-frames:v',
        '1',
        '-c:v',
        'png',
        '-f',
        'image2pipe',
        'pipe:1',
      ]);
      const pixels = await sharp(png).resize(128, 128).raw().toBuffer();
      return pixels.reduce((sum, v, i) => sum + Math.abs(v - (thumb[i] ?? 0)), 0);
    };
    expect(await distanceTo(16)).toBeLessThan(await distanceTo(0));
  });

  it('thumbnail of an image (and of a GIF result): a JPEG within maxSize', async () => {
    const src = path.join(dir, 'result.png');
    fs.writeFileSync(src, await makePng(1024, 768));
    const out = path.join(dir, 'image-thumb.jpg');
    await media.thumbnail({ path: src, kind: 'image' }, out, 384);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 384, height: 288 });
    const gif = path.join(dir, 'anim.gif');
    await media.convertVideo(mp4, 'gif', gif);
    await media.thumbnail({ path: gif, kind: 'image' }, out, 100);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 100, height: 100 });
  });
});
