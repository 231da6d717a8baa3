import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startSimulatorProcess,
  type SimulatorProcess,
} from '../../src/adapters/simulator/simulator-process.ts';
import { ADMIN_KEY, Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';

// Issue #18's acceptance on simulated GPUs: LoRAs from a library the backends really hold.

const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse on a cliff at dawn',
  width: 512,
  height: 512,
  seed: 42,
};
const ANISORA_T2V = {
  type: 'video',
  model: 'anisora',
  mode: 't2v',
  prompt: 'a paper boat drifting on a calm lake',
  width: 512,
  height: 512,
  seed: 3,
  num_frames: 81,
};

type GraphNode = { class_type: string; inputs: Record<string, unknown> };
type Graph = Record<string, GraphNode>;

let sim: SimulatorProcess;
let server: TestServer;
let admin: Client;
let alice: Client;
let bob: Client;
let bobId: string;

async function newUser(name: string): Promise<{ client: Client; id: string }> {
  const res = await admin.post('/api/admin/users', { name });
  const { access_key, id } = await json<{ access_key: string; id: string }>(res);
  return { client: new Client(server.url, { 'x-api-key': access_key }), id };
}

/** The graphs a simulated GPU received, by prompt id (its /history keeps each prompt). */
async function graphsOn(url: string): Promise<Graph[]> {
  const history = await json<Record<string, { prompt: [number, string, Graph] }>>(await fetch(`${url}/history`));
  return Object.values(history).map((h) => h.prompt[2]);
}

const loraNodes = (g: Graph): GraphNode[] =>
  Object.values(g).filter((n) => n.class_type === 'LoraLoader' || n.class_type === 'LoraLoaderModelOnly');

async function done(c: Client, body: unknown): Promise<Record<string, unknown>> {
  const res = await c.post('/api/generate', body, { prefer: 'wait=90' });
  expect(res.status).toBe(200);
  const out = await json(res);
  expect(out).toMatchObject({ status: 'success' });
  return out;
}

beforeAll(async () => {
  const ports = [await freePort(), await freePort()];
  sim = await startSimulatorProcess({
    gpus: 2,
    ports,
    timeScale: 0.02,
    env: {
      SIM_LORAS: [
        'style.safetensors',
        'detail.safetensors',
        'motion_high.safetensors',
        'motion_low.safetensors',
        'flux_ink.safetensors',
        'private.safetensors',
        `${ports[1]}:second_gpu_only.safetensors`,
      ].join(','),
    },
  });
  server = await startTestServer({ env: { COMFYUI_URLS: sim.urls.join(',') }, overrides: { healthReadyMs: 60_000 } });
  admin = new Client(server.url);
  await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  await waitFor(async () => {
    const list = await json<{ items: Array<{ status: string }> }>(await admin.get('/api/admin/accounts'));
    return (list.items.length === 2 && list.items.every((a) => a.status === 'ready')) || undefined;
  }, 30_000);
  alice = (await newUser('alice')).client;
  const b = await newUser('bob');
  bob = b.client;
  bobId = b.id;
  const add = async (body: Record<string, unknown>): Promise<void> => {
    const res = await admin.post('/api/admin/loras', body);
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
  };
  await add({ name: 'style', file: 'style.safetensors', family: 'sdxl', trigger_words: ['ink wash'] });
  await add({ name: 'detail', file: 'detail.safetensors', family: 'sdxl', sha256: 'ab'.repeat(32) });
  await add({
    name: 'motion',
    file: 'motion_high.safetensors',
    role_files: { high_noise: 'motion_high.safetensors', low_noise: 'motion_low.safetensors' },
    family: 'wan',
  });
  await add({ name: 'ink', file: 'flux_ink.safetensors', family: 'flux' });
  await add({ name: 'private', file: 'private.safetensors', family: 'sdxl', access: 'users', users: [bobId] });
  await add({ name: 'staged', file: 'style.safetensors', family: 'sdxl', access: 'admins' });
  await add({ name: 'second', file: 'second_gpu_only.safetensors', family: 'sdxl' });
  await add({ name: 'ghost', file: 'ghost.safetensors', family: 'sdxl', source_url: 'https://example.com/ghost' });
}, 90_000);
afterAll(async () => {
  await server?.close();
  await sim?.stop();
});

describe('LoRAs on simulated GPUs', () => {
  it('a Pony job with two LoRAs completes and its graph carries both LoraLoader nodes with the given strengths', async () => {
    const prompt = 'a harbour with fishing boats, two loras';
    const result = await done(alice, {
      ...PONY,
      prompt,
      loras: [
        { name: 'style', strength: 0.8 },
        { name: 'detail', strength: -0.5, strength_clip: 0.25 },
      ],
    });
    const graph = (await Promise.all(sim.urls.map(graphsOn)))
      .flat()
      .find((g) => Object.values(g).some((n) => typeof n.inputs.text === 'string' && n.inputs.text.includes(prompt)));
    expect(graph).toBeDefined();
    const nodes = loraNodes(graph!);
    expect(
      nodes.map((n) => [n.class_type, n.inputs.lora_name, n.inputs.strength_model, n.inputs.strength_clip]),
    ).toEqual([
      ['LoraLoader', 'style.safetensors', 0.8, 0.8],
      ['LoraLoader', 'detail.safetensors', -0.5, 0.25],
    ]);
    // the PNG's A1111 infotext names them (and the hash the catalog knows)
    const png = Buffer.from(await (await alice.get(String(result.url))).arrayBuffer()).toString('latin1');
    expect(png).toContain(`${prompt} <lora:style:0.8> <lora:detail:0.25:-0.5>`);
    expect(png).toContain('Lora hashes: "detail: ababababab"');
    // the gallery filters by LoRA
    const gallery = async (lora: string): Promise<string[]> =>
      (await json<{ items: Array<{ task_id: string }> }>(await alice.get(`/api/gallery?lora=${lora}`))).items.map(
        (i) => i.task_id,
      );
    expect(await gallery('detail')).toEqual([result.task_id]);
    expect(await gallery('style')).toContain(result.task_id);
  }, 120_000);

  it('the picture changes with the LoRA set', async () => {
    const plain = await done(alice, { ...PONY, prompt: 'a red barn in a field', seed: 5 });
    const styled = await done(alice, {
      ...PONY,
      prompt: 'a red barn in a field',
      seed: 5,
      loras: [{ name: 'style', strength: 1 }],
    });
    const bytes = async (r: Record<string, unknown>): Promise<Buffer> => {
      const url = String(r.url);
      return Buffer.from(await (await alice.get(url)).arrayBuffer());
    };
    expect((await bytes(plain)).equals(await bytes(styled))).toBe(false);
  }, 120_000);

  it('an AniSora job with a Wan LoRA patches both experts', async () => {
    const prompt = 'a paper boat drifting, with motion';
    await done(alice, { ...ANISORA_T2V, prompt, loras: [{ name: 'motion', strength: 0.7 }] });
    const graph = (await Promise.all(sim.urls.map(graphsOn)))
      .flat()
      .find((g) => Object.values(g).some((n) => typeof n.inputs.text === 'string' && n.inputs.text.includes(prompt)));
    const nodes = loraNodes(graph!);
    expect(nodes.map((n) => [n.class_type, n.inputs.lora_name, n.inputs.strength_model])).toEqual([
      ['LoraLoaderModelOnly', 'motion_high.safetensors', 0.7],
      ['LoraLoaderModelOnly', 'motion_low.safetensors', 0.7],
    ]);
    // each expert's sampler reads its own LoRA chain
    const ids = Object.entries(graph!)
      .filter(([, n]) => n.class_type === 'LoraLoaderModelOnly')
      .map(([id]) => id);
    const readers = Object.values(graph!).filter((n) =>
      Object.values(n.inputs).some((v) => Array.isArray(v) && ids.includes(String(v[0]))),
    );
    expect(readers.length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('a LoRA present only on GPU 2 sends the job to GPU 2', async () => {
    const prompt = 'a windmill by a canal, second gpu';
    await done(alice, { ...PONY, prompt, loras: [{ name: 'second', strength: 1 }] });
    const has = async (url: string): Promise<boolean> =>
      (await graphsOn(url)).some((g) =>
        Object.values(g).some((n) => typeof n.inputs.text === 'string' && n.inputs.text.includes(prompt)),
      );
    expect(await has(sim.urls[1]!)).toBe(true);
    expect(await has(sim.urls[0]!)).toBe(false);
  }, 120_000);

  it('422 names the offending entry: wrong family, a private LoRA, an admins-only one, an unknown one', async () => {
    const refuse = async (c: Client, loras: unknown[], path: string, message: RegExp): Promise<void> => {
      const res = await c.post('/api/generate', { ...PONY, loras });
      expect(res.status).toBe(422);
      const body = await json<{ code: string; details: Array<{ path: string; message: string }> }>(res);
      expect(body.code).toBe('validation_error');
      expect(body.details).toEqual([{ path, message: expect.stringMatching(message) }]);
    };
    await refuse(
      alice,
      [
        { name: 'style', strength: 1 },
        { name: 'ink', strength: 1 },
      ],
      'loras.1.name',
      /flux LoRA; pony takes sdxl/,
    );
    await refuse(alice, [{ name: 'private', strength: 1 }], 'loras.0.name', /not a LoRA you may use/);
    await refuse(bob, [{ name: 'staged', strength: 1 }], 'loras.0.name', /not a LoRA you may use/);
    await refuse(alice, [{ name: 'nope', strength: 1 }], 'loras.0.name', /not a LoRA you may use/);
    // multipart/form-data: the list travels as one part holding its JSON text
    const form = new FormData();
    for (const [k, v] of Object.entries(PONY)) form.append(k, String(v));
    form.append('loras', JSON.stringify([{ name: 'ink', strength: 1 }]));
    const multipart = await alice.post('/api/generate', form);
    expect(multipart.status).toBe(422);
    expect((await json<{ details: Array<{ path: string }> }>(multipart)).details[0]?.path).toBe('loras.0.name');
    // bob is listed for the private one
    const ok = await bob.post('/api/generate', { ...PONY, loras: [{ name: 'private', strength: 1 }] });
    expect(ok.status).toBe(202);
  }, 60_000);

  it('no backend with the LoRA: 503 no_backend_available naming it', async () => {
    const res = await alice.post('/api/generate', { ...PONY, loras: [{ name: 'ghost', strength: 1 }] });
    expect(res.status).toBe(503);
    const body = await json<{ code: string; error: string; details: Array<{ path: string }> }>(res);
    expect(body.code).toBe('no_backend_available');
    expect(body.error).toContain('"ghost"');
    expect(body.details).toEqual([{ path: 'loras.0.name', message: expect.stringContaining('ghost') }]);
  });

  it('GET /api/loras: what the caller may use for the model, and where it is available', async () => {
    const list = await json<{
      family: string;
      supported: boolean;
      items: Array<{ name: string; available: boolean; available_on: string[] }>;
    }>(await alice.get('/api/loras?model=pony'));
    expect(list.family).toBe('sdxl');
    expect(list.supported).toBe(true);
    expect(list.items.map((i) => i.name)).toEqual(['detail', 'ghost', 'second', 'style']);
    const by = new Map(list.items.map((i) => [i.name, i]));
    expect(by.get('style')?.available_on).toHaveLength(2);
    expect(by.get('second')?.available_on).toHaveLength(1);
    expect(by.get('ghost')).toMatchObject({ available: false, available_on: [] });
    const forBob = await json<{ items: Array<{ name: string }> }>(await bob.get('/api/loras?model=pony'));
    expect(forBob.items.map((i) => i.name)).toContain('private');
  });

  it('the admin catalog shows per-backend availability, unlisted files and a placement script', async () => {
    const cat = await json<{
      items: Array<{ name: string; backends: Array<{ holds: boolean; missing_files: string[] }> }>;
      unlisted: Array<{ file: string }>;
    }>(await admin.get('/api/admin/loras'));
    const ghost = cat.items.find((i) => i.name === 'ghost');
    expect(ghost?.backends.map((b) => [b.holds, b.missing_files])).toEqual([
      [false, ['ghost.safetensors']],
      [false, ['ghost.safetensors']],
    ]);
    expect(cat.unlisted).toEqual([]);
    const script = await admin.get('/api/admin/loras/ghost/setup-script');
    expect(script.status).toBe(200);
    const text = await script.text();
    expect(text).toContain("target='models/loras/ghost.safetensors'");
    expect(text).toContain("'https://example.com/ghost'");
    expect((await admin.get('/api/admin/loras/style/setup-script')).status).toBe(422);
    expect((await admin.patch('/api/admin/loras/ghost', { description: 'not placed yet' })).status).toBe(200);
    expect((await admin.del('/api/admin/loras/ghost')).status).toBe(204);
    expect((await admin.del('/api/admin/loras/ghost')).status).toBe(404);
  });
});
