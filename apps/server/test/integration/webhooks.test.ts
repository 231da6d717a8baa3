import { verifyWebhook } from '@mediagen/client';
import { zTaskStatusResponse, zWebhookLog, type WebhookLog } from '@mediagen/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '#ports/engine.ts';
import { FakeEngine } from '../fake-engine.ts';
import { ADMIN_KEY, Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';
import { WebhookReceiver } from '../webhook-receiver.ts';

const engine = new FakeEngine();
const receiver = new WebhookReceiver();
let server: TestServer;
let alice: Client;
let secret: string;

const FLUX = {
  type: 'image',
  model: 'flux',
  mode: 'txt2img',
  prompt: 'a lighthouse at dawn',
  width: 512,
  height: 512,
  seed: 7,
};

async function newUser(name: string): Promise<Client> {
  const admin = new Client(server.url);
  expect((await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY })).status).toBe(200);
  const { access_key } = await json<{ access_key: string }>(await admin.post('/api/admin/users', { name }));
  return new Client(server.url, { 'x-api-key': access_key });
}

async function generate(c: Client, body: Record<string, unknown>): Promise<string> {
  const res = await c.post('/api/generate', body);
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(202);
  return (await json<{ task_id: string }>(res)).task_id;
}

async function deliveryLog(c: Client, taskId: string): Promise<WebhookLog> {
  const res = await c.get(`/api/tasks/${taskId}/webhooks`);
  expect(res.status).toBe(200);
  return zWebhookLog.parse(await res.json());
}

beforeAll(async () => {
  await receiver.start();
  server = await startTestServer({
    overrides: { engine },
    env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '200' },
  });
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await fetch(`${server.url}/api/health`))).accounts.ready === 1 ||
      undefined,
  );
  alice = await newUser('alice');
  const res = await alice.post('/api/account/webhook-secret');
  expect(res.status).toBe(201);
  secret = (await json<{ secret: string }>(res)).secret;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
});

afterAll(async () => {
  await server?.close();
  await receiver.close();
});

describe('webhooks (Standard Webhooks, delivered from the outbox)', () => {
  it("a job's final webhook arrives signed with the account's secret, its body the task's status view", async () => {
    const id = await generate(alice, { ...FLUX, webhook_url: `${receiver.url}/final` });
    const [hook] = await waitFor(() => (receiver.on('/final').length > 0 ? receiver.on('/final') : undefined));
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(hook?.headers['webhook-id']).toMatch(/^msg_/);
    expect(hook?.headers['user-agent']).toMatch(/^MediaGen-Webhooks\//);
    const task = await verifyWebhook(secret, hook!.headers, hook!.body);
    expect(task).toMatchObject({ task_id: id, status: 'completed', progress: 100 });
    expect(task.result?.url).toBe(`/api/results/${id}`);
    // the same view GET /api/status answers
    const status = zTaskStatusResponse.parse(await (await alice.get(`/api/status/${id}`)).json());
    expect(task.result).toEqual(status.result);
    // a wrong secret or a changed body does not verify
    await expect(verifyWebhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAA', hook!.headers, hook!.body)).rejects.toThrow(
      /No signature/,
    );
    await expect(verifyWebhook(secret, hook!.headers, hook!.body.replace('completed', 'failed'))).rejects.toThrow();
    const log = await waitFor(async () => {
      const l = await deliveryLog(alice, id);
      return l.items[0]?.status === 'delivered' ? l : undefined;
    });
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ event: 'completed', attempts: 1, id: hook?.headers['webhook-id'] });
    expect(log.items[0]?.tries).toEqual([expect.objectContaining({ attempt: 1, response_status: 204 })]);
  });

  it('a receiver answering 500 three times, then 200, gets exactly one successful delivery after backoff', async () => {
    receiver.script = [500, 500, 500, 200];
    const id = await generate(alice, { ...FLUX, seed: 8, webhook_url: `${receiver.url}/flaky` });
    const log = await waitFor(async () => {
      const l = await deliveryLog(alice, id);
      return l.items[0]?.status === 'delivered' ? l : undefined;
    });
    const message = log.items[0]!;
    expect(message.tries.map((t) => [t.attempt, t.response_status, t.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 500, 'retry'],
      [4, 200, 'delivered'],
    ]);
    const hits = receiver.on('/flaky');
    expect(hits.map((h) => h.answered)).toEqual([500, 500, 500, 200]);
    expect(new Set(hits.map((h) => h.headers['webhook-id']))).toEqual(new Set([message.id]));
    // exponential backoff: each wait longer than the one before (200, 400, 800 ms ± 20 %)
    const gaps = hits.slice(1).map((h, i) => h.at - hits[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(150);
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]).toBeGreaterThan(gaps[1]!);
    // every try is signed afresh (a new timestamp) and verifies
    for (const h of hits) await verifyWebhook(secret, h.headers, h.body);
  });

  it('sends the chosen events only, each once', async () => {
    const id = await generate(alice, {
      ...FLUX,
      seed: 9,
      webhook_url: `${receiver.url}/all`,
      webhook_events: ['queued', 'running', 'completed'],
    });
    await waitFor(() => receiver.on('/all').length >= 3 || undefined);
    const statuses = await Promise.all(
      receiver.on('/all').map(async (h) => (await verifyWebhook(secret, h.headers, h.body)).status),
    );
    expect(statuses.sort()).toEqual(['completed', 'queued', 'running']);
    const log = await deliveryLog(alice, id);
    expect(log.items.map((m) => m.event).sort()).toEqual(['completed', 'queued', 'running']);
  });

  it('multipart requests take webhook_events as repeated or comma-separated parts', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...FLUX, seed: 14, webhook_url: `${receiver.url}/multipart` })) {
      form.append(k, String(v));
    }
    form.append('webhook_events', 'queued,running');
    form.append('webhook_events', 'completed');
    const res = await alice.post('/api/generate', form);
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(202);
    await waitFor(() => receiver.on('/multipart').length >= 3 || undefined);
    const bad = new FormData();
    for (const [k, v] of Object.entries({ ...FLUX, webhook_url: `${receiver.url}/x`, webhook_events: 'done' })) {
      bad.append(k, String(v));
    }
    expect((await alice.post('/api/generate', bad)).status).toBe(400);
  });

  it('a redirect is not followed and a 410 stops the retries', async () => {
    receiver.script = [302, 410];
    const id = await generate(alice, { ...FLUX, seed: 10, webhook_url: `${receiver.url}/gone` });
    const log = await waitFor(async () => {
      const l = await deliveryLog(alice, id);
      return l.items[0]?.status === 'failed' ? l : undefined;
    });
    expect(log.items[0]?.tries.map((t) => [t.response_status, t.outcome])).toEqual([
      [302, 'retry'],
      [410, 'failed'],
    ]);
    expect(log.items[0]?.tries[0]?.error).toMatch(/redirect to http:\/\/127\.0\.0\.1:9\/elsewhere not followed/);
    expect(receiver.received.filter((r) => r.path === '/elsewhere')).toHaveLength(0);
  });

  it('the account default applies when a generation names no webhook_url; settings are per user', async () => {
    const put = await alice.req('PUT', '/api/account/webhook', { url: `${receiver.url}/default`, events: ['failed'] });
    expect(put.status).toBe(200);
    expect(await json(put)).toMatchObject({ url: `${receiver.url}/default`, events: ['failed'] });
    engine.behaviour = (p) =>
      p.seed === 12
        ? { steps: 1, stepMs: 5, fail: new EngineError('backend_error', 'out of memory', false) }
        : { steps: 4, stepMs: 20 };
    await generate(alice, { ...FLUX, seed: 11 }); // completes: the default asks for `failed` only
    const failing = await generate(alice, { ...FLUX, seed: 12 });
    await waitFor(() => receiver.on('/default').length > 0 || undefined);
    const hook = receiver.on('/default')[0]!;
    expect((await verifyWebhook(secret, hook.headers, hook.body)).task_id).toBe(failing);
    const bob = await newUser('bob');
    expect(await json(await bob.get('/api/account/webhook'))).toEqual({
      url: null,
      events: ['completed', 'failed', 'cancelled'],
      secret_created_at: null,
    });
    // without a secret a webhook cannot be signed: refused up front
    const refused = await bob.post('/api/generate', { ...FLUX, webhook_url: `${receiver.url}/bob` });
    expect(refused.status).toBe(422);
    expect(await json(refused)).toMatchObject({ details: [{ path: 'webhook_url', message: /signing secret/ }] });
    expect((await alice.req('PUT', '/api/account/webhook', { url: null })).status).toBe(200);
  });

  it('a rotated secret: the new one signs, the previous one keeps signing for a day (two signatures)', async () => {
    const rotated = await json<{ secret: string; previous_secret_valid_until: string }>(
      await alice.post('/api/account/webhook-secret'),
    );
    expect(rotated.secret).not.toBe(secret);
    expect(Date.parse(rotated.previous_secret_valid_until)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    await generate(alice, { ...FLUX, seed: 13, webhook_url: `${receiver.url}/rotated` });
    const [hook] = await waitFor(() => (receiver.on('/rotated').length > 0 ? receiver.on('/rotated') : undefined));
    expect(String(hook?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    await verifyWebhook(rotated.secret, hook!.headers, hook!.body);
    await verifyWebhook(secret, hook!.headers, hook!.body);
    secret = rotated.secret;
  });

  it("the delivery log is the owner's (404 for others) and the admin's", async () => {
    const id = (await json<{ items: Array<{ task_id: string }> }>(await alice.get('/api/gallery'))).items[0]!.task_id;
    const mallory = await newUser('mallory');
    expect((await mallory.get(`/api/tasks/${id}/webhooks`)).status).toBe(404);
    const admin = new Client(server.url);
    await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
    const all = zWebhookLog.parse(await (await admin.get('/api/admin/webhooks?limit=500')).json());
    expect(all.items.length).toBeGreaterThanOrEqual(6);
    const failed = zWebhookLog.parse(await (await admin.get('/api/admin/webhooks?status=failed')).json());
    expect(failed.items.every((m) => m.status === 'failed')).toBe(true);
    expect((await alice.get('/api/admin/webhooks')).status).toBe(401);
    // still exactly one successful delivery of the flaky message, long after it
    expect(receiver.on('/flaky').filter((h) => h.answered === 200)).toHaveLength(1);
  });
});
