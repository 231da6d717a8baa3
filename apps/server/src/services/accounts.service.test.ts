import { afterEach, describe, expect, it } from 'vitest';
import { createServiceKit, type ServiceKit } from '#test/fakes/service-kit.ts';

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
});
