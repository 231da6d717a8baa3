import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getJson, imageGraph, postJson, RecordingSocket, waitHistory, type HistoryJson } from '../sim-test-client.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator.ts';

const SCALE = 0.002;
let sim: RunningSimulator;
let base: string;
let small: string; // a second GPU with 4 GiB of VRAM
const sockets: RecordingSocket[] = [];

async function open(url: string, id: string, flags?: Record<string, unknown>): Promise<RecordingSocket> {
  const s = await RecordingSocket.open(url, id, flags);
  sockets.push(s);
  return s;
}

async function submit(url: string, body: Record<string, unknown>): Promise<string> {
  const r = await postJson(url, '/prompt', body);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return String(r.json.prompt_id);
}

async function fileOf(url: string, h: HistoryJson, node: string, index = 0): Promise<Response> {
  const img = h.outputs[node]!.images[index]!;
  return fetch(
    `${url}/view?${new URLSearchParams({ filename: img.filename, subfolder: img.subfolder, type: img.type })}`,
  );
}

async function setScale(url: string, timeScale: number): Promise<void> {
  expect((await postJson(url, '/sim/config', { time_scale: timeScale })).status).toBe(200);
}

beforeAll(async () => {
  sim = await startSimulator({ ports: [0, 0], timeScale: SCALE, vramGb: [80, 4] });
  base = `http://127.0.0.1:${sim.ports[0]}`;
  small = `http://127.0.0.1:${sim.ports[1]}`;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await sim?.close();
});

describe('a txt2img prompt', () => {
  it('runs with ComfyUI events, rising progress, JPEG previews and a history entry', async () => {
    const ws = await open(base, 'client-a');
    const other = await open(base, 'client-b');
    const res = await postJson(base, '/prompt', {
      prompt: imageGraph({ width: 320, height: 256, steps: 6 }),
      client_id: 'client-a',
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ number: expect.any(Number), node_errors: {} });
    const pid = String(res.json.prompt_id);
    await ws.waitDone(pid);

    const mine = ws.json().filter((m) => m.data.prompt_id === pid && m.type !== 'progress_state');
    const types = mine.map((m) => m.type);
    expect(types.slice(0, 2)).toEqual(['execution_start', 'execution_cached']);
    expect(types.slice(-2)).toEqual(['execution_success', 'executing']);
    const executing = mine.filter((m) => m.type === 'executing' && m.data.node !== null).map((m) => m.data.node);
    expect([...executing].sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    expect(executing.indexOf('4')).toBeLessThan(executing.indexOf('3'));
    expect(executing.at(-1)).toBe('9');
    const progress = mine.filter((m) => m.type === 'progress').map((m) => m.data);
    expect(progress.map((p) => p.value)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.every((p) => p.max === 6 && p.node === '3')).toBe(true);
    expect(mine.find((m) => m.type === 'execution_start')!.data.timestamp).toBeGreaterThan(1.6e12);
    const states = ws.json('progress_state').filter((m) => m.data.prompt_id === pid);
    expect(states.at(-1)!.data.nodes).toMatchObject({ '9': { state: 'finished', node_id: '9', display_node_id: '9' } });

    const previews = ws.binary();
    expect(previews.length).toBe(6);
    for (const frame of previews) {
      expect([frame.readUInt32BE(0), frame.readUInt32BE(4)]).toEqual([1, 1]);
      expect(frame.subarray(8, 10)).toEqual(Buffer.from([0xff, 0xd8]));
      const meta = await sharp(frame.subarray(8)).metadata();
      expect(meta.format).toBe('jpeg');
      expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(256);
    }
    expect(previews[0]!.equals(previews[5]!)).toBe(false);

    const h = await waitHistory(base, pid);
    expect(h.status).toMatchObject({ status_str: 'success', completed: true });
    expect(h.status.messages.map((m) => m[0])).toEqual(['execution_start', 'execution_cached', 'execution_success']);
    expect(h.status.messages[2]![1].sim_execution_ms).toEqual(expect.any(Number));
    expect(h.prompt.slice(0, 2)).toEqual([res.json.number, pid]);
    expect(h.prompt[3]).toEqual({ client_id: 'client-a' });
    expect(h.prompt[4]).toEqual(['9']);
    expect(h.outputs['9']!.images[0]).toMatchObject({
      filename: expect.stringMatching(/^test_\d{5}_\.png$/),
      subfolder: 'sim',
      type: 'output',
    });
    expect(h.meta['9']).toEqual({ node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' });
    expect(ws.json('executed').find((m) => m.data.prompt_id === pid)!.data.output).toEqual(h.outputs['9']);

    const file = await fileOf(base, h, '9');
    expect(file.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 320, 256]);

    // client_id routing: the other client only sees queue status broadcasts
    expect(new Set(other.json().map((m) => m.type))).toEqual(new Set(['status']));
    expect(other.binary()).toEqual([]);
    expect((await getJson<{ executions: Record<string, number> }>(base, '/sim/stats')).executions[pid]).toBe(1);
  });

  it('is deterministic: same seed ⇒ same bytes, seed + i for batch item i, other seed ⇒ other picture', async () => {
    const run = async (seed: number, batch = 1): Promise<HistoryJson> =>
      waitHistory(base, await submit(base, { prompt: imageGraph({ seed, batch }) }));
    const raw = async (h: HistoryJson, i = 0): Promise<Buffer> =>
      sharp(Buffer.from(await (await fileOf(base, h, '9', i)).arrayBuffer()))
        .raw()
        .toBuffer();
    const [a, b, c, batch] = [await run(42), await run(42), await run(43), await run(42, 2)];
    const bytes = async (h: HistoryJson): Promise<Buffer> =>
      Buffer.from(await (await fileOf(base, h, '9')).arrayBuffer());
    expect((await bytes(a)).equals(await bytes(b))).toBe(true);
    expect(a.outputs['9']!.images[0]!.filename).not.toBe(b.outputs['9']!.images[0]!.filename);
    expect((await raw(a)).equals(await raw(c))).toBe(false);
    expect(batch.outputs['9']!.images).toHaveLength(2);
    expect((await raw(batch, 0)).equals(await raw(a))).toBe(true);
    expect((await raw(batch, 1)).equals(await raw(c))).toBe(true);
  });

  it('sends type-4 previews with metadata to a client that negotiated feature_flags', async () => {
    const ws = await open(base, 'client-meta', { supports_preview_metadata: true });
    expect(ws.json('feature_flags')[0]!.data).toMatchObject({
      supports_preview_metadata: true,
      max_upload_size: 100 * 1024 * 1024,
    });
    const pid = await submit(base, { prompt: imageGraph({ steps: 3 }), client_id: 'client-meta' });
    await ws.waitDone(pid);
    const frames = ws.binary();
    expect(frames.length).toBe(3);
    const len = frames[0]!.readUInt32BE(4);
    expect(frames[0]!.readUInt32BE(0)).toBe(4);
    expect(JSON.parse(frames[0]!.subarray(8, 8 + len).toString())).toMatchObject({
      node_id: '3',
      prompt_id: pid,
      image_type: 'image/jpeg',
    });
    expect(frames[0]!.subarray(8 + len, 10 + len)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('a prompt without client_id: progress and previews go to everybody, execution events to nobody', async () => {
    const ws = await open(base, 'watcher');
    const pid = await submit(base, { prompt: imageGraph({ steps: 2 }) });
    await waitHistory(base, pid);
    await ws.waitFor(
      (m) => m.kind === 'json' && m.type === 'progress' && m.data.prompt_id === pid && m.data.value === 2,
    );
    const types = new Set(
      ws
        .json()
        .filter((m) => m.data.prompt_id === pid)
        .map((m) => m.type),
    );
    expect(types).toEqual(new Set(['progress', 'progress_state']));
    expect(ws.binary().length).toBeGreaterThanOrEqual(2);
  });
});

describe('queue and cancellation', () => {
  it('interrupts only the running prompt at a step boundary, and deletes pending ones', async () => {
    await setScale(base, 0.05); // 1024² steps of 7.5 ms
    try {
      const ws = await open(base, 'canceller');
      const long = (seed: number): Record<string, unknown> => ({
        prompt: imageGraph({ seed, width: 1024, height: 1024, steps: 400 }),
        client_id: 'canceller',
      });
      const a = await submit(base, long(1));
      const b = await submit(base, long(2));
      const c = await submit(base, { ...long(3), number: -1000 }); // explicit priority: runs right after a
      await ws.waitFor((m) => m.kind === 'json' && m.type === 'progress' && m.data.prompt_id === a);
      const q = await getJson<{ queue_running: unknown[][]; queue_pending: unknown[][] }>(base, '/queue');
      expect(q.queue_running.map((r) => r[1])).toEqual([a]);
      expect(q.queue_pending.map((r) => r[1]).sort()).toEqual([b, c].sort());
      expect((await getJson(base, '/prompt')).exec_info).toEqual({ queue_remaining: 3 });

      await postJson(base, '/interrupt', { prompt_id: b }); // not running: ignored
      expect((await postJson(base, '/queue', { delete: [b] })).status).toBe(200);
      expect((await getJson<{ queue_pending: unknown[][] }>(base, '/queue')).queue_pending.map((r) => r[1])).toEqual([
        c,
      ]);
      const before = ws.json('progress').filter((m) => m.data.prompt_id === a).length;
      await postJson(base, '/interrupt', { prompt_id: a });
      await ws.waitDone(a);
      expect(before).toBeGreaterThan(0);
      const interrupted = ws.json('execution_interrupted').find((m) => m.data.prompt_id === a);
      expect(interrupted!.data).toMatchObject({
        node_id: '3',
        node_type: 'KSampler',
        executed: expect.arrayContaining(['4', '5']),
      });
      const ha = await waitHistory(base, a);
      expect(ha.status).toMatchObject({ status_str: 'error', completed: false });
      expect(ha.status.messages.map((m) => m[0])).toContain('execution_interrupted');

      // c (number -1000) is next; a global interrupt stops it too
      await ws.waitFor((m) => m.kind === 'json' && m.type === 'progress' && m.data.prompt_id === c);
      await postJson(base, '/interrupt', {});
      await ws.waitDone(c);
      expect((await waitHistory(base, c)).status.status_str).toBe('error');
      const stats = await getJson<{
        executions: Record<string, number>;
        queue: { running: string | null; pending: string[] };
      }>(base, '/sim/stats');
      expect(stats.executions[b]).toBeUndefined();
      expect(await getJson(base, `/history/${b}`)).toEqual({});
      expect(stats.queue).toEqual({ running: null, pending: [] });
    } finally {
      await setScale(base, SCALE);
    }
  });

  it('orders pending prompts by number (front = ahead of the queue) and clears them', async () => {
    await setScale(base, 0.05);
    try {
      const head = await submit(base, { prompt: imageGraph({ width: 1024, height: 1024, steps: 400 }) });
      // the head must be running (out of the pending list) before the others queue behind it
      await vi.waitFor(async () =>
        expect((await getJson<{ queue: { running: string | null } }>(base, '/sim/stats')).queue.running).toBe(head),
      );
      const late = await submit(base, { prompt: imageGraph({ seed: 5 }), number: 1e9 });
      const normal = await submit(base, { prompt: imageGraph({ seed: 6 }) });
      const front = await submit(base, { prompt: imageGraph({ seed: 7 }), front: true });
      const stats = await getJson<{ queue: { pending: string[] } }>(base, '/sim/stats');
      expect(stats.queue.pending).toEqual([front, normal, late]);
      await postJson(base, '/queue', { clear: true });
      await postJson(base, '/interrupt', { prompt_id: head });
      await waitHistory(base, head);
      expect((await getJson<{ queue_pending: unknown[] }>(base, '/queue')).queue_pending).toEqual([]);
    } finally {
      await setScale(base, SCALE);
    }
  });
});

describe('validation and failures over HTTP', () => {
  it('answers 400 with ComfyUI error bodies, 500 for a non-JSON body', async () => {
    expect(await postJson(base, '/prompt', { client_id: 'x' })).toMatchObject({
      status: 400,
      json: { error: { type: 'no_prompt' }, node_errors: {} },
    });
    const g = imageGraph();
    g['3']!.inputs.steps = 0;
    const r = await postJson(base, '/api/prompt', { prompt: g });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({
      error: { type: 'prompt_outputs_failed_validation' },
      node_errors: { '3': { errors: [{ type: 'value_smaller_than_min' }], class_type: 'KSampler' } },
    });
    expect((await postJson(base, '/prompt', '{not json')).status).toBe(500);
  });

  it('__sim_fail__ in the prompt text makes the KSampler raise an execution_error', async () => {
    const ws = await open(base, 'failing');
    const pid = await submit(base, { prompt: imageGraph({ text: 'a cat __sim_fail__' }), client_id: 'failing' });
    await ws.waitDone(pid);
    const err = ws.json('execution_error')[0]!.data;
    expect(err).toMatchObject({
      prompt_id: pid,
      node_id: '3',
      node_type: 'KSampler',
      exception_type: 'RuntimeError',
      exception_message: expect.stringMatching(/simulated sampler failure/),
    });
    expect(err.traceback).toEqual(expect.any(Array));
    expect(err.current_inputs).toMatchObject({ steps: [6] });
    expect(err.executed).toEqual(expect.arrayContaining(['4', '6']));
    const h = await waitHistory(base, pid);
    expect(h.status).toMatchObject({ status_str: 'error', completed: false });
    expect(h.outputs).toEqual({});
  });

  it('a GPU without enough VRAM fails with a CUDA OOM and unloads its models', async () => {
    const pid = await submit(small, { prompt: imageGraph({ width: 1024, height: 1024, batch: 2 }) });
    const h = await waitHistory(small, pid);
    const err = h.status.messages.find((m) => m[0] === 'execution_error')![1];
    expect(err).toMatchObject({ exception_type: 'torch.OutOfMemoryError', node_type: 'KSampler' });
    expect((await getJson(small, '/sim/stats')).loaded_model).toBeNull();
    expect((await waitHistory(small, await submit(small, { prompt: imageGraph() }))).status.status_str).toBe('success');
  });
});

describe('uploads, files and catalogue routes', () => {
  it('de-duplicates uploads, lists them for LoadImage and uses them for img2img', async () => {
    const png = (color: string): Promise<Buffer> =>
      sharp({ create: { width: 300, height: 200, channels: 3, background: color } })
        .png()
        .toBuffer();
    const upload = async (data: Buffer, extra: Record<string, string> = {}): Promise<Record<string, unknown>> => {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(data)], { type: 'image/png' }), 'ref.png');
      for (const [k, v] of Object.entries(extra)) form.append(k, v);
      const res = await fetch(`${base}/upload/image`, { method: 'POST', body: form });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    const red = await png('#ff0000');
    expect(await upload(red)).toEqual({ name: 'ref.png', subfolder: '', type: 'input' });
    expect(await upload(red)).toEqual({ name: 'ref.png', subfolder: '', type: 'input' });
    expect(await upload(await png('#0000ff'))).toEqual({ name: 'ref (1).png', subfolder: '', type: 'input' });
    expect(await upload(await png('#00ff00'), { overwrite: 'true' })).toEqual({
      name: 'ref.png',
      subfolder: '',
      type: 'input',
    });
    expect(await upload(red, { subfolder: 'refs' })).toEqual({ name: 'ref.png', subfolder: 'refs', type: 'input' });
    expect((await fetch(`${base}/upload/image`, { method: 'POST', body: 'x' })).status).toBe(400);
    const info = await getJson<{ LoadImage: { input: { required: { image: unknown[] } } } }>(
      base,
      '/object_info/LoadImage',
    );
    expect(info.LoadImage.input.required.image[0]).toEqual(['ref (1).png', 'ref.png']);

    const img2img = (image: string): Record<string, { class_type: string; inputs: Record<string, unknown> }> => {
      const g = imageGraph();
      g['20'] = { class_type: 'LoadImage', inputs: { image } };
      g['21'] = { class_type: 'VAEEncode', inputs: { pixels: ['20', 0], vae: ['4', 2] } };
      g['3']!.inputs.latent_image = ['21', 0];
      g['3']!.inputs.denoise = 0.4;
      return g;
    };
    const bad = await postJson(base, '/prompt', { prompt: img2img('nope.png') });
    expect(bad.json).toMatchObject({ node_errors: { '20': { errors: [{ type: 'custom_validation_failed' }] } } });
    const h = await waitHistory(base, await submit(base, { prompt: img2img('refs/ref.png') }));
    const meta = await sharp(Buffer.from(await (await fileOf(base, h, '9')).arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([296, 200]); // VAEEncode crops to multiples of 8
  });

  it('/view rejects traversal and unknown files', async () => {
    const status = async (q: string): Promise<number> => (await fetch(`${base}/view?${q}`)).status;
    expect(await status('filename=../x.png')).toBe(400);
    expect(await status('filename=%2Fetc%2Fpasswd')).toBe(400);
    expect(await status('filename=a.png&type=bogus')).toBe(400);
    expect(await status('filename=a.png&subfolder=../../')).toBe(403);
    expect(await status('filename=nope.png')).toBe(404);
    expect(await status('filename=ref.png&type=input')).toBe(200);
    expect(await status('filename=ref.png%20%5Binput%5D')).toBe(200);
  });

  it('serves system stats, the node catalogue, model lists and features (also under /api)', async () => {
    const stats = await getJson<{ system: Record<string, unknown>; devices: Array<Record<string, unknown>> }>(
      base,
      '/api/system_stats',
    );
    expect(stats.system.comfyui_version).toBe('0.3.64');
    // launch arguments as a real server reports them; previews need --preview-method (default none)
    expect(stats.system.argv).toEqual(['main.py', '--port', String(sim.ports[0]), '--preview-method', 'auto']);
    await postJson(base, '/sim/config', { previews: false });
    const off = await getJson<{ system: { argv: string[] } }>(base, '/system_stats');
    expect(off.system.argv.slice(-2)).toEqual(['--preview-method', 'none']);
    await postJson(base, '/sim/config', { previews: true });
    expect(stats.devices).toEqual([
      expect.objectContaining({
        name: `Simulated GPU ${sim.ports[0]}`,
        type: 'cuda',
        index: 0,
        vram_total: 80 * 1024 ** 3,
      }),
    ]);
    expect(await getJson(base, '/object_info/NoSuchNode')).toEqual({});
    const all = await getJson<Record<string, unknown>>(base, '/object_info');
    expect(Object.keys(all).length).toBeGreaterThan(380);
    expect(await getJson(base, '/models/checkpoints')).toContain('flux1-dev-bnb-nf4-v2.safetensors');
    expect(await getJson(base, '/models')).toEqual(
      expect.arrayContaining(['checkpoints', 'diffusion_models', 'unet_gguf']),
    );
    expect((await fetch(`${base}/models/unet`)).status).toBe(404);
    expect(await getJson(base, '/features')).toEqual({
      supports_preview_metadata: true,
      max_upload_size: 100 * 1024 * 1024,
    });
    expect(Object.keys(await getJson(base, '/history?max_items=2'))).toHaveLength(2);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('loads a model only when the model set changes; /free unloads it', async () => {
    const modelMs = async (checkpoint: string): Promise<number> => {
      const h = await waitHistory(base, await submit(base, { prompt: imageGraph({ checkpoint }) }));
      return Number(h.status.messages.find((m) => m[0] === 'execution_success')![1].sim_model_ms);
    };
    const flux = 'flux1-dev-bnb-nf4-v2.safetensors';
    const loads = async (): Promise<number> => (await getJson<{ model_loads: number }>(base, '/sim/stats')).model_loads;
    const loadsBefore = await loads(); // the GPU is shared with the file's other tests
    const cold = await modelMs(flux);
    const warm = await modelMs(flux);
    expect(cold - warm).toBeCloseTo(4000 * SCALE, 0);
    expect((await getJson(base, '/sim/stats')).loaded_model).toBe(flux);
    expect(await loads()).toBe(loadsBefore + 1);
    expect((await postJson(base, '/free', { unload_models: true })).status).toBe(200);
    await vi.waitFor(async () => expect((await getJson(base, '/sim/stats')).loaded_model).toBeNull());
    expect(await modelMs(flux)).toBeCloseTo(cold, 0);
    expect(await loads()).toBe(loadsBefore + 2);
  });
});
