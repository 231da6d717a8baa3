import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiskFileStore } from '../../src/adapters/files/disk-file-store.ts';
import { startSimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import type { FileStore } from '../../src/ports/file-store.ts';
import { FakeEngine } from '../fake-engine.ts';
import { startGatewayProcess } from '../gateway-process.ts';
import { ADMIN_KEY, Client, json, startTestServer, tempDir, waitFor, type TestServer } from '../test-server.ts';

// Real deployments (issue "Hostile traffic", items 3, 5, 8, 9): a full disk, a TLS proxy in front, the small
// hardening items and the seed guide's conformance points.

const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse',
  width: 512,
  height: 512,
  seed: 1,
};
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function server(env: Record<string, string>, files?: FileStore): Promise<TestServer> {
  const engine = new FakeEngine();
  engine.behaviour = () => ({ steps: 1, stepMs: 1, hang: true });
  const dataDir = tempDir();
  const s = await startTestServer({ dataDir, overrides: { engine, ...(files ? { files } : {}) }, env });
  cleanup.push(() => s.close());
  return s;
}

async function adminOf(s: { url: string }): Promise<Client> {
  const a = new Client(s.url);
  expect((await a.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY })).status).toBe(200);
  return a;
}

/** The real disk store, with a switch that makes every write fail as a full disk does. */
function fillableDisk(dir: string): FileStore & { full: boolean; free: number | null } {
  const disk = createDiskFileStore(dir);
  const store = {
    ...disk,
    full: false,
    free: null as number | null,
    async write(key: string, data: Buffer) {
      if (store.full)
        throw Object.assign(new Error(`ENOSPC: no space left on device, write '${key}'`), { code: 'ENOSPC' });
      return disk.write(key, data);
    },
    async freeBytes() {
      return store.free ?? disk.freeBytes();
    },
  };
  return store;
}

describe('3. a full disk is an answer, not a crash', () => {
  it('a write that fails for lack of space → 503 storage_full (both shapes), health degraded, no partial files', async () => {
    const dir = tempDir();
    const disk = fillableDisk(dir);
    const s = await server({ AUTH_MODE: 'open', DATA_DIR: dir }, disk);
    const c = new Client(s.url);
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0a0' } })
      .png()
      .toBuffer();
    disk.full = true;
    const res = await c.post('/api/generate', { ...PONY, mode: 'img2img', reference_image: png.toString('base64') });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
    expect(await json(res)).toMatchObject({ status: 'error', code: 'storage_full', detail: { code: 'storage_full' } });
    const health = await json<{ status: string; reasons: string[] }>(await c.get('/api/health'));
    expect(health.status).toBe('degraded');
    expect(health.reasons.join(' ')).toMatch(/storage/);
    const leftovers = fs.existsSync(path.join(dir, 'assets')) ? fs.readdirSync(path.join(dir, 'assets')) : [];
    expect(leftovers).toEqual([]);
    // a text-only job is refused too while the disk is full
    expect((await c.post('/api/generate', PONY)).status).toBe(503);
  });

  it('free space below MIN_FREE_DISK_MB → health degraded and 503 before anything is written', async () => {
    const dir = tempDir();
    const disk = fillableDisk(dir);
    disk.free = 10 * 1048576;
    const s = await server({ AUTH_MODE: 'open', DATA_DIR: dir, MIN_FREE_DISK_MB: '100' }, disk);
    const c = new Client(s.url);
    expect(await json(await c.get('/api/health'))).toMatchObject({ status: 'degraded' });
    expect(await json(await c.post('/api/generate', PONY))).toMatchObject({ code: 'storage_full' });
  });

  it('SIGTERM with an event stream open: the gateway stops within its grace period', async () => {
    // a slow simulated GPU keeps the job (and its event stream) open
    const sim = await startSimulatorProcess({ gpus: 1, timeScale: 5 });
    cleanup.push(() => sim.stop());
    const gw = await startGatewayProcess({
      dataDir: tempDir(),
      env: { COMFYUI_URLS: sim.urls.join(',') },
      readyAccounts: 1,
    });
    cleanup.push(() => gw.stop('SIGKILL'));
    const c = new Client(gw.url);
    const { task_id } = await json<{ task_id: string }>(await c.post('/api/generate', PONY));
    const stream = await c.get(`/api/events/${task_id}`);
    expect(stream.status).toBe(200);
    // past the grace period (15 s) main.ts exits 1 instead of 0
    expect(await gw.stop('SIGTERM')).toBe(0);
  }, 90_000);
});

describe('5. behind a TLS proxy', () => {
  it('X-Forwarded-* count only from trusted proxies: per-IP limits, Secure cookies, the public origin', async () => {
    const s = await server({
      AUTH_MODE: 'open',
      TRUST_PROXY: '127.0.0.1',
      PUBLIC_BASE_URL: 'https://gen.example.com',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '2',
      RATE_LIMIT_GENERATE_PER_MINUTE: '1000',
      MAX_QUEUED_PER_USER: '1000',
    });
    const from = (ip: string): Client => new Client(s.url, { 'x-forwarded-for': ip, 'x-forwarded-proto': 'https' });
    const a = from('203.0.113.1');
    const b = from('203.0.113.2');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await a.post('/api/generate', { ...PONY, seed: i })).status);
    expect(statuses).toEqual([202, 202, 429]);
    // another client behind the same proxy has its own allowance
    expect((await b.post('/api/generate', PONY)).status).toBe(202);

    const login = await b.post('/api/auth/session', {}, { origin: 'https://gen.example.com' });
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie().join(';')).toMatch(/Secure/);
    // a cookie POST from the UI's own public https origin passes the CSRF check
    const fromUi = await b.post('/api/generate', { ...PONY, seed: 9 }, { origin: 'https://gen.example.com' });
    expect(fromUi.status).toBe(202);
    expect((await b.post('/api/generate', PONY, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('without TRUST_PROXY the forwarded address is ignored (no spoofed allowances)', async () => {
    const s = await server({
      AUTH_MODE: 'open',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '2',
      MAX_QUEUED_PER_USER: '1000',
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const spoof = new Client(s.url, { 'x-forwarded-for': `198.51.100.${i}` });
      statuses.push((await spoof.post('/api/generate', { ...PONY, seed: i })).status);
    }
    expect(statuses).toEqual([202, 202, 429]);
  });
});

describe('8. smaller items', () => {
  it('/metrics in key mode: METRICS_TOKEN or an admin session; /api/docs has its own CSP', async () => {
    const s = await server({ AUTH_MODE: 'key', METRICS_TOKEN: 'metrics-token-0123456789' });
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    const byToken = await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(byToken.status).toBe(200);
    expect(await byToken.text()).toMatch(/mediagen_/);
    expect((await (await adminOf(s)).get('/metrics')).status).toBe(200);
    const docs = await fetch(`${s.url}/api/docs/static/index.html`);
    expect(docs.headers.get('content-security-policy') ?? '').toMatch(/script-src/);
  });

  it('rotate-key: a new key works, the old key and its sessions stop; a grant cannot go below zero', async () => {
    const s = await server({ AUTH_MODE: 'key', CREDITS_ENABLED: 'true' });
    const a = await adminOf(s);
    const created = await json<{ id: string; access_key: string }>(
      await a.post('/api/admin/users', { name: 'eve', credits: 5 }),
    );
    const session = new Client(s.url);
    expect((await session.post('/api/auth/session', { access_key: created.access_key })).status).toBe(200);
    const rotated = await json<{ access_key: string }>(await a.post(`/api/admin/users/${created.id}/rotate-key`));
    expect(rotated.access_key).not.toBe(created.access_key);
    expect((await fetch(`${s.url}/api/gallery`, { headers: { 'x-api-key': created.access_key } })).status).toBe(401);
    expect((await session.get('/api/gallery')).status).toBe(401);
    expect((await fetch(`${s.url}/api/gallery`, { headers: { 'x-api-key': rotated.access_key } })).status).toBe(200);
    const below = await a.post(`/api/admin/users/${created.id}/credits`, { amount: -6 });
    expect(below.status).toBe(422);
    expect((await a.post(`/api/admin/users/${created.id}/credits`, { amount: -5 })).status).toBe(200);
  });

  it('an unusable DATA_DIR stops the start with a message naming the variable', async () => {
    const file = path.join(tempDir(), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    await expect(startGatewayProcess({ dataDir: file })).rejects.toThrow(/exited with code 2/);
  });
});

describe('9. seed-guide conformance', () => {
  it('POST /api/auth/session with only an X-API-Key header logs in', async () => {
    const s = await server({ AUTH_MODE: 'key' });
    const a = await adminOf(s);
    const { access_key } = await json<{ access_key: string }>(await a.post('/api/admin/users', { name: 'svc' }));
    const res = await fetch(`${s.url}/api/auth/session`, { method: 'POST', headers: { 'x-api-key': access_key } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().join(';')).toMatch(/gg_session=/);
  });

  it('CORS preflight allows PATCH, PUT and DELETE for CORS_ORIGINS', async () => {
    const s = await server({ AUTH_MODE: 'key', CORS_ORIGINS: 'https://ui.example.com' });
    for (const method of ['PATCH', 'PUT', 'DELETE']) {
      const res = await fetch(`${s.url}/api/gallery/x`, {
        method: 'OPTIONS',
        headers: { origin: 'https://ui.example.com', 'access-control-request-method': method },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-methods') ?? '').toContain(method);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    }
  });

  it('first_last_frame with only reference_image is accepted; metadata says no end frame was given', async () => {
    const sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.02 });
    cleanup.push(() => sim.stop());
    const s = await startTestServer({ env: { AUTH_MODE: 'open', COMFYUI_URLS: sim.urls[0] ?? '' } });
    cleanup.push(() => s.close());
    await waitFor(
      async () =>
        (await json<{ accounts: { ready: number } }>(await fetch(`${s.url}/api/health`))).accounts.ready
          ? true
          : undefined,
      30_000,
    );
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#a40' } })
      .png()
      .toBuffer();
    const res = await new Client(s.url).post(
      '/api/generate',
      {
        type: 'video',
        model: 'anisora',
        mode: 'first_last_frame',
        prompt: 'a paper boat',
        width: 512,
        height: 512,
        seed: 3,
        num_frames: 17,
        reference_image: png.toString('base64'),
      },
      { prefer: 'wait=120' },
    );
    expect(res.status).toBe(200);
    const result = await json<{ status: string; metadata: { notes?: string[] } }>(res);
    expect(result.status).toBe('success');
    expect(result.metadata.notes?.join(' ')).toMatch(/No end frame was given/);
  }, 180_000);
});
