import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine } from '../fake-engine.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

let server: TestServer;
let bomb = '';
// an image model: video admission may answer 503 by design (degraded mode), which is not what this test probes
const VALID: Record<string, unknown> = {
  type: 'image',
  model: 'pony',
  mode: 'img2img',
  prompt: 'a windmill in a field',
  width: 512,
  height: 512,
  seed: -1,
  steps: 30,
  cfg_scale: 6,
  clip_skip: 2,
  sampler: 'Euler a',
  denoising_strength: 0.6,
  output_format: 'png',
  reference_image: '',
};
const FIELDS = [
  ...Object.keys(VALID),
  'negative_prompt',
  'batch_size',
  'num_frames',
  'fps',
  'motion_score',
  'guidance_scale',
  'lighting_variant',
  'vae',
  'reference_strength',
  'denoising_strength',
  'reference_frame_index',
  'first_frame_image',
  'last_frame_image',
  '__proto__',
  'constructor',
];

beforeAll(async () => {
  const engine = new FakeEngine();
  // the one backend runs a job that never ends: accepted jobs stay queued, the test measures the gateway alone
  engine.behaviour = () => ({ steps: 1, stepMs: 1, hang: true });
  server = await startTestServer({
    overrides: { engine },
    env: {
      AUTH_MODE: 'open',
      RATE_LIMIT_GENERATE_PER_MINUTE: '1000000',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '1000000',
      MAX_QUEUE: '100000',
      MAX_QUEUED_PER_USER: '100000',
    },
  });
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } })
    .png()
    .toBuffer();
  const patched = Buffer.from(png);
  patched.writeUInt32BE(60000, 16); // IHDR width
  patched.writeUInt32BE(60000, 20); // IHDR height: a 3.6-gigapixel claim in a tiny file
  bomb = patched.toString('base64');
  VALID.reference_image = png.toString('base64');
});
afterAll(async () => server?.close());

async function send(body: string, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

function expectSane(r: { status: number; json: unknown }): void {
  expect(r.status, JSON.stringify(r.json).slice(0, 300)).toBeLessThan(500);
  if (r.status >= 400) {
    expect(r.json).toMatchObject({
      status: 'error',
      code: expect.any(String),
      error: expect.any(String),
      detail: { code: expect.any(String) },
    });
  }
}

const weird = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    1e308,
    -1e308,
    2 ** 53 + 1,
    -1,
    0,
    4294967296,
    0.5,
    '',
    '\u0000',
    '\ud800',
    'data:image/png;base64,%%%',
    'asset:../../etc/passwd',
  ),
  fc.base64String({ maxLength: 400 }),
);

describe('fuzzing POST /api/generate over HTTP', () => {
  it('random JSON bodies never make a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => expectSane(await send(JSON.stringify(v)))),
      { numRuns: 600 },
    );
  });

  it('mutated valid payloads never make a 5xx', async () => {
    const mutation = fc.array(fc.tuple(fc.constantFrom(...FIELDS), weird), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(mutation, async (muts) => {
        const body: Record<string, unknown> = { ...VALID };
        for (const [k, v] of muts) body[k] = v;
        expectSane(await send(JSON.stringify(body)));
      }),
      { numRuns: 1200 },
    );
  });

  it('deep nesting, huge numbers, broken JSON, odd unicode, broken base64 and bomb images', async () => {
    const cases = [
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      JSON.stringify({ ...VALID, prompt: { a: { b: { c: { d: [[[[[[['x']]]]]]] } } } } }),
      '{"type":"image","width":1e999}',
      '{"type":',
      '\u0000\u0001',
      JSON.stringify({ ...VALID, prompt: '\ud83d\ude00'.repeat(3000) }),
      JSON.stringify({ ...VALID, reference_image: 'not*base64!!' }),
      JSON.stringify({ ...VALID, reference_image: `data:image/png;base64,${bomb}` }),
      JSON.stringify({ ...VALID, reference_image: bomb }),
      JSON.stringify({
        ...VALID,
        reference_image: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64'),
      }),
    ];
    for (const body of cases) {
      const r = await send(body);
      expect(r.status, body.slice(0, 40)).toBeLessThan(500);
      expectSane(r);
    }
    expectSane(await send('a=1&b=2', 'application/x-www-form-urlencoded'));
    expectSane(await send('plain text', 'text/plain'));
  });

  it('the server stays healthy and its memory bounded', async () => {
    const before = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(weird, async (v) => expectSane(await send(JSON.stringify({ ...VALID, prompt: v })))),
      { numRuns: 400 },
    );
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1048576);
  });
});
