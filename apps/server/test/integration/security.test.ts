import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine } from '../fake-engine.ts';
import { ADMIN_KEY, Client, json, startTestServer, tempDir, type TestServer } from '../test-server.ts';

let server: TestServer;
let c: Client;
const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse',
  width: 512,
  height: 512,
  seed: 1,
};

beforeAll(async () => {
  const dist = tempDir('web-dist-');
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>MediaGen</title><div id="root"></div>');
  const engine = new FakeEngine();
  engine.behaviour = () => ({ steps: 1, stepMs: 1, hang: true });
  server = await startTestServer({
    overrides: { engine },
    webDistDir: dist,
    env: {
      AUTH_MODE: 'open',
      RATE_LIMIT_GENERATE_PER_MINUTE: '5',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '8',
      RATE_LIMIT_LOGIN_PER_MINUTE: '3',
      MAX_UPLOAD_PIXELS: '1000000',
    },
  });
  c = new Client(server.url);
});
afterAll(async () => server?.close());

describe('abuse limits and hardening', () => {
  it('a decompression bomb is refused from its header (pixel limit), as 422 naming the field', async () => {
    const png = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    // its own user and IP: rate limits are keyed on both, and the next test counts this file's default user
    const admin = new Client(server.url);
    await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
    const key = (await json<{ access_key: string }>(await admin.post('/api/admin/users', { name: 'bomb' }))).access_key;
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/generate',
      remoteAddress: '10.9.9.9',
      headers: { 'x-api-key': key },
      payload: { ...PONY, mode: 'img2img', reference_image: png.toString('base64') },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'validation_error', details: [{ path: 'reference_image' }] });
  });

  it('generation is rate limited per user (429 with Retry-After and the error body)', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await c.post('/api/generate', { ...PONY, seed: i });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5).every((s) => s === 202)).toBe(true);
    expect(statuses[5]).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await json(last!)).toMatchObject({
      status: 'error',
      code: 'rate_limited',
      detail: { code: 'rate_limited' },
    });
  });

  it('and per IP, across credentials', async () => {
    // 5 requests were spent above from this IP; with another credential the per-IP bound (8) still applies
    const admin = new Client(server.url);
    await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
    const key = (await json<{ access_key: string }>(await admin.post('/api/admin/users', { name: 'other' })))
      .access_key;
    const other = new Client(server.url, { 'x-api-key': key });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await other.post('/api/generate', { ...PONY, seed: 100 + i })).status);
    expect(statuses).toContain(429);
  });

  it('admin login attempts are limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await new Client(server.url).post('/api/admin/session', undefined, { 'x-admin-key': 'guess-guess-guess' }))
          .status,
      );
    // the first admin login above already counts: wrong keys get 401 until the bound, then 429
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('bounded bodies on every route', async () => {
    const big = await c.post('/api/auth/session', { access_key: 'x'.repeat(10_000) });
    expect(big.status).toBe(413);
    const admin = new Client(server.url);
    const res = await admin.post('/api/admin/users', { name: 'y'.repeat(2 * 1024 * 1024) });
    expect([401, 413]).toContain(res.status);
  });

  it('security headers on the API; a Content-Security-Policy on the web UI shell', async () => {
    const api = await c.get('/api/health');
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    const page = await c.get('/gallery');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect((await c.get('/api/nope')).headers.get('content-type')).toMatch(/json/);
  });
});
