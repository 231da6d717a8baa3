import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveGeneration } from '@mediagen/contract';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store, TaskRecord } from '#ports/store.ts';
import type { NewOutboxMessage } from '#ports/webhook-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

const opened: Store[] = [];
function twoGateways(): [Store, Store] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-repo-')), 'db.sqlite');
  const a = openSqliteStore(file);
  const b = openSqliteStore(file);
  opened.push(a, b);
  return [a, b];
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

const message = (n: number, at = 1000): NewOutboxMessage => ({
  id: `msg_${n}`,
  dedupeKey: `task-${n}:final`,
  taskId: `task-${n}`,
  ownerId: 'u1',
  event: 'completed',
  url: 'https://hooks.example/',
  payload: '{}',
  createdAt: at,
});

function task(id: string, status: TaskRecord['status']): TaskRecord {
  return {
    id,
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

describe('SQLite webhook outbox', () => {
  it('one message per dedupe key', async () => {
    const [s] = twoGateways();
    expect(await s.webhooks.enqueue(message(1))).toBe(true);
    expect(await s.webhooks.enqueue({ ...message(1), id: 'msg_other' })).toBe(false);
    expect(await s.webhooks.messages({ limit: 10 })).toHaveLength(1);
  });

  it('two gateways on one database never claim the same message', async () => {
    const [a, b] = twoGateways();
    for (let i = 0; i < 20; i++) await a.webhooks.enqueue(message(i));
    const [fromA, fromB] = await Promise.all([
      a.webhooks.claimDue(5000, 'gw-a', 10_000, 12),
      b.webhooks.claimDue(5000, 'gw-b', 10_000, 12),
    ]);
    const ids = [...fromA, ...fromB].map((m) => m.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(await a.webhooks.claimDue(5000, 'gw-a', 10_000, 12)).toEqual([]);
  });

  it('a lease that runs out (its gateway died mid-send) makes the message claimable again; the old lease cannot record', async () => {
    const [a, b] = twoGateways();
    await a.webhooks.enqueue(message(1));
    const [claimed] = await a.webhooks.claimDue(1000, 'gw-a', 10_000, 1);
    expect(claimed?.status).toBe('sending');
    expect(await b.webhooks.claimDue(5000, 'gw-b', 10_000, 1)).toEqual([]);
    expect(await b.webhooks.nextDueAt()).toBe(11_000);
    const [again] = await b.webhooks.claimDue(11_000, 'gw-b', 10_000, 1);
    expect(again?.id).toBe('msg_1');
    const attempt = {
      messageId: 'msg_1',
      taskId: 'task-1',
      attempt: 1,
      at: 11_500,
      durationMs: 5,
      responseStatus: 200,
      error: null,
      outcome: 'delivered' as const,
    };
    // the dead gateway's late answer is logged but does not move the message
    expect(await a.webhooks.recordAttempt('gw-a', attempt, { status: 'delivered', lastError: null })).toBe(false);
    expect(await b.webhooks.recordAttempt('gw-b', attempt, { status: 'delivered', lastError: null })).toBe(true);
    const [m] = await b.webhooks.messages({ taskId: 'task-1', limit: 5 });
    expect(m).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, finishedAt: 11_500 });
    expect(await b.webhooks.attempts(['msg_1'])).toHaveLength(2);
    expect(await b.webhooks.nextDueAt()).toBeNull();
  });

  it('a retry waits until its time', async () => {
    const [s] = twoGateways();
    await s.webhooks.enqueue(message(1));
    await s.webhooks.claimDue(1000, 'gw', 10_000, 1);
    await s.webhooks.recordAttempt(
      'gw',
      {
        messageId: 'msg_1',
        taskId: 'task-1',
        attempt: 1,
        at: 1100,
        durationMs: 100,
        responseStatus: 500,
        error: 'HTTP 500',
        outcome: 'retry',
      },
      { status: 'pending', nextAttemptAt: 31_100, lastError: 'HTTP 500' },
    );
    expect(await s.webhooks.claimDue(31_000, 'gw', 10_000, 1)).toEqual([]);
    expect(await s.webhooks.nextDueAt()).toBe(31_100);
    expect((await s.webhooks.claimDue(31_100, 'gw', 10_000, 1))[0]).toMatchObject({ attempts: 1 });
  });

  it('finds subscribed tasks that ended without their final message (a crash between the two writes)', async () => {
    const [s] = twoGateways();
    for (const [id, status, events] of [
      ['t-done', 'completed', ['completed']],
      ['t-running', 'running', ['completed']],
      ['t-unwanted', 'cancelled', ['completed']],
      ['t-settled', 'failed', ['failed']],
    ] as const) {
      await s.tasks.insert({ task: task(id, status) });
      await s.webhooks.subscribe({
        taskId: id,
        ownerId: 'u1',
        url: 'https://h.example/',
        events: [...events],
        createdAt: 1,
      });
    }
    await s.webhooks.enqueue({ ...message(9), taskId: 't-settled', dedupeKey: 't-settled:final' }, { settles: true });
    expect(await s.webhooks.unsettledFinished(10)).toEqual(['t-done']);
  });

  it('keeps secrets and the default target per user', async () => {
    const [s] = twoGateways();
    expect(await s.webhooks.account('u1')).toBeUndefined();
    await s.webhooks.setDefault('u1', { url: 'https://h.example/', events: ['failed'], at: 5 });
    await s.webhooks.setSecret('u1', {
      secret: 'whsec_a',
      createdAt: 6,
      previousSecret: null,
      previousSecretUntil: null,
    });
    expect(await s.webhooks.account('u1')).toMatchObject({
      secret: 'whsec_a',
      defaultUrl: 'https://h.example/',
      defaultEvents: ['failed'],
      updatedAt: 6,
    });
  });
});
