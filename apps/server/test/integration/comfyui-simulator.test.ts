import { resolveMediaBinaries } from '@mediagen/binaries';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { MODEL_LIST, type GenerationResult, type Mode, type ModelId } from '@mediagen/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../src/adapters/media/png-text-chunk.ts';
import { startSimulatorProcess, type SimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import { Client, json, readSse, startTestServer, waitFor, type TestServer } from '../test-server.ts';

let sim: SimulatorProcess;
let server: TestServer;
let c: Client;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-e2e-'));

async function refImage(color: string): Promise<string> {
  const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: color } })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

function payload(
  model: ModelId,
  mode: Mode,
  ref: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const spec = MODEL_LIST.find((m) => m.id === model)!;
  const body: Record<string, unknown> = {
    type: spec.type,
    model,
    mode,
    prompt: 'a calm mountain lake at sunrise',
    width: 512,
    height: 512,
    seed: 42,
    ...extra,
  };
  if (spec.type === 'video') body.num_frames = 17;
  if (mode === 'first_last_frame') Object.assign(body, { first_frame_image: ref, last_frame_image: ref });
  else if (['i2v', 'img2img', 'arbitrary_frame'].includes(mode)) body.reference_image = ref;
  return body;
}

function ffprobe(file: string): { codec: string; width: number; height: number; frames: number } {
  const out = JSON.parse(
    execFileSync(resolveMediaBinaries().ffprobe.path, [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_frames',
      '-show_entries',
      'stream=codec_name,width,height,nb_read_frames',
      '-of',
      'json',
      file,
    ]).toString(),
  ) as { streams: Array<Record<string, string | number>> };
  const s = out.streams[0]!;
  return {
    codec: String(s.codec_name),
    width: Number(s.width),
    height: Number(s.height),
    frames: Number(s.nb_read_frames),
  };
}

async function run(body: Record<string, unknown>): Promise<{ id: string; status: Record<string, unknown> }> {
  const res = await c.post('/api/generate', body);
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(202);
  const id = (await json<{ task_id: string }>(res)).task_id;
  const status = await waitFor(
    async () => {
      const s = await json(await c.get(`/api/status/${id}`));
      return ['completed', 'failed', 'cancelled'].includes(String(s.status)) ? s : undefined;
    },
    90_000,
    100,
  );
  return { id, status };
}

beforeAll(async () => {
  sim = await startSimulatorProcess({ gpus: 2, timeScale: 0.01 });
  server = await startTestServer({ env: { AUTH_MODE: 'open', COMFYUI_URLS: sim.urls.join(','), RETRY_LIMIT: '0' } });
  c = new Client(server.url);
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await c.get('/api/health'))).accounts.ready === 2 || undefined,
    30_000,
    100,
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  await sim?.stop();
});

describe('gateway ↔ simulator over real HTTP and WebSocket', () => {
  it('every model × mode completes, with the asked size, frames, format and embedded parameters', async () => {
    const ref = await refImage('#3366aa');
    for (const model of MODEL_LIST) {
      for (const mode of model.modes) {
        const format =
          model.type === 'image'
            ? mode === 'img2img'
              ? 'jpg'
              : 'png'
            : mode === 't2v'
              ? 'webm'
              : mode === 'i2v'
                ? 'gif'
                : 'mp4';
        const { status } = await run(payload(model.id, mode, ref, { output_format: format }));
        expect(status.status, `${model.id} ${mode}: ${String(status.error)}`).toBe('completed');
        const result = status.result as GenerationResult;
        const file = Buffer.from(await (await c.get(result.url)).arrayBuffer());
        const out = path.join(dir, `${model.id}-${mode}.${format}`);
        fs.writeFileSync(out, file);
        if (model.type === 'image') {
          const meta = await sharp(file).metadata();
          expect([meta.format, meta.width, meta.height]).toEqual([format === 'png' ? 'png' : 'jpeg', 512, 512]);
          if (format === 'png') expect(readPngText(file, 'parameters')).toMatch(/Seed: 42, Size: 512x512/);
        } else {
          const probe = ffprobe(out);
          expect(probe).toEqual({
            codec: ({ mp4: 'h264', webm: 'vp9', gif: 'gif' } as Record<string, string>)[format],
            width: 512,
            height: 512,
            frames: 17,
          });
          expect(result.metadata).toMatchObject({ num_frames: 17, fps: 16 });
        }
        expect(result.metadata.backend).toMatch(/comfyui-/);
      }
    }
  }, 240_000);

  it('frame rules are applied and reported (anisora 8k+1)', async () => {
    const { status } = await run({ ...payload('anisora', 't2v', ''), num_frames: 20 });
    const result = status.result as GenerationResult;
    expect(result.metadata).toMatchObject({ num_frames: 25, requested_num_frames: 20 });
    const out = path.join(dir, 'frames.mp4');
    fs.writeFileSync(out, Buffer.from(await (await c.get(result.url)).arrayBuffer()));
    expect(ffprobe(out).frames).toBe(25);
  }, 60_000);

  it('progress only rises to 100 and live previews arrive over SSE', async () => {
    const res = await c.post('/api/generate', {
      ...payload('pony', 'txt2img', ''),
      width: 1024,
      height: 1024,
      steps: 40,
    });
    const id = (await json<{ task_id: string }>(res)).task_id;
    const events = await readSse(await c.get(`/api/events/${id}`), (e) => e === 'completed' || e === 'failed', 60_000);
    const progress = events.filter((e) => e.event === 'progress').map((e) => (e.data as { progress: number }).progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    expect(events.filter((e) => e.event === 'preview').length).toBeGreaterThan(0);
    expect(events.at(-1)?.event).toBe('completed');
    const preview = await c.get(`/api/preview/${id}`);
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
  }, 60_000);

  it('cancel of a running prompt interrupts it on the backend', async () => {
    for (const url of sim.urls)
      await fetch(`${url}/sim/config`, { method: 'POST', body: JSON.stringify({ time_scale: 0.3 }) });
    try {
      const res = await c.post('/api/generate', { ...payload('anisora', 't2v', ''), num_frames: 81 });
      const id = (await json<{ task_id: string }>(res)).task_id;
      await waitFor(
        async () =>
          (await json<{ progress: number }>(await c.get(`/api/status/${id}`))).progress > 5 ? true : undefined,
        30_000,
        50,
      );
      await c.post(`/api/cancel/${id}`);
      const s = await waitFor(
        async () => {
          const st = await json(await c.get(`/api/status/${id}`));
          return st.status === 'running' ? undefined : st;
        },
        20_000,
        50,
      );
      expect(s.status).toBe('cancelled');
      const stats = await Promise.all(
        sim.urls.map(
          async (u) => (await fetch(`${u}/sim/stats`)).json() as Promise<{ queue: { running: string | null } }>,
        ),
      );
      expect(stats.every((st) => st.queue.running === null)).toBe(true);
    } finally {
      for (const url of sim.urls)
        await fetch(`${url}/sim/config`, { method: 'POST', body: JSON.stringify({ time_scale: 0.01 }) });
    }
  }, 60_000);

  it('a failing node on the backend ends the task failed with the backend message', async () => {
    const { status } = await run({ ...payload('flux', 'txt2img', ''), prompt: 'a cat __sim_fail__' });
    expect(status).toMatchObject({ status: 'failed', code: 'backend_error', retriable: false });
    expect(String(status.error)).toMatch(/simulated sampler failure/);
  }, 30_000);
});

describe('backend lost mid-job', () => {
  it('the task fails with a retriable code and a clear message', async () => {
    const lone = await startSimulatorProcess({ gpus: 1, timeScale: 0.5 });
    const gw = await startTestServer({ env: { AUTH_MODE: 'open', COMFYUI_URLS: lone.urls[0]!, RETRY_LIMIT: '0' } });
    try {
      const cl = new Client(gw.url);
      await waitFor(
        async () =>
          (await json<{ accounts: { ready: number } }>(await cl.get('/api/health'))).accounts.ready === 1 || undefined,
        30_000,
        100,
      );
      const res = await cl.post('/api/generate', { ...payload('phr00t', 't2v', ''), num_frames: 81 });
      const id = (await json<{ task_id: string }>(res)).task_id;
      await waitFor(
        async () => ((await json(await cl.get(`/api/status/${id}`))).status === 'running' ? true : undefined),
        20_000,
        50,
      );
      lone.child.kill('SIGKILL');
      const s = await waitFor(
        async () => {
          const st = await json(await cl.get(`/api/status/${id}`));
          return st.status === 'failed' ? st : undefined;
        },
        30_000,
        100,
      );
      expect(s).toMatchObject({ code: 'backend_lost', retriable: true });
      expect(String(s.error)).toMatch(/stopped answering|cannot be reached|does not answer/);
    } finally {
      await gw.close();
      await lone.stop();
    }
  }, 90_000);
});
