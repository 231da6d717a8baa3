import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine } from '../fake-engine.ts';
import { ADMIN_KEY, Client, json, readSse, startTestServer, waitFor, type TestServer } from '../test-server.ts';

const engine = new FakeEngine();
let server: TestServer;
let admin: Client;
let alice: Client;
let bob: Client;
let aliceKey: string;

const ANISORA_T2V = {
  type: 'video',
  model: 'anisora',
  mode: 't2v',
  prompt: 'a paper boat drifting on a calm lake',
  width: 512,
  height: 512,
  seed: -1,
  num_frames: 81,
};
const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse on a cliff at dawn',
  width: 512,
  height: 512,
  seed: 42,
};

async function newUser(name: string): Promise<{ client: Client; key: string }> {
  const res = await admin.post('/api/admin/users', { name });
  expect(res.status).toBe(201);
  const { access_key } = await json<{ access_key: string }>(res);
  const client = new Client(server.url);
  const login = await client.post('/api/auth/session', { access_key });
  expect(login.status).toBe(200);
  return { client, key: access_key };
}

async function generate(c: Client, body: unknown, headers?: Record<string, string>): Promise<string> {
  const res = await c.post('/api/generate', body, headers);
  expect(res.status).toBe(202);
  return (await json<{ task_id: string }>(res)).task_id;
}

async function finished(c: Client, id: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const s = await json(await c.get(`/api/status/${id}`));
    return ['completed', 'failed', 'cancelled'].includes(String(s.status)) ? s : undefined;
  });
}

beforeAll(async () => {
  server = await startTestServer({ overrides: { engine } });
  admin = new Client(server.url);
  const res = await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  expect(res.status).toBe(200);
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await admin.get('/api/health'))).accounts.ready === 1 || undefined,
  );
  ({ client: alice, key: aliceKey } = await newUser('alice'));
  ({ client: bob } = await newUser('bob'));
});

afterAll(async () => {
  await server?.close();
});

describe('the seed guide curl cases', () => {
  it('POST {} → 400 with both error shapes', async () => {
    const res = await alice.post('/api/generate', {});
    expect(res.status).toBe(400);
    const b = await json(res);
    expect(b).toMatchObject({ status: 'error', code: 'invalid_request', detail: { code: 'invalid_request' } });
    expect(typeof b.error).toBe('string');
  });

  it('the anisora t2v example is accepted with 202', async () => {
    engine.behaviour = () => ({ steps: 1, stepMs: 10, hang: true });
    const res = await alice.post('/api/generate', ANISORA_T2V);
    expect(res.status).toBe(202);
    const b = await json(res);
    expect(b).toMatchObject({
      status: 'queued',
      status_url: `/api/status/${b.task_id}`,
      events_url: `/api/events/${b.task_id}`,
    });
    expect(b.job_id).toBe(b.task_id);
    expect(b.estimated_seconds).toBe(18);
    expect(typeof b.queue_position).toBe('number');
    await alice.post(`/api/cancel/${b.task_id}`);
    expect((await finished(alice, String(b.task_id))).status).toBe('cancelled');
    engine.behaviour = () => ({ steps: 4, stepMs: 20 });
  });

  it('i2v without a reference image → 422 naming the field', async () => {
    const res = await alice.post('/api/generate', { ...ANISORA_T2V, mode: 'i2v' });
    expect(res.status).toBe(422);
    const b = await json<{ code: string; details: Array<{ path: string }> }>(res);
    expect(b.code).toBe('validation_error');
    expect(b.details.map((d) => d.path)).toContain('reference_image');
  });

  it('fixed parameters → 422 fixed_parameter_violation', async () => {
    const res = await alice.post('/api/generate', { ...ANISORA_T2V, steps: 20 });
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe('fixed_parameter_violation');
    const phr = await alice.post('/api/generate', { ...ANISORA_T2V, model: 'phr00t', cfg_scale: 2 });
    expect((await json(phr)).code).toBe('fixed_parameter_violation');
  });

  it('a prompt sexualising minors → 422 prompt_policy_violation, nothing queued', async () => {
    const before = (await json<{ queued: number }>(await alice.get('/api/health'))).queued;
    const res = await alice.post('/api/generate', { ...PONY, prompt: 'ch1ld, nude' });
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe('prompt_policy_violation');
    expect((await json<{ queued: number }>(await alice.get('/api/health'))).queued).toBe(before);
    // the negative prompt lists what to keep out: it never refuses (SPEC §8)
    const neg = await alice.post('/api/generate', { ...PONY, negative_prompt: 'naked child' });
    expect(neg.status).toBe(202);
  });

  it('a non-object body and broken JSON → 400', async () => {
    expect((await alice.post('/api/generate', '[1,2]')).status).toBe(400);
    expect((await alice.post('/api/generate', '{"type":')).status).toBe(400);
  });
});

describe('sessions and keys', () => {
  it('session cookie: HttpOnly, SameSite=Lax, Path=/, Max-Age 86400; GET tells validity', async () => {
    const c = new Client(server.url);
    const res = await c.post('/api/auth/session', { access_key: aliceKey });
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith('gg_session='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=86400/);
    expect(cookie).not.toMatch(/Secure/);
    const token = /gg_session=([^;]+)/.exec(cookie ?? '')?.[1] ?? '';
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const info = await json<{ valid: boolean; expires_at: string; user: { name: string } }>(
      await c.get('/api/auth/session'),
    );
    expect(info.valid).toBe(true);
    expect(info.user.name).toBe('alice');
    const ttl = Date.parse(info.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(86_390_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
    expect((await c.del('/api/auth/session')).status).toBe(204);
    expect((await c.get('/api/auth/session')).status).toBe(401);
  });

  it('Secure is set behind HTTPS', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/auth/session',
      payload: { access_key: aliceKey },
      headers: { 'x-forwarded-proto': 'https' },
    });
    // trustProxy is off by default: plain HTTP stays without Secure; a TLS socket would set it
    expect(String(res.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('401 without a session on every user endpoint', async () => {
    const anon = new Client(server.url);
    for (const [m, u] of [
      ['POST', '/api/generate'],
      ['GET', '/api/status/x'],
      ['GET', '/api/results/x'],
      ['GET', '/api/preview/x'],
      ['GET', '/api/events/x'],
      ['POST', '/api/cancel/x'],
      ['GET', '/api/gallery'],
      ['DELETE', '/api/gallery/x'],
    ] as const) {
      const res = await anon.req(m, u, m === 'POST' && u === '/api/generate' ? PONY : undefined);
      expect(res.status, `${m} ${u}`).toBe(401);
      expect((await json(res)).code).toBe('unauthorized');
    }
    expect((await anon.post('/api/auth/session', { access_key: 'wrong' })).status).toBe(401);
  });

  it('server-to-server keys: X-API-Key and Authorization: Bearer', async () => {
    const viaHeader = new Client(server.url, { 'x-api-key': aliceKey });
    expect((await viaHeader.get('/api/gallery')).status).toBe(200);
    const viaBearer = new Client(server.url, { authorization: `Bearer ${aliceKey}` });
    expect((await viaBearer.get('/api/gallery')).status).toBe(200);
    expect((await new Client(server.url, { 'x-api-key': 'nope' }).get('/api/gallery')).status).toBe(401);
  });

  it('admin login with a wrong key → 401; right key → gg_admin Strict 12 h', async () => {
    const c = new Client(server.url);
    expect((await c.post('/api/admin/session', undefined, { 'x-admin-key': 'wrong-key' })).status).toBe(401);
    expect((await c.get('/api/admin/accounts')).status).toBe(401);
    const ok = await c.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
    const cookie = ok.headers.getSetCookie().find((s) => s.startsWith('gg_admin=')) ?? '';
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect((await c.get('/api/admin/accounts')).status).toBe(200);
    // a user session is not an admin session
    expect((await alice.get('/api/admin/accounts')).status).toBe(401);
  });

  it('a cookie-authenticated unsafe request from a foreign Origin is refused', async () => {
    const res = await alice.post('/api/generate', PONY, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('forbidden');
    const same = await alice.post('/api/generate', PONY, { origin: server.url });
    expect(same.status).toBe(202);
  });

  it('deleting a user revokes its key and sessions', async () => {
    const { client, key } = await newUser('carol');
    const users = await json<{ items: Array<{ id: string; name: string }> }>(await admin.get('/api/admin/users'));
    const carol = users.items.find((u) => u.name === 'carol');
    expect((await admin.del(`/api/admin/users/${carol?.id}`)).status).toBe(204);
    expect((await client.get('/api/gallery')).status).toBe(401);
    expect((await new Client(server.url, { 'x-api-key': key }).get('/api/gallery')).status).toBe(401);
  });
});

describe('jobs', () => {
  it('SSE delivers progress, a preview, then completion; result and preview are served', async () => {
    const id = await generate(alice, PONY);
    const res = await alice.get(`/api/events/${id}`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readSse(res, (e) => e === 'completed' || e === 'failed');
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('progress');
    expect(names).toContain('preview');
    expect(names.at(-1)).toBe('completed');
    const progress = events.filter((e) => e.event === 'progress').map((e) => (e.data as { progress: number }).progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const status = await json<{
      status: string;
      result: { url: string; seed: number; width: number; metadata: { backend: string } };
    }>(await alice.get(`/api/status/${id}`));
    expect(status.status).toBe('completed');
    expect(status.result.seed).toBe(42);
    const file = await alice.get(status.result.url);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toMatch(/filename="mediagen-pony-42\.png"/);
    const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    expect(meta.width).toBe(512);
    const thumb = await alice.get(`/api/preview/${id}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
  });

  it('Range requests on results', async () => {
    const id = await generate(alice, PONY);
    await finished(alice, id);
    const whole = Buffer.from(await (await alice.get(`/api/results/${id}`)).arrayBuffer());
    const part = await alice.get(`/api/results/${id}`, { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(10, 20));
    const tail = await alice.get(`/api/results/${id}`, { range: 'bytes=-5' });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(whole.length - 5));
    expect((await alice.get(`/api/results/${id}`, { range: `bytes=${whole.length + 10}-` })).status).toBe(416);
    expect((await alice.get(`/api/results/${id}?index=3`)).status).toBe(404);
  });

  it('cancel a running job (idempotent)', async () => {
    engine.behaviour = () => ({ steps: 1, stepMs: 20, hang: true });
    const id = await generate(alice, PONY);
    await waitFor(async () => (await json(await alice.get(`/api/status/${id}`))).status === 'running' || undefined);
    expect((await alice.post(`/api/cancel/${id}`)).status).toBe(200);
    expect((await finished(alice, id)).status).toBe('cancelled');
    const again = await alice.post(`/api/cancel/${id}`);
    expect((await json(again)).status).toBe('cancelled');
    engine.behaviour = () => ({ steps: 4, stepMs: 20 });
  });

  it("someone else's task is 404 on every route", async () => {
    const id = await generate(alice, PONY);
    await finished(alice, id);
    for (const [m, u] of [
      ['GET', `/api/status/${id}`],
      ['GET', `/api/results/${id}`],
      ['GET', `/api/preview/${id}`],
      ['GET', `/api/events/${id}`],
      ['POST', `/api/cancel/${id}`],
      ['DELETE', `/api/gallery/${id}`],
    ] as const) {
      const res = await bob.req(m, u);
      expect(res.status, `${m} ${u}`).toBe(404);
      expect((await json(res)).code).toBe('not_found');
    }
    expect((await alice.get(`/api/status/${id}`)).status).toBe(200);
  });

  it('a failing job ends failed with its code; retriable failures are retried first', async () => {
    const { EngineError } = await import('#ports/engine.ts');
    engine.behaviour = () => ({
      steps: 1,
      stepMs: 5,
      fail: new EngineError('backend_error', 'CUDA error: device-side assert', false),
    });
    const id = await generate(alice, PONY);
    const s = await finished(alice, id);
    expect(s).toMatchObject({ status: 'failed', code: 'backend_error', retriable: false });
    let calls = 0;
    engine.behaviour = () =>
      ++calls === 1
        ? { steps: 1, stepMs: 5, fail: new EngineError('backend_lost', 'gone', true) }
        : { steps: 2, stepMs: 5 };
    const id2 = await generate(alice, PONY);
    expect((await finished(alice, id2)).status).toBe('completed');
    expect(calls).toBe(2);
    engine.behaviour = () => ({ steps: 4, stepMs: 20 });
  });

  it('Idempotency-Key returns the same task; reuse with another body → 409', async () => {
    const a = await generate(alice, PONY, { 'idempotency-key': 'k-1' });
    const again = await alice.post('/api/generate', PONY, { 'idempotency-key': 'k-1' });
    expect((await json(again)).task_id).toBe(a);
    expect((await alice.post('/api/generate', { ...PONY, seed: 1 }, { 'idempotency-key': 'k-1' })).status).toBe(409);
    // the key is per user
    expect(await generate(bob, PONY, { 'idempotency-key': 'k-1' })).not.toBe(a);
  });

  it('Prefer: wait=N answers 200 with the GenerationResponse', async () => {
    const res = await alice.post('/api/generate', { ...PONY, seed: 7 }, { prefer: 'wait=20' });
    expect(res.status).toBe(200);
    const b = await json<{
      status: string;
      url: string;
      seed: number;
      metadata: { inference_time: number; gpu_time: number; queue_time: number };
    }>(res);
    expect(b.status).toBe('success');
    expect(b.seed).toBe(7);
    expect(b.metadata.gpu_time).toBeGreaterThan(0);
  });

  it('seed −1 is resolved and reported; batches report every seed', async () => {
    const res = await alice.post('/api/generate', { ...PONY, seed: -1, batch_size: 2 }, { prefer: 'wait=20' });
    const b = await json<{ seed: number; seeds: number[]; urls: string[] }>(res);
    expect(b.seed).toBeGreaterThanOrEqual(0);
    expect(b.seeds).toEqual([b.seed, b.seed + 1]);
    expect(b.urls).toHaveLength(2);
  });

  it('multipart/form-data with the same schema', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...PONY, mode: 'img2img', denoising_strength: 0.6 }))
      form.append(k, String(v));
    form.append('reference_image', new Blob([png], { type: 'image/png' }), 'ref.png');
    const res = await alice.post('/api/generate', form);
    expect(res.status).toBe(202);
    const id = (await json<{ task_id: string }>(res)).task_id;
    const s = await finished(alice, id);
    expect(s.status).toBe('completed');
    const bad = new FormData();
    for (const [k, v] of Object.entries({ ...PONY, mode: 'img2img' })) bad.append(k, String(v));
    bad.append('reference_image', new Blob([Buffer.from('not an image at all')], { type: 'image/png' }), 'x.png');
    const r2 = await alice.post('/api/generate', bad);
    expect(r2.status).toBe(422);
    expect((await json<{ details: Array<{ path: string }> }>(r2)).details[0]?.path).toBe('reference_image');
  });

  it('oversized body → 413', async () => {
    const huge = { ...PONY, mode: 'img2img', reference_image: 'A'.repeat(90 * 1024 * 1024) };
    const res = await alice.post('/api/generate', huge);
    expect(res.status).toBe(413);
    expect((await json(res)).code).toBe('payload_too_large');
    const big = { ...PONY, mode: 'img2img', reference_image: 'A'.repeat(28 * 1024 * 1024) };
    expect((await alice.post('/api/generate', big)).status).toBe(413);
  });
});

describe('gallery', () => {
  it('newest first, cursor pagination, filters, delete', async () => {
    const fresh = await newUser('gallery-user');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fresh.client.post('/api/generate', { ...PONY, seed: 100 + i }, { prefer: 'wait=20' });
      ids.push((await json<{ task_id: string }>(res)).task_id);
    }
    const p1 = await json<{
      items: Array<{ task_id: string; parameters: { seed: number }; thumbnail_url: string }>;
      next_cursor: string;
    }>(await fresh.client.get('/api/gallery?limit=2'));
    expect(p1.items.map((i) => i.task_id)).toEqual([ids[4], ids[3]]);
    expect(p1.items[0]?.parameters.seed).toBe(104);
    const p2 = await json<{ items: Array<{ task_id: string }>; next_cursor: string | null }>(
      await fresh.client.get(`/api/gallery?limit=2&cursor=${p1.next_cursor}`),
    );
    expect(p2.items.map((i) => i.task_id)).toEqual([ids[2], ids[1]]);
    const p3 = await json<{ items: unknown[]; next_cursor: string | null }>(
      await fresh.client.get(`/api/gallery?limit=2&cursor=${p2.next_cursor}`),
    );
    expect(p3.items).toHaveLength(1);
    expect(p3.next_cursor).toBeNull();
    expect((await json<{ items: unknown[] }>(await fresh.client.get('/api/gallery?type=video'))).items).toHaveLength(0);
    expect((await json<{ items: unknown[] }>(await fresh.client.get('/api/gallery?model=pony'))).items).toHaveLength(5);
    expect((await fresh.client.get('/api/gallery?model=nope')).status).toBe(400);
    expect((await fresh.client.del(`/api/gallery/${ids[0]}`)).status).toBe(204);
    expect((await fresh.client.get(`/api/status/${ids[0]}`)).status).toBe(404);
    expect((await fresh.client.get(`/api/results/${ids[0]}`)).status).toBe(404);
  });
});

describe('system routes', () => {
  it('models, health, openapi, docs, metrics', async () => {
    const models = await json<{ models: Array<{ id: string }> }>(await alice.get('/api/models'));
    expect(models.models.map((m) => m.id)).toEqual(['anisora', 'phr00t', 'pony', 'flux']);
    const health = await json(await alice.get('/api/health'));
    expect(health).toMatchObject({ status: 'ok', simulated: false });
    const openapi = await json<{ openapi: string; paths: Record<string, unknown> }>(
      await alice.get('/api/openapi.json'),
    );
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/api/generate', '/api/status/{id}', '/api/gallery']),
    );
    expect((await alice.get('/api/docs/')).status).toBe(200);
    // key mode: metrics need METRICS_TOKEN or an admin session
    expect((await alice.get('/metrics')).status).toBe(401);
    const metrics = await (await admin.get('/metrics')).text();
    expect(metrics).toMatch(/mediagen_http_request_duration_seconds_bucket/);
    expect(metrics).toMatch(/mediagen_tasks_total\{outcome="completed"\}/);
    expect((await alice.get('/api/nope')).status).toBe(404);
  });

  it('CORS only for CORS_ORIGINS, with credentials', async () => {
    const res = await fetch(`${server.url}/api/models`, { headers: { origin: 'https://ui.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const other = await startTestServer({
      overrides: { engine: new FakeEngine() },
      env: { CORS_ORIGINS: 'https://ui.example' },
    });
    try {
      const ok = await fetch(`${other.url}/api/models`, { headers: { origin: 'https://ui.example' } });
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://ui.example');
      expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    } finally {
      await other.close();
    }
  });
});
