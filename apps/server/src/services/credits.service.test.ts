import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '#ports/store.ts';
import { taskRecord } from '#test/factories.ts';
import { createServiceKit, type ServiceKit } from '#test/fakes/service-kit.ts';

let kit: ServiceKit;
afterEach(() => kit.close());

async function setUp(enabled = true): Promise<string> {
  kit = createServiceKit({ credits: enabled });
  return (await kit.addUser({ credits: 100 })).id;
}

/** A task accepted with a hold of `reserve` credits, then started. */
async function runningTask(userId: string, reserve = 10): Promise<TaskRecord> {
  const t = taskRecord({ ownerId: userId, createdAt: kit.now() });
  expect(await kit.store.tasks.insert({ task: t, reserveCredits: reserve })).toEqual({ ok: true });
  return (await kit.lifecycle.transition(t, 'running', { stage: 'sampling' }))!;
}

const balance = async (userId: string): Promise<number | null | undefined> =>
  (await kit.store.users.get(userId))?.credits;
const kinds = async (userId: string): Promise<string[]> =>
  (await kit.store.credits.ledger(userId, 50)).map((e) => `${e.kind} ${e.amount}`).reverse();

describe('CreditsService', () => {
  it('holds a whole number of credits (at least 1) for an estimate; nothing when credits are off', async () => {
    await setUp();
    expect([0.2, 1, 12.1].map((s) => kit.credits.holdFor(s))).toEqual([1, 1, 13]);
    await setUp(false);
    expect(kit.credits.holdFor(12)).toBeUndefined();
  });

  it('on completion releases the hold and charges the real GPU seconds, rounded up, once', async () => {
    const user = await setUp();
    const t = await runningTask(user);
    expect(await balance(user)).toBe(90);
    await kit.lifecycle.transition(t, 'completed', { stage: 'done', gpuMs: 2_500 });
    expect(await balance(user)).toBe(97);
    expect(await kinds(user)).toEqual(['reserve -10', 'release 10', 'charge -3']);
    // settling again (a late duplicate, a reconcile) changes nothing
    await kit.credits.settle(t.id);
    expect(await kinds(user)).toEqual(['reserve -10', 'release 10', 'charge -3']);
    // a second terminal transition is refused, so its hook never runs
    expect(await kit.lifecycle.transition(t, 'failed')).toBeUndefined();
    expect(await balance(user)).toBe(97);
  });

  it('a failed or cancelled task costs nothing: the hold comes back', async () => {
    const user = await setUp();
    await kit.lifecycle.transition(await runningTask(user), 'failed', { error: 'x', errorCode: 'backend_error' });
    await kit.lifecycle.transition(await runningTask(user), 'cancelled');
    expect(await balance(user)).toBe(100);
    expect(await kinds(user)).toEqual(['reserve -10', 'release 10', 'reserve -10', 'release 10']);
  });

  it('a completed task without a GPU time is charged the minimum, 1 credit', async () => {
    const user = await setUp();
    await kit.lifecycle.transition(await runningTask(user), 'completed', { stage: 'done' });
    expect(await balance(user)).toBe(99);
  });

  it('reconciles after a crash: settles holds of tasks that ended or vanished, keeps those still queued or running', async () => {
    const user = await setUp();
    const ended = await runningTask(user);
    const gone = await runningTask(user);
    const stillRunning = await runningTask(user);
    // the gateway died before settling: the store has the end, the ledger still has the holds
    await kit.store.tasks.update(ended.id, { status: 'completed', gpuMs: 4_000 }, 'running');
    await kit.store.tasks.delete(gone.id);
    expect(await balance(user)).toBe(70);
    await kit.credits.reconcile();
    expect(await balance(user)).toBe(100 - 4 - 10);
    expect((await kit.store.credits.open()).map((o) => o.taskId)).toEqual([stillRunning.id]);
    await kit.credits.reconcile();
    expect(await balance(user)).toBe(86);
  });

  it('reconcile does nothing while credits are off', async () => {
    const user = await setUp(false);
    const t = await runningTask(user);
    await kit.store.tasks.update(t.id, { status: 'failed' }, 'running');
    await kit.credits.reconcile();
    expect(await kit.store.credits.open()).toHaveLength(1);
  });

  it('grants a non-zero whole amount (negative to take back); refuses others with 422', async () => {
    const user = await setUp();
    expect(await kit.credits.grant(user, 25)).toBe(125);
    expect(await kit.credits.grant(user, -5)).toBe(120);
    for (const bad of [0, 1.5]) {
      await expect(kit.credits.grant(user, bad)).rejects.toMatchObject({
        code: 'validation_error',
        status: 422,
        details: [{ path: 'amount', message: 'must be a non-zero integer' }],
      });
    }
  });
});
