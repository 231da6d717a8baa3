import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '#ports/store.ts';
import { createRunnerKit, type RunnerKit } from '#test/fakes/runner-kit.ts';

// Several gateways: a runner drives only the accounts whose lease its gateway holds (ADR 0011).

let kit: RunnerKit;
afterEach(async () => {
  await kit.close();
});

/** The leases as a test sets them: accounts driven, and those that may also start new work. */
function leases() {
  const driven = new Set<string>();
  const noNewWork = new Set<string>();
  return {
    driven,
    noNewWork,
    drive: { drives: (id: string) => driven.has(id), mayStart: (id: string) => driven.has(id) && !noNewWork.has(id) },
  };
}

async function leftRunning(patch: Partial<TaskRecord>): Promise<TaskRecord> {
  const t = await kit.queue();
  await kit.store.tasks.update(t.id, { status: 'running', stage: 'sampling', progress: 35, attempts: 1, ...patch });
  return (await kit.store.tasks.get(t.id))!;
}

describe('JobRunner with account leases', () => {
  it('starts work only on accounts it may start on; another gateway’s running tasks are left alone at start', async () => {
    const l = leases();
    kit = createRunnerKit({ claims: l.drive });
    const mine = await kit.addAccount();
    const theirs = await kit.addAccount();
    const theirsRunning = await leftRunning({ accountId: theirs.id, promptId: null }); // being submitted over there
    const t = await kit.queue();
    l.driven.add(mine.id);
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    expect(run.input).toMatchObject({ taskId: t.id, backend: { id: mine.id } });
    await kit.runner.idle();
    expect(kit.engine.started).toHaveLength(1);
    expect(await kit.store.tasks.get(theirsRunning.id)).toMatchObject({ status: 'running', accountId: theirs.id });
  });

  it('adopting an account (its lease taken over) re-attaches its prompts and re-queues what was never submitted', async () => {
    const l = leases();
    kit = createRunnerKit({ claims: l.drive });
    const gained = await kit.addAccount();
    const withPrompt = await leftRunning({ accountId: gained.id, promptId: 'prompt-4', startedAt: kit.now() });
    const never = await leftRunning({ accountId: gained.id, promptId: null });
    await kit.runner.start();
    await kit.runner.idle();
    expect(kit.engine.started).toEqual([]); // not driven yet
    l.driven.add(gained.id);
    await kit.runner.adopt([gained.id]);
    const run = await kit.engine.nextRun();
    expect(run.input).toMatchObject({ taskId: withPrompt.id, existingPromptId: 'prompt-4' });
    expect(await kit.store.tasks.get(never.id)).toMatchObject({ status: 'queued', accountId: null, promptId: null });
    await kit.runner.adopt([gained.id]); // adopting twice re-attaches nothing twice
    run.complete();
    await kit.untilStatus(withPrompt.id, 'completed');
    expect(kit.engine.started.filter((r) => r.input.taskId === withPrompt.id)).toHaveLength(1);
  });

  it('a lost lease: nothing more starts there, the running task is neither failed nor cancelled, and its end writes nothing', async () => {
    const l = leases();
    kit = createRunnerKit({ claims: l.drive });
    const account = await kit.addAccount();
    l.driven.add(account.id);
    const t = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    await run.submit('prompt-8');
    l.driven.delete(account.id);
    kit.runner.detach([account.id]);
    const next = await kit.queue();
    run.progress(60);
    run.fail(new Error('the socket closed')); // what this gateway sees of a prompt that lives on
    await kit.untilReleased(t.id);
    expect(run.signal.aborted).toBe(false);
    expect(await kit.store.tasks.get(t.id)).toMatchObject({ status: 'running', promptId: 'prompt-8', progress: 0 });
    expect((await kit.store.tasks.get(next.id))?.status).toBe('queued');
    expect(kit.engine.started).toHaveLength(1);
  });

  it('an account above its share takes no new work but keeps its running one (mayStart without drives)', async () => {
    const l = leases();
    kit = createRunnerKit({ claims: l.drive });
    const account = await kit.addAccount();
    l.driven.add(account.id);
    l.noNewWork.add(account.id);
    await kit.queue();
    await kit.runner.start();
    await kit.runner.idle();
    expect(kit.engine.started).toEqual([]);
    expect(kit.runner.busy(account.id)).toBe(false);
  });

  it('settle (a drain) waits until a prompt being submitted has its id stored, so the next holder re-attaches it', async () => {
    kit = createRunnerKit();
    await kit.addAccount();
    const t = await kit.queue();
    await kit.runner.start();
    const run = await kit.engine.nextRun();
    await kit.runner.stop();
    let settled = false;
    const settling = kit.runner.settle(5_000).then(() => (settled = true));
    await kit.runner.idle();
    expect(settled).toBe(false);
    await run.submit('prompt-2');
    await settling;
    expect(await kit.store.tasks.get(t.id)).toMatchObject({ status: 'running', promptId: 'prompt-2' });
    expect(run.signal.aborted).toBe(false);
  });
});
