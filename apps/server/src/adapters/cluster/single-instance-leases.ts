import type { AccountLeases } from '#ports/account-leases.ts';

/** One gateway on its own database (SQLite): it drives every account, and no one can take one from it. */
export function createSingleInstanceLeases(o: { instanceId: string; accountIds: () => string[] }): AccountLeases {
  return {
    instanceId: o.instanceId,
    holdsEveryAccount: true,
    ttlMs: Number.POSITIVE_INFINITY,
    async beat() {
      const held = o.accountIds();
      return { held, liveInstances: 1, accounts: held.length };
    },
    async acquire() {
      return [];
    },
    async release() {},
  };
}
