import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFrameGrabArgs,
  buildProbeArgs,
  buildVideoConvertArgs,
  canRemuxToMp4,
  createFfmpegVideoTools,
  parseProbeOutput,
  runMediaProcess,
  type VideoStreamInfo,
} from '#adapters/media/ffmpeg-video-tools.ts';
import {
  FFMPEG,
  FFPROBE,
  isFaststartMp4,
  makeTempDir,
  makeVideo,
  probeWithFfprobe,
  removeTempDir,
} from '../media-test-fixtures.ts';

describe('argument builders (pure)', () => {
  const common = ['-y', '-nostdin', '-hide_banner', '-loglevel', 'error'];

  it('every conversion is quiet, non-interactive, video-only, metadata-free and takes paths as file: URLs', () => {
    for (const format of ['mp4', 'webm', 'gif'] as const) {
      const args = buildVideoConvertArgs('/in/a.mp4', format, '/out/-b.x', { fps: 16 });
      expect(args.slice(0, 5)).toEqual(common);
      expect(args).toEqual(
        expect.arrayContaining([
          '-i',
          'file:/in/a.mp4',
          '-map',
          '0:v:0',
          '-an',
          '-map_metadata',
          '-1',
          '-vsync',
          'passthrough',
        ]),
      );
      expect(args.at(-1)).toBe('file:/out/-b.x');
      expect(args.at(-2)).toBe(format);
    }
  });

  it('mp4: libx264 yuv420p faststart, or a stream copy when told it can remux', () => {
    const encode = buildVideoConvertArgs('a', 'mp4', 'b');
    expect(encode).toEqual(
      expect.arrayContaining(['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart']),
    );
    expect(encode[encode.indexOf('-vf') + 1]).toBe('crop=trunc(iw/2)*2:trunc(ih/2)*2');
    const remux = buildVideoConvertArgs('a', 'mp4', 'b', { remux: true });
    expect(remux).toEqual(expect.arrayContaining(['-c:v', 'copy', '-movflags', '+faststart']));
    expect(remux).not.toContain('libx264');
  });

  it('webm: VP9 constant quality with the fast settings', () => {
    const args = buildVideoConvertArgs('a', 'webm', 'b');
    expect(args.join(' ')).toContain(
      '-c:v libvpx-vp9 -pix_fmt yuv420p -b:v 0 -crf 32 -deadline good -cpu-used 4 -row-mt 1 -f webm',
    );
    expect(args).not.toContain('-vf');
  });

  it('gif: one palette for the clip, bayer dithering, looping', () => {
    const args = buildVideoConvertArgs('a', 'gif', 'b');
    expect(args[args.indexOf('-vf') + 1]).toBe(
      'split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3',
    );
    expect(args).toEqual(expect.arrayContaining(['-loop', '0']));
  });

  it('fps re-times frames (setpts) instead of resampling them, and rejects anything but a sane number', () => {
    const args = buildVideoConvertArgs('a', 'gif', 'b', { fps: 24 });
    expect(args[args.indexOf('-vf') + 1]).toMatch(/^settb=AVTB,setpts=N\/\(24\*TB\),split/);
    expect(args).toEqual(expect.arrayContaining(['-r', '24']));
    expect(buildVideoConvertArgs('a', 'webm', 'b', { fps: 8 })).toEqual(
      expect.arrayContaining(['-vf', 'settb=AVTB,setpts=N/(8*TB)']),
    );
    for (const fps of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1000])
      expect(() => buildVideoConvertArgs('a', 'gif', 'b', { fps })).toThrow(RangeError);
  });

  it('remux only for H.264 yuv420p at the wanted rate with even sides', () => {
    const h264: VideoStreamInfo = {
      width: 512,
      height: 512,
      frames: 81,
      fps: 16,
      codec: 'h264',
      pixFmt: 'yuv420p',
      durationSeconds: 5,
    };
    expect(canRemuxToMp4(h264)).toBe(true);
    expect(canRemuxToMp4(h264, 16)).toBe(true);
    expect(canRemuxToMp4(h264, 24)).toBe(false);
    expect(canRemuxToMp4({ ...h264, pixFmt: 'yuv444p' })).toBe(false);
    expect(canRemuxToMp4({ ...h264, codec: 'hevc' })).toBe(false);
    expect(canRemuxToMp4({ ...h264, width: 511 })).toBe(false);
  });

  it('probe and frame-grab arguments', () => {
    expect(buildProbeArgs('/v.mp4', { countFrames: true })).toEqual(
      expect.arrayContaining(['-count_frames', 'file:/v.mp4']),
    );
    expect(buildProbeArgs('/v.mp4', { countFrames: false })).not.toContain('-count_frames');
    expect(buildFrameGrabArgs('/v.mp4', 1.25)).toEqual([
      ...common,
      '-ss',
      '1.250',
      '-i',
      'file:/v.mp4',
      '-map',
      '0:v:0',
      '-frames:v',
      '1',
      '-c:v',
      'png',
      '-f',
      'image2pipe',
      'pipe:1',
    ]);
    expect(buildFrameGrabArgs('/v.mp4', Number.NaN)).toContain('0');
  });

  it('parses ffprobe JSON', () => {
    const json = JSON.stringify({
      streams: [
        {
          codec_name: 'vp9',
          width: 256,
          height: 128,
          pix_fmt: 'yuv420p',
          r_frame_rate: '16/1',
          avg_frame_rate: '16/1',
          nb_read_frames: '33',
        },
      ],
      format: { duration: '2.062000' },
    });
    expect(parseProbeOutput(json)).toEqual({
      codec: 'vp9',
      width: 256,
      height: 128,
      pixFmt: 'yuv420p',
      fps: 16,
      frames: 33,
      durationSeconds: 2.062,
    });
    expect(
      parseProbeOutput(
        JSON.stringify({ streams: [{ codec_name: 'gif', r_frame_rate: '0/0', avg_frame_rate: '50/3' }] }),
      ).fps,
    ).toBeCloseTo(16.667, 2);
    expect(() => parseProbeOutput('{"streams":[]}')).toThrow(/no video stream/);
  });
});

describe('runMediaProcess', () => {
  it('puts stderr into the error', async () => {
    await expect(
      runMediaProcess(FFMPEG, ['-hide_banner', '-nostdin', '-i', 'file:/nonexistent/x.mp4'], 10_000),
    ).rejects.toThrow(/exit 1.*No such file/s);
  });

  it('kills a child that runs too long', async () => {
    await expect(runMediaProcess(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], 200)).rejects.toThrow(
      /timed out/,
    );
  });

  it('says when the tool is missing', async () => {
    await expect(runMediaProcess('/nonexistent/ffmpeg', [], 1000)).rejects.toThrow(/could not start/);
  });
});

describe('real conversions (ffmpeg)', () => {
  const dir = makeTempDir();
  const tools = createFfmpegVideoTools({ ffmpegPath: FFMPEG, ffprobePath: FFPROBE, timeoutMs: 60_000 });
  const h264 = path.join(dir, 'in.mp4');
  const mpeg4 = path.join(dir, 'in-mpeg4.mp4');

  beforeAll(() => {
    makeVideo(h264); // 33 frames, 256², 16 fps, H.264 yuv420p (what ComfyUI's save nodes write)
    makeVideo(mpeg4, { codecArgs: ['-c:v', 'mpeg4', '-q:v', '5'] });
  });
  afterAll(() => removeTempDir(dir));

  it.each([
    ['mp4', 'h264'],
    ['webm', 'vp9'],
    ['gif', 'gif'],
  ] as const)('mp4 → %s: %s, 256×256, all 33 frames', async (format, codec) => {
    const out = path.join(dir, `out.${format}`);
    await tools.convert(h264, format, out, { fps: 16 });
    expect(probeWithFfprobe(out)).toMatchObject({ codec, width: 256, height: 256, frames: 33 });
    expect(await tools.probe(out)).toMatchObject({ codec, width: 256, height: 256, frames: 33 });
  });

  it('mp4 output is faststart and yuv420p, from a remux and from a re-encode alike', async () => {
    const remuxed = path.join(dir, 'remuxed.mp4');
    const encoded = path.join(dir, 'encoded.mp4');
    await tools.convert(h264, 'mp4', remuxed);
    await tools.convert(mpeg4, 'mp4', encoded);
    for (const file of [remuxed, encoded]) {
      expect(probeWithFfprobe(file)).toMatchObject({
        codec: 'h264',
        pixFmt: 'yuv420p',
        frames: 33,
        width: 256,
        height: 256,
      });
      expect(isFaststartMp4(file)).toBe(true);
    }
    expect(isFaststartMp4(h264)).toBe(false); // the input was not, so the flag did the work
  });

  it('a different fps re-times the clip and keeps every frame', async () => {
    for (const format of ['mp4', 'gif'] as const) {
      const out = path.join(dir, `retimed.${format}`);
      await tools.convert(h264, format, out, { fps: 24 });
      const probe = await tools.probe(out);
      expect(probe).toMatchObject({ frames: 33, fps: 24 });
      expect(probe.durationSeconds).toBeCloseTo(33 / 24, 1);
    }
  });

  it("a failed conversion leaves no output file and reports ffmpeg's words", async () => {
    const notVideo = path.join(dir, 'not-video.mp4');
    fs.writeFileSync(notVideo, 'definitely not a video');
    const out = path.join(dir, 'never.webm');
    await expect(tools.convert(notVideo, 'webm', out)).rejects.toThrow(/ffmpeg failed \(exit \d+\):.*Invalid data/s);
    await expect(tools.probe(notVideo)).rejects.toThrow(/Invalid data/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('grabs the middle frame as a PNG', async () => {
    const frame = await tools.grabMiddleFrame(h264);
    expect(await sharp(frame).metadata()).toMatchObject({ format: 'png', width: 256, height: 256 });
  });
});
