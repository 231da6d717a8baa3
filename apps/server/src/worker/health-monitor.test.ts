import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountsService } from '#services/accounts.service.ts';
import { createServiceKit, RecordingLog, type ServiceKit } from '#test/fakes/service-kit.ts';
import { HealthMonitor } from './health-monitor.ts';

let kit: ServiceKit;
afterEach(() => kit.close());

describe('HealthMonitor with several gateways', () => {
  it('checks only the accounts this gateway drives (their lease holders check the others)', async () => {
    kit = createServiceKit();
    const mine = await kit.addAccount({ status: 'pending' });
    const theirs = await kit.addAccount({ status: 'pending' });
    const accounts = new AccountsService({
      store: kit.store,
      engine: kit.engine,
      now: kit.now,
      onReady: () => undefined,
      drives: (id) => id === mine.id,
      log: new RecordingLog(),
    });
    const health = new HealthMonitor({ accounts, now: kit.now });
    try {
      await health.start();
      await vi.waitUntil(async () => (await kit.store.accounts.get(mine.id))?.status === 'ready', { timeout: 5_000 });
      expect((await kit.store.accounts.get(theirs.id))?.status).toBe('pending');
    } finally {
      health.stop();
      accounts.close();
    }
  });
});
