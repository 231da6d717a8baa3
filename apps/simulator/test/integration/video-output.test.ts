import { resolveMediaBinaries } from '@mediagen/binaries';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postJson,
  RecordingSocket,
  videoGraph,
  waitHistory,
  type HistoryJson,
  type VideoGraphOptions,
} from '../sim-test-client.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator.ts';

let sim: RunningSimulator;
let base: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-video-test-'));

beforeAll(async () => {
  sim = await startSimulator({ ports: [0], timeScale: 0.002 });
  base = `http://127.0.0.1:${sim.ports[0]}`;
});

afterAll(async () => {
  await sim?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function render(o: VideoGraphOptions): Promise<{ h: HistoryJson; file: string; bytes: Buffer }> {
  const r = await postJson(base, '/prompt', { prompt: videoGraph(o) });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const h = await waitHistory(base, String(r.json.prompt_id), 30_000);
  expect(h.status.status_str, JSON.stringify(h.status.messages)).toBe('success');
  const img = h.outputs['14']!.images[0]!;
  const res = await fetch(
    `${base}/view?${new URLSearchParams({ filename: img.filename, subfolder: img.subfolder, type: img.type })}`,
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  const file = path.join(tmp, img.filename);
  fs.writeFileSync(file, bytes);
  return { h, file, bytes };
}

function probe(file: string): Record<string, string> {
  const out = execFileSync(resolveMediaBinaries().ffprobe.path, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_frames',
    '-show_entries',
    'stream=codec_name,width,height,nb_read_frames,r_frame_rate,pix_fmt',
    '-of',
    'json',
    file,
  ]);
  return (JSON.parse(out.toString()) as { streams: Array<Record<string, string>> }).streams[0]!;
}

describe('video outputs', () => {
  it('SaveVideo writes an H.264 mp4 with exactly `length` frames at the CreateVideo fps and latent size', async () => {
    const { h, file } = await render({ length: 17, fps: 16, width: 256, height: 160 });
    expect(h.outputs['14']).toMatchObject({
      images: [{ filename: expect.stringMatching(/^sim_\d{5}_\.mp4$/), subfolder: 'video', type: 'output' }],
      animated: [true],
    });
    expect(probe(file)).toMatchObject({
      codec_name: 'h264',
      pix_fmt: 'yuv420p',
      width: 256,
      height: 160,
      nb_read_frames: '17',
      r_frame_rate: '16/1',
    });
    // Wan latents hold ((length-1)//4)+1 frames: a length of 20 decodes to 17
    expect(probe((await render({ length: 20, fps: 24 })).file)).toMatchObject({
      nb_read_frames: '17',
      r_frame_rate: '24/1',
    });
  });

  it('same seed ⇒ identical mp4 bytes; another seed ⇒ different', async () => {
    const a = await render({ seed: 11, length: 9 });
    const b = await render({ seed: 11, length: 9 });
    const c = await render({ seed: 12, length: 9 });
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.bytes.equals(c.bytes)).toBe(false);
  });

  it('SaveWEBM (VP9) and SaveAnimatedWEBP work too', async () => {
    const webm = await render({ save: 'SaveWEBM', length: 9, fps: 12 });
    expect(probe(webm.file)).toMatchObject({ codec_name: 'vp9', nb_read_frames: '9', r_frame_rate: '12/1' });
    const webp = await render({ save: 'SaveAnimatedWEBP', length: 5 });
    expect(webp.h.outputs['14']!.animated).toEqual([true]);
    const meta = await sharp(webp.bytes, { pages: -1 }).metadata();
    expect([meta.format, meta.pages, meta.width, meta.pageHeight]).toEqual(['webp', 5, 256, 160]);
  });

  it('an i2v start image shapes the first frame; a two-expert run reports both samplers', async () => {
    const form = new FormData();
    const red = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    form.append('image', new Blob([new Uint8Array(red)], { type: 'image/png' }), 'start.png');
    expect((await fetch(`${base}/upload/image`, { method: 'POST', body: form })).status).toBe(200);
    const ws = await RecordingSocket.open(base, 'video-client');
    try {
      const r = await postJson(base, '/prompt', {
        prompt: videoGraph({ startImage: 'start.png', length: 9, steps: 4 }),
        client_id: 'video-client',
      });
      const pid = String(r.json.prompt_id);
      await ws.waitDone(pid, 30_000);
      const progress = ws
        .json('progress')
        .filter((m) => m.data.prompt_id === pid)
        .map((m) => [m.data.node, m.data.value, m.data.max]);
      expect(progress).toEqual([
        ['10', 1, 2],
        ['10', 2, 2],
        ['11', 1, 2],
        ['11', 2, 2],
      ]);
      const h = await waitHistory(base, pid);
      const img = h.outputs['14']!.images[0]!;
      const file = path.join(tmp, 'i2v.mp4');
      fs.writeFileSync(
        file,
        Buffer.from(
          await (await fetch(`${base}/view?filename=${img.filename}&subfolder=${img.subfolder}`)).arrayBuffer(),
        ),
      );
      const first = execFileSync(resolveMediaBinaries().ffmpeg.path, [
        '-v',
        'error',
        '-i',
        file,
        '-frames:v',
        '1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ]);
      const stats = await sharp(first, { raw: { width: 256, height: 160, channels: 3 } }).stats();
      expect(stats.channels[0]!.mean).toBeGreaterThan(stats.channels[2]!.mean + 60); // mostly the red start image
    } finally {
      ws.close();
    }
  });
});
