import { zWebhookLog } from '@mediagen/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostLookupError, type HostResolver, type WebhookRequest } from '#ports/webhook-transport.ts';
import { FakeEngine } from '../fake-engine.ts';
import { ADMIN_KEY, Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';

/**
 * Webhook targets that must never be called. No test here connects anywhere: names resolve through a
 * double, and the transport is a double that records what would have been sent.
 */
const answers: Record<string, string[][]> = {
  'internal.example': [['10.0.0.1']],
  'mixed.example': [['93.184.216.34', '10.0.0.1']],
  'mapped.example': [['::ffff:192.168.1.10']],
  // public when the task is accepted, private when it is delivered (DNS rebinding)
  'rebind.example': [['93.184.216.34'], ['127.0.0.1']],
};
const lookups: string[] = [];
const resolver: HostResolver = {
  async lookup(host) {
    lookups.push(host);
    if (host === 'flaky-dns.example') throw new HostLookupError('temporary', 'looking up flaky-dns.example failed');
    const queue = answers[host];
    if (!queue) throw new HostLookupError('not_found', `${host} does not resolve (ENOTFOUND)`);
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  },
};
const sent: WebhookRequest[] = [];

let strict: TestServer;
let dev: TestServer;

const FLUX = { type: 'image', model: 'flux', mode: 'txt2img', prompt: 'a harbour', width: 512, height: 512, seed: 1 };

async function userWithSecret(server: TestServer): Promise<Client> {
  const admin = new Client(server.url);
  await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  const { access_key } = await json<{ access_key: string }>(await admin.post('/api/admin/users', { name: 'u' }));
  const c = new Client(server.url, { 'x-api-key': access_key });
  expect((await c.post('/api/account/webhook-secret')).status).toBe(201);
  return c;
}

async function refusal(c: Client, webhookUrl: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await c.post('/api/generate', { ...FLUX, webhook_url: webhookUrl });
  return { status: res.status, body: await json(res) };
}

let devUser: Client;
let strictUser: Client;

beforeAll(async () => {
  const overrides = {
    engine: new FakeEngine(),
    hostResolver: resolver,
    webhookTransport: {
      async post(r: WebhookRequest) {
        sent.push(r);
        return { status: 204 };
      },
    },
  };
  // http allowed, nothing allowlisted: every refusal below is about the address
  dev = await startTestServer({ overrides, env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_RETRY_BASE_MS: '50' } });
  strict = await startTestServer({ overrides: { ...overrides, engine: new FakeEngine() } });
  devUser = await userWithSecret(dev);
  strictUser = await userWithSecret(strict);
});

afterAll(async () => {
  await dev?.close();
  await strict?.close();
});

describe('no server-side request forgery through webhook_url', () => {
  it.each([
    ['http://127.0.0.1/', /127\.0\.0\.1, a loopback address/],
    ['http://[::ffff:127.0.0.1]/', /a loopback address/],
    ['http://[::1]:8080/hook', /a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254, a metadata address/],
    ['http://[fd00:ec2::254]/', /a metadata address/],
    ['http://2130706433/', /127\.0\.0\.1, a loopback address/],
    ['http://0.0.0.0:8080/', /unspecified/],
    ['http://100.64.0.1/', /CGNAT/],
    ['http://localhost:3000/', /loopback host/],
    ['http://internal.example/hook', /10\.0\.0\.1, a private address/],
    ['http://mixed.example/hook', /10\.0\.0\.1, a private address/],
    ['http://mapped.example/hook', /::ffff:192\.168\.1\.10, a private address/],
    ['http://nowhere.example/hook', /does not resolve/],
    ['ftp://files.example/', /http or https/],
    ['/relative/path', /absolute URL/],
    ['http://user:pw@hooks.example/', /credentials/],
  ])('%s is a 422 at submit time', async (url, reason) => {
    const { status, body } = await refusal(devUser, url);
    expect(status).toBe(422);
    expect(body).toMatchObject({ code: 'validation_error', details: [{ path: 'webhook_url', message: reason }] });
  });

  it('plain http is refused unless WEBHOOK_ALLOW_HTTP=true', async () => {
    const { status, body } = await refusal(strictUser, 'http://hooks.example/');
    expect(status).toBe(422);
    expect(body).toMatchObject({ details: [{ path: 'webhook_url', message: /https/ }] });
  });

  it('wrong types are 400 (stage 1), refused targets 422 (stage 2)', async () => {
    expect((await refusal(devUser, 42)).status).toBe(400);
    const events = await devUser.post('/api/generate', {
      ...FLUX,
      webhook_url: 'https://hooks.example/',
      webhook_events: ['done'],
    });
    expect(events.status).toBe(400);
    const orphan = await devUser.post('/api/generate', { ...FLUX, webhook_events: ['completed'] });
    expect(orphan.status).toBe(422);
    expect(await json(orphan)).toMatchObject({ details: [{ path: 'webhook_events' }] });
  });

  it('the account default target is checked the same way', async () => {
    const res = await devUser.req('PUT', '/api/account/webhook', { url: 'http://[::ffff:169.254.169.254]/' });
    expect(res.status).toBe(422);
    expect(await json(res)).toMatchObject({ details: [{ path: 'url', message: /metadata/ }] });
    expect((await devUser.req('PUT', '/api/account/webhook', { url: 5 })).status).toBe(400);
  });

  it('a name that turns private after submit (DNS rebinding) is a failed delivery with the reason, never a connection', async () => {
    const res = await devUser.post('/api/generate', { ...FLUX, seed: 2, webhook_url: 'http://rebind.example/hook' });
    expect(res.status).toBe(202);
    const id = (await json<{ task_id: string }>(res)).task_id;
    const log = await waitFor(async () => {
      const l = zWebhookLog.parse(await (await devUser.get(`/api/tasks/${id}/webhooks`)).json());
      return l.items[0]?.status === 'failed' ? l : undefined;
    });
    expect(log.items[0]?.tries).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        response_status: null,
        error: expect.stringMatching(/refused: resolves to 127\.0\.0\.1, a loopback/),
      }),
    ]);
    expect(sent.filter((r) => r.url.includes('rebind.example'))).toHaveLength(0);
  });

  it('a lookup that fails for now is retried at delivery; a public answer is pinned for the connection', async () => {
    const flaky = await devUser.post('/api/generate', { ...FLUX, seed: 3, webhook_url: 'http://flaky-dns.example/' });
    expect(flaky.status).toBe(202);
    const id = (await json<{ task_id: string }>(flaky)).task_id;
    const log = await waitFor(async () => {
      const l = zWebhookLog.parse(await (await devUser.get(`/api/tasks/${id}/webhooks`)).json());
      return (l.items[0]?.tries.length ?? 0) >= 2 ? l : undefined;
    });
    expect(log.items[0]?.tries[0]).toMatchObject({ outcome: 'retry', error: /flaky-dns\.example failed/ });
    // a public address: the transport is asked to connect to exactly that address, for the original URL
    answers['public.example'] = [['93.184.216.34']];
    const ok = await strictUser.post('/api/generate', { ...FLUX, seed: 4, webhook_url: 'https://public.example/in' });
    expect(ok.status).toBe(202);
    const req = await waitFor(() => sent.find((r) => r.url === 'https://public.example/in'));
    expect(req.address).toBe('93.184.216.34');
    expect(req.timeoutMs).toBe(5000);
    expect(req.headers['webhook-signature']).toMatch(/^v1,/);
    expect(lookups).not.toContain('127.0.0.1');
  });
});
