import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { GenerationResult } from '@mediagen/contract';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createS3FileStore } from '#adapters/files/s3-file-store.ts';
import { freePort, startSimulatorProcess, type SimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import { makePng } from '../sample-images.ts';
import { Client, json, startTestServer, tempDir, waitFor, type TestServer } from '../test-server.ts';

// MEDIA_STORE=s3://… against s3rver, an S3-protocol server in this process: it stands in for AWS S3, MinIO or R2.
const BUCKET = 'mediagen-media';
const PREFIX = 'site-a';
let s3: S3rver;
let endpoint = '';
let bucket: S3Client;
let sim: SimulatorProcess;
const servers: TestServer[] = [];
const s3Dir = tempDir('mediagen-s3rver-');

async function gateway(extra: Record<string, string> = {}): Promise<{ server: TestServer; c: Client }> {
  const server = await startTestServer({
    env: {
      AUTH_MODE: 'open',
      COMFYUI_URLS: sim.urls.join(','),
      MEDIA_STORE: `s3://${BUCKET}/${PREFIX}`,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      ...extra,
    },
  });
  servers.push(server);
  const c = new Client(server.url);
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await c.get('/api/health'))).accounts.ready === 1 || undefined,
    30_000,
    100,
  );
  return { server, c };
}

async function objectKeys(prefix: string): Promise<string[]> {
  const page = await bucket.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/${prefix}` }));
  return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function objectBytes(key: string): Promise<Buffer> {
  const res = await bucket.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${key}` }));
  return Buffer.from((await res.Body?.transformToByteArray()) ?? []);
}

async function generate(c: Client, body: Record<string, unknown>): Promise<GenerationResult> {
  const res = await c.post('/api/generate', body, { prefer: 'wait=90' });
  expect(res.status).toBe(200);
  const out = await json<GenerationResult>(res);
  expect(out.status).toBe('success');
  return out;
}

const image = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a red barn in a meadow',
  width: 512,
  height: 512,
};

beforeAll(async () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
  s3 = new S3rver({
    address: '127.0.0.1',
    port: await freePort(),
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const addr = await s3.run();
  endpoint = `http://127.0.0.1:${addr.port}`;
  bucket = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.01 });
}, 60_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await sim?.stop();
  await s3?.close();
  vi.unstubAllEnvs();
  fs.rmSync(s3Dir, { recursive: true, force: true });
});

describe('MEDIA_STORE=s3://bucket/prefix', () => {
  it('outputs and thumbnails go to the bucket, not DATA_DIR; results are streamed with Range', async () => {
    const { server, c } = await gateway();
    const result = await generate(c, { ...image, seed: 3 });
    const id = result.task_id;
    expect(await objectKeys(`media/${id}/`)).toEqual([
      `${PREFIX}/media/${id}/0.png`,
      `${PREFIX}/media/${id}/thumb.jpg`,
    ]);
    expect(fs.existsSync(path.join(server.dataDir, 'media'))).toBe(false);

    const stored = await objectBytes(`media/${id}/0.png`);
    const whole = await c.get(result.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await whole.arrayBuffer()).equals(stored)).toBe(true);
    const part = await c.get(result.url, { range: 'bytes=8-23' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 8-23/${stored.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(stored.subarray(8, 24))).toBe(true);
    const preview = await c.get(`/api/preview/${id}`);
    expect(preview.status).toBe(200);
    expect(Buffer.from(await preview.arrayBuffer()).equals(await objectBytes(`media/${id}/thumb.jpg`))).toBe(true);
  }, 120_000);

  it('the adapter: list and removePrefix stay inside their prefix; a missing object is ENOENT', async () => {
    const files = createS3FileStore({
      bucket: BUCKET,
      prefix: 'adapter',
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
    });
    await files.write('media/a/0.png', Buffer.from('0123456789'));
    await files.write('media/a/thumb.jpg', Buffer.from('t'));
    await files.write('media/ab/0.png', Buffer.from('x'));
    expect((await files.list('media/a')).map((f) => [f.key, f.bytes])).toEqual([
      ['media/a/0.png', 10],
      ['media/a/thumb.jpg', 1],
    ]);
    const chunks: Buffer[] = [];
    for await (const chunk of files.stream('media/a/0.png', { start: 2, end: 4 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('234');
    await files.removePrefix('media/a');
    expect((await files.list('media')).map((f) => f.key)).toEqual(['media/ab/0.png']);
    await expect(files.size('media/a/0.png')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(files.read('media/a/0.png')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(files.write('../x', Buffer.alloc(0))).rejects.toThrow(/unsafe/);
  });

  it('reference images and videos made by ffmpeg go through the bucket too', async () => {
    const { server, c } = await gateway();
    const start = await makePng(512, 512);
    const result = await generate(c, {
      type: 'video',
      model: 'phr00t',
      mode: 'i2v',
      prompt: 'a paper lantern drifting over a lake',
      width: 512,
      height: 512,
      seed: 5,
      num_frames: 17,
      reference_image: `data:image/png;base64,${start.toString('base64')}`,
    });
    const id = result.task_id;
    expect(await objectKeys(`media/${id}/`)).toEqual([
      `${PREFIX}/media/${id}/0.mp4`,
      `${PREFIX}/media/${id}/thumb.jpg`,
    ]);
    expect((await objectKeys('assets/')).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(server.dataDir, 'assets'))).toBe(false);
    const mp4 = Buffer.from(await (await c.get(result.url)).arrayBuffer());
    expect(mp4.equals(await objectBytes(`media/${id}/0.mp4`))).toBe(true);
    expect(mp4.subarray(4, 8).toString()).toBe('ftyp');
  }, 120_000);

  it('S3_PRESIGN=true: a result is a 302 to a presigned URL that serves the bytes (and Range) without the gateway', async () => {
    const { c } = await gateway({ S3_PRESIGN: 'true' });
    const result = await generate(c, { ...image, seed: 8 });
    const res = await fetch(new URL(result.url, c.base), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith(`${endpoint}/${BUCKET}/${PREFIX}/media/${result.task_id}/0.png?`)).toBe(true);
    expect(location).toMatch(/X-Amz-Signature=/);
    const stored = await objectBytes(`media/${result.task_id}/0.png`);
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(Buffer.from(await direct.arrayBuffer()).equals(stored)).toBe(true);
    const part = await fetch(location, { headers: { range: 'bytes=0-7' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(stored.subarray(0, 8))).toBe(true);
  }, 120_000);
});
