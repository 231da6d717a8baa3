import { afterEach, describe, expect, it } from 'vitest';
import { createServiceKit, RecordingLog, type ServiceKit } from '#test/fakes/service-kit.ts';
import { taskRecord } from '#test/factories.ts';
import { AccountsService } from './accounts.service.ts';

let kit: ServiceKit;
afterEach(() => kit.close());

describe('AccountsService', () => {
  it('an account left `checking` by a gateway that stopped mid-check is checked again at start', async () => {
    kit = createServiceKit();
    const stuck = await kit.addAccount({ status: 'checking', statusReason: 'health check running' });
    const ready = await kit.addAccount({ status: 'ready' });
    // an ordinary check cannot start from `checking` (nothing else ever moves it out)
    await expect(kit.accounts.check(stuck.id)).rejects.toMatchObject({ code: 'invalid_transition' });
    await kit.accounts.resumeInterruptedChecks();
    const after = await kit.accounts.check(stuck.id); // joins the resumed check
    expect(after.status).toBe('ready');
    expect(after.lastCheckedAt).toBe(kit.now());
    expect((await kit.store.accounts.get(ready.id))?.lastCheckedAt).toBe(ready.lastCheckedAt); // untouched
  });

  it('several gateways: only the lease holder checks on its own; changes are announced; other GPUs’ jobs are shown', async () => {
    kit = createServiceKit();
    const driven = new Set<string>();
    let announced = 0;
    const here = new AccountsService({
      store: kit.store,
      engine: kit.engine,
      now: kit.now,
      onReady: () => undefined,
      drives: (id) => driven.has(id),
      onChanged: () => void (announced += 1),
      log: new RecordingLog(),
    });
    try {
      const created = await here.create({
        name: 'gpu-x',
        base_url: 'http://gpu-x:8188',
        lane: 'shared',
        models: ['pony'],
      });
      expect(announced).toBe(1);
      await here.refresh();
      expect((await kit.store.accounts.get(created.id))?.status).toBe('pending'); // its holder checks it, not this one
      const stuck = await kit.addAccount({ status: 'checking' });
      await here.resumeInterruptedChecks(); // another gateway's check, maybe still running: not resumed here
      expect((await kit.store.accounts.get(stuck.id))?.status).toBe('checking');
      driven.add(created.id);
      await here.check(created.id); // the holder's check writes the outcome (two status changes, both announced)
      expect((await kit.store.accounts.get(created.id))?.status).toBe('ready');
      expect(announced).toBe(3);
      const busy = await kit.addAccount({ status: 'ready' });
      const t = taskRecord({ createdAt: kit.now(), updatedAt: kit.now() });
      await kit.store.tasks.insert({ task: t });
      await kit.store.tasks.update(t.id, { status: 'running', accountId: busy.id, promptId: 'p-1' });
      await here.refresh();
      expect(here.view(busy).running_task_id).toBe(t.id); // driven by another gateway, read from the database
    } finally {
      here.close();
    }
  });
});
