import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine } from '../fake-engine.ts';
import { ADMIN_KEY, Client, json, startTestServer, type TestServer } from '../test-server.ts';

// An attack run, replayed over real HTTP (issue "Hostile traffic", items 1, 2, 4, 6, 7): each answer is
// clear and nothing is lost, leaked or left behind.

let server: TestServer;
let admin: Client;
const engine = new FakeEngine();
const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse',
  width: 512,
  height: 512,
  seed: 1,
};

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .flatMap((e) => (e.isFile() ? [path.join(e.parentPath, e.name)] : []));
}

async function newKey(name: string): Promise<string> {
  return (await json<{ access_key: string }>(await admin.post('/api/admin/users', { name }))).access_key;
}

beforeAll(async () => {
  engine.behaviour = () => ({ steps: 1, stepMs: 1, hang: true });
  server = await startTestServer({
    overrides: { engine },
    env: {
      AUTH_MODE: 'key',
      RATE_LIMIT_GENERATE_PER_MINUTE: '6',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '1000',
      MAX_QUEUED_PER_USER: '3',
      MAX_SSE_PER_USER: '2',
      HEADERS_TIMEOUT_SECONDS: '1',
      REQUEST_TIMEOUT_SECONDS: '2',
    },
  });
  admin = new Client(server.url);
  expect((await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY })).status).toBe(200);
});
afterAll(async () => server?.close());

describe('1. authentication before the body', () => {
  it('an unauthenticated 50 MB POST is refused before its body is read (401 in < 200 ms, no memory taken)', async () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const url = new URL('/api/generate', server.url);
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const started = performance.now();
    let sent = 0;
    const answer = await new Promise<{ status: number; ms: number; sentWhenAnswered: number }>((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(total) },
      });
      req.on('response', (res) => {
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, sentWhenAnswered: sent });
        res.resume();
        req.destroy();
      });
      req.on('error', (err) => (sent >= total ? undefined : reject(err)));
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(answer.status).toBe(401);
    expect(answer.sentWhenAnswered).toBeLessThan(total);
    expect(answer.ms).toBeLessThan(200);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(30 * 1024 * 1024);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});

describe('2. uploads are stored only for accepted jobs', () => {
  it('an invalid multipart request with a 5 MB image leaves no new file under DATA_DIR', async () => {
    const key = await newKey('uploader');
    // random pixels, stored uncompressed: a 5+ MB PNG that is no pixel bomb
    const big = await sharp(crypto.randomBytes(1400 * 1300 * 3), { raw: { width: 1400, height: 1300, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
    const before = filesUnder(server.dataDir).filter((f) => !f.endsWith('.db-wal') && !f.endsWith('.db-shm'));
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...PONY, mode: 'img2img', width: 640 })) form.set(k, String(v));
    form.set('reference_image', new Blob([big], { type: 'image/png' }), 'ref.png');
    const res = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: form,
    });
    expect(res.status).toBe(422);
    const after = filesUnder(server.dataDir).filter((f) => !f.endsWith('.db-wal') && !f.endsWith('.db-shm'));
    expect(after.sort()).toEqual(before.sort());
  });

  it('a file in a field that takes no file, and a number written as 0x200, are 400', async () => {
    const key = await newKey('form-tricks');
    const hex = new FormData();
    for (const [k, v] of Object.entries({ ...PONY, width: '0x200' })) hex.set(k, String(v));
    const r1 = await fetch(`${server.url}/api/generate`, { method: 'POST', headers: { 'x-api-key': key }, body: hex });
    expect(r1.status).toBe(400);
    const fileInPrompt = new FormData();
    for (const [k, v] of Object.entries(PONY)) if (k !== 'prompt') fileInPrompt.set(k, String(v));
    fileInPrompt.set('prompt', new Blob(['a lighthouse']), 'prompt.txt');
    const r2 = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: fileInPrompt,
    });
    expect(r2.status).toBe(400);
    expect(await json(r2)).toMatchObject({ code: 'invalid_request', details: [{ path: 'prompt' }] });
  });
});

describe('4. limits keyed on who the caller is', () => {
  it('extra spaces after Bearer get no fresh allowance: the 7th request is 429', async () => {
    const key = await newKey('spacer');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${server.url}/api/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer${' '.repeat(i + 1)}${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...PONY, model: 'nope' }), // 400s still spend the allowance
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 6).every((s) => s === 400)).toBe(true);
    expect(statuses[6]).toBe(429);
  });

  it("one user's share of the queue is bounded (429 user_queue_full); others still get in", async () => {
    const greedy = new Client(server.url, { 'x-api-key': await newKey('greedy') });
    // at most 3 queued (one more may already run on the single backend)
    let refused: Response | undefined;
    for (let i = 0; i < 5 && !refused; i++) {
      const res = await greedy.post('/api/generate', { ...PONY, seed: 100 + i });
      if (res.status !== 202) refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(await json(refused!)).toMatchObject({ code: 'user_queue_full', detail: { code: 'user_queue_full' } });
    const other = new Client(server.url, { 'x-api-key': await newKey('other') });
    expect((await other.post('/api/generate', PONY)).status).toBe(202);
  });

  it('a concurrent burst from one user cannot overshoot its share (the insert counts again)', async () => {
    const burst = new Client(server.url, { 'x-api-key': await newKey('burst') });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => burst.post('/api/generate', { ...PONY, seed: 200 + i })),
    );
    const codes = await Promise.all(
      answers.map(async (r) => (r.status === 202 ? 202 : (await json<{ code: string }>(r)).code)),
    );
    // 3 queued at most; a fourth only if one of them started running on the single backend meanwhile
    expect(codes.filter((c) => c === 202).length).toBeGreaterThanOrEqual(3);
    expect(codes.filter((c) => c === 202).length).toBeLessThanOrEqual(4);
    expect(codes.filter((c) => c !== 202).every((c) => c === 'user_queue_full')).toBe(true);
    const mine = await json<{ items: Array<{ status: string }> }>(await burst.get('/api/tasks?status=queued'));
    expect(mine.items.filter((t) => t.status === 'queued').length).toBeLessThanOrEqual(3);
  });
});

describe('6. idempotency under concurrency', () => {
  it('six concurrent same-key requests with a reference image → one task, five replays, no 5xx, one stored file', async () => {
    const key = await newKey('retrier');
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c60' } })
      .png()
      .toBuffer();
    const body = { ...PONY, mode: 'img2img', reference_image: png.toString('base64') };
    const assetsBefore = filesUnder(path.join(server.dataDir, 'assets')).length;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${server.url}/api/generate`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'application/json', 'idempotency-key': 'same-key-6' },
          body: JSON.stringify(body),
        }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 202)).toBe(true);
    const ids = new Set(await Promise.all(answers.map(async (r) => (await json<{ task_id: string }>(r)).task_id)));
    expect(ids.size).toBe(1);
    expect(answers.filter((r) => r.headers.get('idempotent-replay') === 'true')).toHaveLength(5);
    expect(filesUnder(path.join(server.dataDir, 'assets')).length - assetsBefore).toBe(1);
  });
});

describe('7. connection budgets', () => {
  it('a client that sends its headers too slowly is dropped after HEADERS_TIMEOUT', async () => {
    const { port } = new URL(server.url);
    const closed = await new Promise<string>((resolve) => {
      const sock = net.connect(Number(port), '127.0.0.1', () =>
        sock.write('POST /api/generate HTTP/1.1\r\nHost: x\r\n'),
      );
      let data = '';
      sock.on('data', (d) => (data += d.toString()));
      sock.on('close', () => resolve(data));
    });
    expect(closed === '' || /^HTTP\/1\.1 408/.test(closed)).toBe(true);
  });

  it('a client that sends its body too slowly is dropped after REQUEST_TIMEOUT', async () => {
    const key = await newKey('slow-body');
    const { port } = new URL(server.url);
    const closed = await new Promise<string>((resolve) => {
      const sock = net.connect(Number(port), '127.0.0.1', () =>
        sock.write(
          `POST /api/generate HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"type":`,
        ),
      );
      let data = '';
      sock.on('data', (d) => (data += d.toString()));
      sock.on('close', () => resolve(data));
    });
    expect(closed === '' || /^HTTP\/1\.1 408/.test(closed)).toBe(true);
  });

  it('at most MAX_SSE_PER_USER open event streams per user (429 beyond)', async () => {
    const c = new Client(server.url, { 'x-api-key': await newKey('streamer') });
    const { task_id } = await json<{ task_id: string }>(await c.post('/api/generate', PONY));
    const controllers = [new AbortController(), new AbortController()];
    const open = await Promise.all(
      controllers.map((ac) => fetch(`${server.url}/api/events/${task_id}`, { headers: c.headers, signal: ac.signal })),
    );
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    const third = await c.get(`/api/events/${task_id}`);
    expect(third.status).toBe(429);
    expect(await json(third)).toMatchObject({ code: 'too_many_streams' });
    for (const ac of controllers) ac.abort();
  });
});
