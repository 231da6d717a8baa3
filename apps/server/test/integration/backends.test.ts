// Real backends: the graphs the models really run, checked through the public API on the simulator
// (guide frames compared pixel by pixel), and the engine's backend preparation against simulated GPUs
// that lack files or previews, restart, or run another template variant.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { resolveMediaBinaries } from '@mediagen/binaries';
import { MODELS, resolveGeneration, type GenerationResult, type Mode, type ModelId } from '@mediagen/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyUiEngine, type ComfyUiEngine } from '../../src/adapters/engines/comfyui/comfyui-engine.ts';
import { DEFAULT_WORKFLOWS_DIR } from '../../src/adapters/engines/comfyui/workflow-templates.ts';
import { startSimulatorProcess, type SimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import type { BackendRef, EngineListener } from '../../src/ports/engine.ts';
import { Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';

const SIDE = 32; // frames are compared at 32×32
let sim: SimulatorProcess;
let server: TestServer;
let c: Client;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backends-'));
const engines: ComfyUiEngine[] = [];
const extraSims: SimulatorProcess[] = [];

/** A picture with four coloured quadrants; `flip` mirrors it so the two are clearly different. */
async function quadrants(flip: boolean): Promise<Buffer> {
  const colours = flip ? ['#0000ff', '#ffff00', '#ff0000', '#00ff00'] : ['#ff0000', '#00ff00', '#0000ff', '#ffff00'];
  const tile = (c: string): Promise<Buffer> =>
    sharp({ create: { width: 256, height: 256, channels: 3, background: c } })
      .png()
      .toBuffer();
  const tiles = await Promise.all(colours.map(tile));
  return sharp({ create: { width: 512, height: 512, channels: 3, background: '#000' } })
    .composite(tiles.map((input, i) => ({ input, left: (i % 2) * 256, top: Math.floor(i / 2) * 256 })))
    .png()
    .toBuffer();
}
const dataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;
const small = (png: Buffer): Promise<Buffer> =>
  sharp(png).resize(SIDE, SIDE, { fit: 'fill' }).removeAlpha().raw().toBuffer();

/** Every frame of a video, as raw RGB at SIDE×SIDE. */
function frames(file: string): Buffer[] {
  const raw = execFileSync(
    resolveMediaBinaries().ffmpeg.path,
    ['-v', 'error', '-i', file, '-vf', `scale=${SIDE}:${SIDE}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const size = SIDE * SIDE * 3;
  return Array.from({ length: raw.length / size }, (_, i) => raw.subarray(i * size, (i + 1) * size));
}
/** Mean absolute difference per channel value, 0…255. */
function mad(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function generate(body: Record<string, unknown>): Promise<GenerationResult> {
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
  expect(status.status, String(status.error)).toBe('completed');
  return status.result as GenerationResult;
}

async function videoFrames(result: GenerationResult, name: string): Promise<Buffer[]> {
  const file = path.join(tmp, `${name}.mp4`);
  fs.writeFileSync(file, Buffer.from(await (await c.get(result.url)).arrayBuffer()));
  return frames(file);
}

const video = (model: ModelId, mode: Mode, extra: Record<string, unknown>): Record<string, unknown> => ({
  type: 'video',
  model,
  mode,
  prompt: 'a paper lantern drifting over a lake',
  width: 512,
  height: 512,
  seed: 11,
  num_frames: 17,
  ...extra,
});

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
  for (const e of engines) await e.close();
  await Promise.all([sim?.stop(), ...extraSims.map((s) => s.stop())]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('graphs the models really run (public API, simulator)', () => {
  it('phr00t i2v: the clip starts with the given image', async () => {
    const start = await quadrants(false);
    const result = await generate(video('phr00t', 'i2v', { reference_image: dataUrl(start) }));
    const f = await videoFrames(result, 'phr00t-i2v');
    expect(f).toHaveLength(17);
    expect(mad(f[0]!, await small(start))).toBeLessThan(12);
    expect(mad(f[0]!, await small(await quadrants(true)))).toBeGreaterThan(60);
  }, 120_000);

  it('phr00t first_last_frame: the clip starts with the first image and ends with the last', async () => {
    const first = await quadrants(false);
    const last = await quadrants(true);
    const result = await generate(
      video('phr00t', 'first_last_frame', { first_frame_image: dataUrl(first), last_frame_image: dataUrl(last) }),
    );
    const f = await videoFrames(result, 'phr00t-flf');
    expect(mad(f[0]!, await small(first))).toBeLessThan(12);
    expect(mad(f.at(-1)!, await small(last))).toBeLessThan(12);
    expect(mad(f[0]!, await small(last))).toBeGreaterThan(60);
    expect(mad(f.at(-1)!, await small(first))).toBeGreaterThan(60);
  }, 120_000);

  it('anisora arbitrary_frame passes the pinned pack validation and shows the image at its keyframe', async () => {
    const key = await quadrants(false);
    const result = await generate(
      video('anisora', 'arbitrary_frame', { reference_image: dataUrl(key), num_frames: 33, reference_frame_index: 16 }),
    );
    const f = await videoFrames(result, 'anisora-key');
    expect(f).toHaveLength(33);
    expect(mad(f[16]!, await small(key))).toBeLessThan(12);
    expect(mad(f[0]!, await small(key))).toBeGreaterThan(mad(f[16]!, await small(key)) + 20);
  }, 120_000);

  it('anisora guidance_scale 0 is refused with 422 (cfg 0 would ignore the prompt)', async () => {
    const res = await c.post('/api/generate', video('anisora', 't2v', { guidance_scale: 0 }));
    expect(res.status).toBe(422);
    const body = await json<{ code: string; details: Array<{ path: string }> }>(res);
    expect([body.code, body.details.map((d) => d.path)]).toEqual(['validation_error', ['guidance_scale']]);
  });

  it('the Wan native sizes are accepted for video models', async () => {
    const result = await generate(video('anisora', 't2v', { width: 832, height: 480 }));
    expect([result.width, result.height]).toEqual([832, 480]);
  }, 120_000);
});

describe('a graph a model cannot run fails the pixel check (the simulator follows real semantics)', () => {
  it('the previous phr00t i2v template (WanImageToVideo on the VACE Mega file) loses the start image, and the simulator says why', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'old-'));
    const manifest = JSON.parse(fs.readFileSync(path.join(DEFAULT_WORKFLOWS_DIR, 'manifest.json'), 'utf8')) as {
      files: unknown[];
    };
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ files: manifest.files }));
    const old = JSON.parse(fs.readFileSync(path.join(DEFAULT_WORKFLOWS_DIR, 'phr00t.i2v.json'), 'utf8')) as {
      graph: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
      bindings: Array<Record<string, unknown>>;
      unsupported: Array<Record<string, unknown>>;
    };
    // as before the review: the start image into WanImageToVideo, sampled straight from its latent
    const { positive, negative, vae, width, height, length, batch_size } = old.graph['5']!.inputs;
    old.graph['5'] = {
      class_type: 'WanImageToVideo',
      inputs: { positive, negative, vae, width, height, length, batch_size, start_image: ['20', 0] },
    };
    old.graph['12']!.inputs.samples = ['6', 0];
    for (const id of ['7', '23']) delete old.graph[id];
    old.bindings = old.bindings.filter((b) => b.node !== '23' && b.field !== 'reference_strength');
    old.unsupported.push({ param: 'reference_strength', reason: 'WanImageToVideo has no strength input at all' });
    fs.writeFileSync(path.join(dir, 'phr00t.i2v.json'), JSON.stringify(old));
    const engine = createComfyUiEngine({ workflowsDir: dir, pollIntervalMs: 200, lostGraceMs: 1000 });
    engines.push(engine);
    const start = await quadrants(false);
    const params = resolveGeneration(
      {
        type: 'video',
        model: 'phr00t',
        mode: 'i2v',
        prompt: 'x',
        width: 512,
        height: 512,
        seed: 3,
        num_frames: 17,
        reference_image: 'asset:x',
      },
      () => 1,
    );
    const noop: EngineListener = {
      onSubmitted: () => undefined,
      onProgress: () => undefined,
      onPreview: () => undefined,
    };
    const backend: BackendRef = { id: 'old', name: 'old', baseUrl: sim.urls[0]! };
    const res = await engine.run(
      { taskId: 'old-i2v', backend, params, inputs: { reference: start } },
      noop,
      new AbortController().signal,
    );
    const file = path.join(tmp, 'old-i2v.mp4');
    fs.writeFileSync(file, res.files[0]!.data);
    expect(mad(frames(file)[0]!, await small(start))).toBeGreaterThan(40);
    const stats = (await (await fetch(`${sim.urls[0]}/sim/stats`)).json()) as {
      warnings: Array<{ prompt_id: string; warning: string }>;
    };
    expect(stats.warnings.find((w) => w.prompt_id === res.promptId)?.warning).toMatch(
      /WanImageToVideo \(node 5\) .*wan2\.2-rapid-mega-aio-nsfw-v12\.2\.safetensors is a VACE checkpoint/,
    );
  }, 60_000);
});

describe('a backend an operator can prepare (engine against simulated GPUs)', () => {
  const ref = (s: SimulatorProcess, id: string): BackendRef => ({ id, name: id, baseUrl: s.urls[0]! });

  it("a GPU with only Pony's files serves Pony; the others are listed as missing, with a setup script for them", async () => {
    const ponyOnly = await startSimulatorProcess({
      gpus: 1,
      timeScale: 0.01,
      env: { SIM_MODELS: 'pony', SIM_MISSING_NODES: 'MediaGenWanKeyframeToVideo' },
    });
    extraSims.push(ponyOnly);
    const engine = createComfyUiEngine();
    engines.push(engine);
    const health = await engine.checkHealth(ref(ponyOnly, 'pony-only'), ['anisora', 'phr00t', 'pony', 'flux']);
    expect(health.ok).toBe(true);
    expect(health.models.map((m) => [m.model, m.ready])).toEqual([
      ['anisora', false],
      ['phr00t', false],
      ['pony', true],
      ['flux', false],
    ]);
    expect(health.models[0]!.missingPacks.map((p) => p.name)).toEqual(['comfyui_mediagen']);
    expect(health.models[1]!.missingFiles.map((f) => f.file)).toEqual(['wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors']);
    expect(health.reason).toMatch(/^serves pony; not ready — anisora: /);
    const script = engine.setupScript({ models: ['anisora', 'phr00t', 'pony', 'flux'], readiness: health.models });
    expect(script).toContain("fetch_model 'checkpoints' 'wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors'");
    expect(script).toContain("cat > 'custom_nodes/comfyui_mediagen/nodes.py'");
    expect(script).not.toContain('ponyDiffusionV6XL');
  }, 60_000);

  it("a GPU without previews (ComfyUI's default) is healthy with a warning", async () => {
    const quiet = await startSimulatorProcess({ gpus: 1, timeScale: 0.01, env: { SIM_PREVIEW_METHOD: 'none' } });
    extraSims.push(quiet);
    const engine = createComfyUiEngine();
    engines.push(engine);
    const health = await engine.checkHealth(ref(quiet, 'quiet'), ['pony']);
    expect(health.ok).toBe(true);
    expect(health.warnings).toEqual([expect.stringMatching(/^live previews are off: .*--preview-method auto/)]);
  }, 60_000);

  it('after a backend restarts, its socket reconnects and the engine says so (re-check signal)', async () => {
    const first = await startSimulatorProcess({ gpus: 1, timeScale: 0.01 });
    const port = Number(new URL(first.urls[0]!).port);
    const engine = createComfyUiEngine();
    engines.push(engine);
    const seen: string[] = [];
    const off = engine.onBackendReconnected((id) => seen.push(id));
    expect((await engine.checkHealth(ref(first, 'restarting'), ['pony'])).ok).toBe(true);
    await waitFor(
      async () =>
        ((await (await fetch(`${first.urls[0]}/sim/stats`)).json()) as { ws_clients: number }).ws_clients > 0 ||
        undefined,
      10_000,
    );
    await first.stop();
    const second = await startSimulatorProcess({ gpus: 1, timeScale: 0.01, ports: [port] });
    extraSims.push(second);
    await waitFor(() => (seen.length > 0 ? true : undefined), 30_000, 100);
    expect(seen).toEqual(['restarting']);
    off();
  }, 60_000);

  it('WORKFLOW_VARIANTS flux:gguf runs the GGUF graph end to end', async () => {
    const engine = createComfyUiEngine({ variants: { flux: 'gguf' }, pollIntervalMs: 200 });
    engines.push(engine);
    const params = resolveGeneration(
      { type: 'image', model: 'flux', mode: 'txt2img', prompt: 'a fox', width: 512, height: 512, seed: 9 },
      () => 1,
    );
    const noop: EngineListener = {
      onSubmitted: () => undefined,
      onProgress: () => undefined,
      onPreview: () => undefined,
    };
    const res = await engine.run(
      { taskId: 'gguf', backend: ref(sim, 'gguf'), params, inputs: {} },
      noop,
      new AbortController().signal,
    );
    expect(res.files).toHaveLength(1);
    const history = (await (await fetch(`${sim.urls[0]}/history/${res.promptId}`)).json()) as Record<
      string,
      { prompt: [number, string, Record<string, { class_type: string }>] }
    >;
    const classes = Object.values(history[res.promptId]!.prompt[2]).map((n) => n.class_type);
    expect(classes).toEqual(expect.arrayContaining(['UnetLoaderGGUF', 'DualCLIPLoader', 'VAELoader']));
    expect(classes).not.toContain('CheckpointLoaderNF4');
    expect(MODELS.flux.modes.every((m) => engine.templates.get('flux', m).variant === 'gguf')).toBe(true);
  }, 60_000);
});
