import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { MediaGenClient, ValidationError, type GenerateInput } from '@mediagen/client';
import { MODEL_LIST, type Mode, type ModelSpec } from '@mediagen/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatorProcess, type SimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import { freePort } from '../../src/adapters/simulator/simulator-process.ts';
import { readmeExamples, runExample, startExample } from '../readme-examples.ts';
import { ADMIN_KEY, Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = path.join(ROOT, 'node_modules', '.bin', 'mediagen');
const run = promisify(execFile);

let sim: SimulatorProcess;
let server: TestServer;
let apiKey: string;
let mg: MediaGenClient;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-e2e-'));
let reference: Uint8Array;

const FORMATS: Record<string, { mime: string; magic: (b: Uint8Array) => boolean }> = {
  png: { mime: 'image/png', magic: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  jpg: { mime: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 },
  mp4: { mime: 'video/mp4', magic: (b) => Buffer.from(b.subarray(4, 8)).toString() === 'ftyp' },
  webm: { mime: 'video/webm', magic: (b) => Buffer.from(b.subarray(0, 4)).toString('hex') === '1a45dfa3' },
  gif: { mime: 'image/gif', magic: (b) => Buffer.from(b.subarray(0, 4)).toString() === 'GIF8' },
};

function request(model: ModelSpec, mode: Mode, format: string): GenerateInput {
  const body: GenerateInput = {
    type: model.type,
    model: model.id,
    mode,
    prompt: 'a calm mountain lake at sunrise',
    width: 512,
    height: 512,
    seed: 42,
    output_format: format as GenerateInput['output_format'],
  };
  if (model.type === 'video') body.num_frames = 17;
  if (mode === 'first_last_frame') Object.assign(body, { first_frame_image: reference, last_frame_image: reference });
  else if (['i2v', 'img2img', 'arbitrary_frame'].includes(mode)) body.reference_image = reference;
  return body;
}

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, {
      cwd: dir,
      env: { ...process.env, MEDIAGEN_URL: server.url, MEDIAGEN_API_KEY: apiKey, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  reference = new Uint8Array(
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer(),
  );
  sim = await startSimulatorProcess({ gpus: 2, timeScale: 0.01 });
  server = await startTestServer({
    env: {
      COMFYUI_URLS: sim.urls.join(','),
      RETRY_LIMIT: '0',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      // the README's receiver may still be starting when its first webhook comes
      WEBHOOK_RETRY_BASE_MS: '300',
    },
  });
  const admin = new Client(server.url);
  await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  apiKey = (await json<{ access_key: string }>(await admin.post('/api/admin/users', { name: 'integrator' })))
    .access_key;
  mg = new MediaGenClient({ baseUrl: server.url, apiKey });
  await waitFor(
    async () =>
      (await mg.http.call((await import('@mediagen/contract')).ROUTES.health)).accounts.ready === 2 || undefined,
    30_000,
    100,
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  await sim?.stop();
});

describe('@mediagen/client against a gateway with the simulator', () => {
  it('every model × mode through generate() and download()', async () => {
    const jobs = MODEL_LIST.flatMap((model) =>
      model.modes.map((mode, i) => {
        const format = model.outputFormats[i % model.outputFormats.length]!;
        return { model, mode, format };
      }),
    );
    const accepted = await Promise.all(jobs.map((j) => mg.generate(request(j.model, j.mode, j.format))));
    for (const [i, job] of jobs.entries()) {
      const label = `${job.model.id} ${job.mode} ${job.format}`;
      const result = await mg.wait(accepted[i]!.task_id, { timeoutMs: 120_000 });
      expect(result, label).toMatchObject({ model: job.model.id, mode: job.mode, output_format: job.format, seed: 42 });
      const file = await mg.download(result);
      expect(file.contentType, label).toBe(FORMATS[job.format]!.mime);
      expect(FORMATS[job.format]!.magic(file.bytes), label).toBe(true);
      expect(file.filename).toMatch(new RegExp(`^mediagen-${job.model.id}-42\\.${job.format}$`));
      if (job.model.type === 'image') {
        const meta = await sharp(file.bytes).metadata();
        expect([meta.width, meta.height], label).toEqual([512, 512]);
      }
    }
  }, 300_000);

  it('wait() falls back to polling when no event stream gets through', async () => {
    const noStreams = new MediaGenClient({
      baseUrl: server.url,
      apiKey,
      fetch: async (url, init) =>
        String(url).includes('/api/events/')
          ? new Response('buffered by a proxy', { status: 200, headers: { 'content-type': 'text/plain' } })
          : fetch(url, init),
    });
    const seen: string[] = [];
    const result = await noStreams.run(
      { type: 'image', model: 'pony', mode: 'txt2img', prompt: 'a fox', width: 512, height: 512, seed: 3 },
      { pollIntervalMs: 100, onEvent: (e) => seen.push(e.event) },
    );
    expect(result.status).toBe('success');
    expect(seen.length).toBeGreaterThan(0);
  }, 60_000);

  it('typed errors carry the server code, fields and advice; a cancelled task rejects wait()', async () => {
    const err = await mg
      .generate({
        type: 'video',
        model: 'anisora',
        mode: 't2v',
        prompt: 'w',
        width: 512,
        height: 512,
        seed: 1,
        steps: 30,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status: 422, code: 'fixed_parameter_violation', details: [{ path: 'steps' }] });
    expect((err as ValidationError).userAction).toMatch(/fixed value/);
    const cancelled = await mg.generate({
      type: 'video',
      model: 'anisora',
      mode: 't2v',
      prompt: 'slow',
      width: 1024,
      height: 1024,
      seed: 2,
      num_frames: 161,
    });
    await mg.cancel(cancelled.task_id);
    await expect(mg.wait(cancelled.task_id)).rejects.toMatchObject({ name: 'TaskCancelledError' });
  }, 60_000);
});

describe('the mediagen command', () => {
  it('generate writes a valid PNG and exits 0', async () => {
    const { code, stderr } = await cli([
      'generate',
      '-m',
      'flux',
      '-p',
      'a lighthouse',
      '-W',
      '512',
      '-H',
      '512',
      '-o',
      'out.png',
    ]);
    expect(code, stderr).toBe(0);
    const meta = await sharp(path.join(dir, 'out.png')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 512]);
  }, 60_000);

  it('an invalid parameter exits non-zero with the server message', async () => {
    const fixed = await cli(['generate', '-m', 'anisora', '-p', 'waves', '--steps', '30']);
    expect(fixed.code).toBe(3);
    expect(fixed.stderr).toMatch(/A fixed parameter of this model was changed \(422 fixed_parameter_violation\)/);
    expect(fixed.stderr).toMatch(/steps: must be 8 for anisora/);
    const typed = await cli(['generate', '-m', 'flux', '-p', 'x', '--steps', 'many', '--json']);
    expect(typed.code).toBe(3);
    expect(JSON.parse(typed.stdout)).toMatchObject({
      error: { code: 'invalid_request', status: 400, details: [{ path: 'steps' }] },
    });
    const unknownModel = await cli(['generate', '-m', 'sdxl', '-p', 'x']);
    expect(unknownModel.code).toBe(3);
    expect((await cli(['generate', '-p', 'x'])).code).toBe(2);
    expect((await cli(['generate', '-m', 'flux', '-p', 'x', '--bogus'])).code).toBe(2);
    expect((await cli(['status', 'nope'])).code).toBe(5);
    expect((await cli(['models'], { MEDIAGEN_API_KEY: 'wrong' })).code).toBe(0); // public route
    expect((await cli(['gallery'], { MEDIAGEN_API_KEY: 'wrong' })).code).toBe(4);
  }, 60_000);

  it('--json, --no-wait, status, wait, download, cancel and gallery', async () => {
    const queued = await cli([
      'generate',
      '-m',
      'pony',
      '-p',
      'a cat',
      '-W',
      '512',
      '-H',
      '512',
      '-s',
      '5',
      '--no-wait',
      '--json',
    ]);
    expect(queued.code, queued.stderr).toBe(0);
    const { task_id: id } = JSON.parse(queued.stdout) as { task_id: string };
    const waited = await cli(['wait', id, '-o', 'cat.png', '--json']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ task_id: id, seed: 5, files: ['cat.png'] });
    const status = JSON.parse((await cli(['status', id, '--json'])).stdout) as { status: string };
    expect(status.status).toBe('completed');
    expect((await cli(['download', id, '-o', 'again.png'])).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'again.png'))).toEqual(fs.readFileSync(path.join(dir, 'cat.png')));
    expect(JSON.parse((await cli(['cancel', id, '--json'])).stdout)).toMatchObject({ status: 'completed' });
    const gallery = JSON.parse((await cli(['gallery', '--type', 'image', '--limit', '50', '--json'])).stdout) as {
      items: Array<{ task_id: string }>;
    };
    expect(gallery.items.map((i) => i.task_id)).toContain(id);
  }, 60_000);
});

describe('packages/client/README.md examples', () => {
  const examples = readmeExamples(path.join(ROOT, 'packages/client/README.md'));
  const env = (): Record<string, string> => ({ MEDIAGEN_URL: server.url, MEDIAGEN_API_KEY: apiKey });

  it.each(['generate', 'events', 'errors', 'gallery'])(
    '%s runs',
    async (name) => {
      const { code, output } = await runExample(name, examples.get(name)!, { env: env(), cwd: dir });
      expect(code, output).toBe(0);
      const expected: Record<string, RegExp> = {
        generate: /saved mediagen-flux-\d+\.png \(image\/png\), seed \d+/,
        events: /done: \/api\/results\/\S+ 17 frames/,
        errors: /fixed_parameter_violation: steps must be 8 for anisora/,
        gallery: /on the first page/,
      };
      expect(output).toMatch(expected[name]!);
    },
    60_000,
  );

  it('webhook-secret, webhook-receiver and webhook-generate work together', async () => {
    const secret = await runExample('webhook-secret', examples.get('webhook-secret')!, { env: env(), cwd: dir });
    expect(secret.output.trim()).toMatch(/^whsec_/);
    const port = await freePort();
    const receiver = startExample('webhook-receiver', examples.get('webhook-receiver')!, {
      env: { MEDIAGEN_WEBHOOK_SECRET: secret.output.trim(), PORT: String(port) },
      cwd: dir,
    });
    try {
      const queued = await runExample('webhook-generate', examples.get('webhook-generate')!, {
        env: { ...env(), WEBHOOK_URL: `http://127.0.0.1:${port}/mediagen` },
        cwd: dir,
      });
      expect(queued.code, queued.output).toBe(0);
      const id = /queued (\S+)/.exec(queued.output)![1]!;
      await waitFor(() => receiver.output().includes(`completed ${id} /api/results/${id}`) || undefined, 60_000, 100);
      const log = await waitFor(async () => {
        const l = await mg.webhookDeliveries(id);
        return l.items[0]?.status === 'delivered' ? l : undefined;
      });
      expect(log.items[0]?.tries.at(-1)).toMatchObject({ response_status: 204, outcome: 'delivered' });
    } finally {
      receiver.child.kill();
    }
  }, 90_000);
});
