// Output checks end to end: simulator → worker → classifier (a fake that scores chosen seeds explicit) → rules →
// quarantine. Prompts stay neutral; "explicit" is only the fake's score.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatorProcess, type SimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import { SeedMarkedClassifier, explicitReferencePng } from '../fake-output-classifier.ts';
import { ADMIN_KEY, Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';

const EXPLICIT_SEED = 770_001;
const MINOR_PROMPT = 'a child flying a kite in a meadow';
const ADULT_PROMPT = 'a portrait of a woman reading in a garden';

let sim: SimulatorProcess;
const classifier = new SeedMarkedClassifier();
classifier.explicitSeeds.add(EXPLICIT_SEED);

interface Gateway {
  server: TestServer;
  admin: Client;
}

async function gateway(env: Record<string, string>): Promise<Gateway> {
  const server = await startTestServer({
    env: { COMFYUI_URLS: sim.urls[0]!, CREDITS_ENABLED: 'true', RATE_LIMIT_GENERATE_PER_MINUTE: '1000', ...env },
    overrides: { content: { classifier, provenance: null } },
  });
  const admin = new Client(server.url);
  await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await admin.get('/api/health'))).accounts.ready === 1 || undefined,
    30_000,
    100,
  );
  return { server, admin };
}

async function newUser(g: Gateway, name: string): Promise<{ client: Client; id: string }> {
  const res = await g.admin.post('/api/admin/users', { name, credits: 1000 });
  const { access_key, id } = await json<{ access_key: string; id: string }>(res);
  return { client: new Client(g.server.url, { 'x-api-key': access_key }), id };
}

async function creditsOf(g: Gateway, id: string): Promise<number | null> {
  const list = await json<{ items: Array<{ id: string; credits: number | null }> }>(
    await g.admin.get('/api/admin/users'),
  );
  return list.items.find((u) => u.id === id)?.credits ?? null;
}

async function finished(c: Client, id: string): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const s = await json(await c.get(`/api/status/${id}`));
      return ['completed', 'failed', 'cancelled'].includes(String(s.status)) ? s : undefined;
    },
    60_000,
    50,
  );
}

const image = (prompt: string, extra: Record<string, unknown> = {}) => ({
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt,
  width: 512,
  height: 512,
  seed: EXPLICIT_SEED,
  ...extra,
});

async function generate(c: Client, body: unknown): Promise<string> {
  const res = await c.post('/api/generate', body);
  expect(res.status).toBe(202);
  return (await json<{ task_id: string }>(res)).task_id;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

beforeAll(async () => {
  sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.02 });
});
afterAll(async () => {
  await sim?.stop();
});

describe('OUTPUT_CHECK=minors (the default)', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await gateway({});
  });
  afterAll(async () => {
    await g?.server.close();
  });

  it('withholds explicit output of a prompt with a minor indicator: failed, nothing served or listed, credits back, batch dropped', async () => {
    const { client, id: userId } = await newUser(g, 'minor-case');
    const before = await creditsOf(g, userId);
    const id = await generate(client, image(MINOR_PROMPT, { batch_size: 2 }));
    const s = await finished(client, id);
    expect(s).toMatchObject({ status: 'failed', code: 'output_policy_violation' });
    expect(JSON.stringify(s)).not.toContain('/api/results');
    expect((await client.get(`/api/results/${id}`)).status).toBe(404);
    expect((await client.get(`/api/preview/${id}`)).status).toBe(404);
    const gallery = await json(await client.get('/api/gallery'));
    expect(JSON.stringify(gallery)).not.toContain(id);
    expect(await creditsOf(g, userId)).toBe(before);
    // the explicit output is in quarantine (with a blurred preview), the rest of the batch is gone
    expect(filesUnder(path.join(g.server.dataDir, 'media', id))).toEqual([]);
    expect(filesUnder(path.join(g.server.dataDir, 'quarantine', id)).sort()).toEqual(['0.png', 'preview.jpg']);
    const queue = await json<{ mode: string; items: Array<Record<string, unknown>> }>(
      await g.admin.get('/api/admin/quarantine'),
    );
    expect(queue.mode).toBe('minors');
    const item = queue.items.find((i) => i.task_id === id);
    expect(item).toMatchObject({ rule: 'minor+explicit', releasable: false, files: 1, user_id: userId });
    expect(item?.scores).toEqual({ porn: 0.91, hentai: 0.03, sexy: 0.04 });
    // audited with the rule and the scores, never the prompt
    const audit = JSON.stringify(await json(await g.admin.get('/api/admin/audit?limit=50')));
    expect(audit).toContain('output.withheld rule=minor+explicit porn=0.91');
    expect(audit).not.toContain('kite');
    // a minor rule is never released; the preview is for admins only
    expect((await g.admin.post(`/api/admin/quarantine/${String(item?.id)}/release`)).status).toBe(409);
    expect((await client.get(`/api/admin/quarantine/${String(item?.id)}/thumbnail`)).status).toBe(401);
    const preview = await g.admin.get(`/api/admin/quarantine/${String(item?.id)}/thumbnail`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    expect((await g.admin.req('DELETE', `/api/admin/quarantine/${String(item?.id)}`)).status).toBe(204);
    expect(filesUnder(path.join(g.server.dataDir, 'quarantine', id))).toEqual([]);
  });

  it('delivers the same output for a prompt without a minor indicator, and a clean output of a minor prompt', async () => {
    const { client } = await newUser(g, 'adult-case');
    const adult = await generate(client, image(ADULT_PROMPT));
    expect(await finished(client, adult)).toMatchObject({ status: 'completed' });
    expect((await client.get(`/api/results/${adult}`)).status).toBe(200);
    const clean = await generate(client, image(MINOR_PROMPT, { seed: 12345 }));
    expect(await finished(client, clean)).toMatchObject({ status: 'completed' });
  });

  it('samples at least 4 frames of a video and withholds an explicit clip of a minor prompt', async () => {
    const { client } = await newUser(g, 'video-case');
    const framesBefore = classifier.calls.frames;
    const id = await generate(client, {
      type: 'video',
      model: 'anisora',
      mode: 't2v',
      prompt: MINOR_PROMPT,
      width: 512,
      height: 512,
      seed: EXPLICIT_SEED,
      num_frames: 81,
    });
    expect(await finished(client, id)).toMatchObject({ status: 'failed', code: 'output_policy_violation' });
    expect(classifier.calls.frames - framesBefore).toBeGreaterThanOrEqual(4);
    expect(filesUnder(path.join(g.server.dataDir, 'quarantine', id))).toContain('0.mp4');
  });

  it('withholds explicit output of a user an admin marked safe for work (releasable)', async () => {
    const { client, id: userId } = await newUser(g, 'sfw-user');
    const patched = await g.admin.req('PATCH', `/api/admin/users/${userId}`, { sfw: true });
    expect(await json(patched)).toMatchObject({ id: userId, sfw: true });
    const id = await generate(client, image(ADULT_PROMPT));
    expect(await finished(client, id)).toMatchObject({ status: 'failed', code: 'output_policy_violation' });
    const queue = await json<{ items: Array<Record<string, unknown>> }>(await g.admin.get('/api/admin/quarantine'));
    expect(queue.items.find((i) => i.task_id === id)).toMatchObject({ rule: 'sfw-user', releasable: true });
  });

  it('refuses an explicit reference image with a minor prompt (422), accepts it with another prompt', async () => {
    const { client } = await newUser(g, 'reference-case');
    const ref = `data:image/png;base64,${(await explicitReferencePng()).toString('base64')}`;
    const body = (prompt: string) => ({ ...image(prompt), mode: 'img2img', reference_image: ref, seed: 5 });
    const refused = await client.post('/api/generate', body(MINOR_PROMPT));
    expect(refused.status).toBe(422);
    expect(await json(refused)).toMatchObject({ code: 'reference_policy_violation' });
    expect((await client.post('/api/generate', body(ADULT_PROMPT))).status).toBe(202);
  });
});

describe('OUTPUT_CHECK=all (a safe-for-work instance)', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await gateway({ OUTPUT_CHECK: 'all' });
  });
  afterAll(async () => {
    await g?.server.close();
  });

  it('withholds the same adult-prompt output; an admin may release it into the gallery', async () => {
    const { client } = await newUser(g, 'all-mode');
    const id = await generate(client, image(ADULT_PROMPT));
    expect(await finished(client, id)).toMatchObject({ status: 'failed', code: 'output_policy_violation' });
    expect((await client.get(`/api/results/${id}`)).status).toBe(404);
    const queue = await json<{ mode: string; items: Array<Record<string, unknown>> }>(
      await g.admin.get('/api/admin/quarantine'),
    );
    expect(queue.mode).toBe('all');
    const item = queue.items.find((i) => i.task_id === id);
    expect(item).toMatchObject({ rule: 'sfw-instance', releasable: true });
    expect((await g.admin.post(`/api/admin/quarantine/${String(item?.id)}/release`)).status).toBe(204);
    expect(await json(await client.get(`/api/status/${id}`))).toMatchObject({ status: 'completed' });
    expect((await client.get(`/api/results/${id}`)).status).toBe(200);
    expect(JSON.stringify(await json(await client.get('/api/gallery')))).toContain(id);
  });
});
