import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveGeneration, type TaskStatusResponse } from '@mediagen/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';
import type { Store, TaskRecord } from '#ports/store.ts';
import type { WebhookAnswer, WebhookRequest } from '#ports/webhook-transport.ts';
import { WebhooksService } from '#services/webhooks.service.ts';
import { WebhookDeliverer } from './webhook-deliverer.ts';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

let clock = 1_000_000;
const now = (): number => clock;
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

function task(status: TaskRecord['status']): TaskRecord {
  return {
    id: `task-${status}`,
    ownerId: 'u1',
    status,
    stage: 'done',
    progress: 100,
    params: resolveGeneration(
      { type: 'image', model: 'flux', mode: 'txt2img', prompt: 'p', width: 512, height: 512, seed: 1 },
      () => 1,
    ),
    estimatedSeconds: 1,
    accountId: null,
    promptId: null,
    attempts: 1,
    error: null,
    errorCode: null,
    retriable: null,
    result: null,
    createdAt: 1,
    updatedAt: 1,
    startedAt: null,
    finishedAt: null,
    gpuMs: null,
  };
}

async function setup(answers: WebhookAnswer[]) {
  const store = openSqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deliverer-')), 'db.sqlite'), now);
  stores.push(store);
  const sent: WebhookRequest[] = [];
  let n = 0;
  const webhooks = new WebhooksService({
    store,
    targets: { refusal: async () => undefined },
    view: async (t) => ({ task_id: t.id, status: t.status }) as TaskStatusResponse,
    now,
    newId: () => String(++n),
    onQueued: () => undefined,
    log,
  });
  const deliverer = new WebhookDeliverer({
    store,
    targets: { resolve: async (url) => ({ ok: true, url, address: '203.0.113.9' }) },
    transport: {
      async post(r) {
        sent.push(r);
        return answers.shift() ?? { status: 204 };
      },
    },
    secrets: (owner) => webhooks.signingSecrets(owner),
    retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
    now,
    random: () => 0.5,
    instanceId: 'gw-test',
    userAgent: 'test',
    log,
  });
  return { store, webhooks, deliverer, sent };
}

describe('webhook delivery', () => {
  it('re-queues at start-up the final event a crash kept out of the outbox, once', async () => {
    const { store, webhooks } = await setup([]);
    await store.webhooks.subscribe({
      taskId: 'task-completed',
      ownerId: 'u1',
      url: 'https://h/',
      events: ['completed'],
      createdAt: 1,
    });
    await store.tasks.insert({ task: task('completed') });
    expect(await webhooks.reconcile()).toBe(1);
    expect(await webhooks.reconcile()).toBe(0);
    const [m] = await store.webhooks.messages({ limit: 5 });
    expect(m).toMatchObject({ event: 'completed', status: 'pending', dedupeKey: 'task-completed:final' });
    expect(JSON.parse(m!.payload)).toEqual({ task_id: 'task-completed', status: 'completed' });
  });

  it('retries with growing waits until the last try, then fails; every try signed and logged', async () => {
    const { store, webhooks, deliverer, sent } = await setup([
      { status: 500 },
      { error: 'socket hang up' },
      { status: 502 },
    ]);
    await webhooks.rotateSecret('u1');
    await store.webhooks.subscribe({
      taskId: 'task-failed',
      ownerId: 'u1',
      url: 'https://h/x',
      events: ['failed'],
      createdAt: 1,
    });
    await webhooks.onTransition(task('failed'));
    const outcomes: string[] = [];
    for (const wait of [0, 1000, 2000]) {
      clock += wait;
      const [m] = await store.webhooks.claimDue(now(), 'gw-test', 15_000, 1);
      expect(m, `due after ${wait} ms`).toBeDefined();
      outcomes.push(await deliverer.deliver(m!));
      expect(await store.webhooks.claimDue(now() + wait * 2 - 1, 'gw-test', 15_000, 1)).toEqual([]);
    }
    expect(outcomes).toEqual(['retry', 'retry', 'failed']);
    expect(sent.map((r) => r.headers['webhook-id'])).toEqual(['msg_1', 'msg_1', 'msg_1']);
    expect(sent.every((r) => /^v1,\S+$/.test(r.headers['webhook-signature'] ?? ''))).toBe(true);
    expect(sent[0]?.address).toBe('203.0.113.9');
    const log = await webhooks.log({ limit: 5 });
    expect(log.items[0]).toMatchObject({ status: 'failed', attempts: 3, last_error: 'HTTP 502' });
    expect(log.items[0]?.tries.map((t) => t.error)).toEqual(['HTTP 500', 'socket hang up', 'HTTP 502']);
  });

  it('a message of a user without a secret fails at once, without a request', async () => {
    const { store, webhooks, deliverer, sent } = await setup([]);
    await store.webhooks.subscribe({
      taskId: 'task-cancelled',
      ownerId: 'u1',
      url: 'https://h/',
      events: ['cancelled'],
      createdAt: 1,
    });
    await webhooks.onTransition(task('cancelled'));
    const [m] = await store.webhooks.claimDue(now(), 'gw-test', 15_000, 1);
    expect(await deliverer.deliver(m!)).toBe('failed');
    expect(sent).toHaveLength(0);
  });

  it('the deliverer loop sends what is queued and stops cleanly', async () => {
    const { store, webhooks, deliverer, sent } = await setup([]);
    await webhooks.rotateSecret('u1');
    await store.webhooks.subscribe({
      taskId: 'task-completed',
      ownerId: 'u1',
      url: 'https://h/',
      events: ['completed'],
      createdAt: 1,
    });
    deliverer.start();
    await webhooks.onTransition(task('completed'));
    deliverer.wake();
    for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await deliverer.stop();
    expect(sent).toHaveLength(1);
    expect((await store.webhooks.messages({ limit: 1 }))[0]?.status).toBe('delivered');
  });
});
