import type { AccountLeases } from '#ports/account-leases.ts';

/**
 * The lease tables of one database, in memory, for several instances at once (what the PostgreSQL adapter keeps in
 * `gateway_instances` and `account_leases`): each `instance(id)` is the port as that gateway sees it.
 */
export class MemoryLeaseTable {
  readonly leases = new Map<string, { instanceId: string; expiresAt: number }>();
  readonly heartbeats = new Map<string, number>();
  /** instances whose next calls fail (a stalled process, a lost connection) */
  readonly failing = new Set<string>();

  constructor(
    private readonly now: () => number,
    readonly ttlMs: number,
    readonly accounts: () => string[],
  ) {}

  holderOf(accountId: string): string | undefined {
    const l = this.leases.get(accountId);
    return l && l.expiresAt >= this.now() ? l.instanceId : undefined;
  }

  instance(id: string): AccountLeases {
    const guard = (): void => {
      if (this.failing.has(id)) throw new Error(`${id}: the database cannot be reached`);
    };
    return {
      instanceId: id,
      holdsEveryAccount: false,
      ttlMs: this.ttlMs,
      beat: async () => {
        guard();
        const now = this.now();
        this.heartbeats.set(id, now);
        const held: string[] = [];
        for (const [account, l] of this.leases) {
          if (l.instanceId !== id) continue;
          l.expiresAt = now + this.ttlMs;
          held.push(account);
        }
        const live = [...this.heartbeats.values()].filter((at) => at >= now - this.ttlMs).length;
        return { held, liveInstances: Math.max(1, live), accounts: this.accounts().length };
      },
      acquire: async (max) => {
        guard();
        const now = this.now();
        const taken: string[] = [];
        for (const account of this.accounts()) {
          if (taken.length >= max) break;
          const l = this.leases.get(account);
          if (l && l.expiresAt >= now) continue;
          this.leases.set(account, { instanceId: id, expiresAt: now + this.ttlMs });
          taken.push(account);
        }
        return taken;
      },
      release: async (accountIds) => {
        guard();
        for (const [account, l] of this.leases) {
          if (l.instanceId === id && (!accountIds || accountIds.includes(account))) this.leases.delete(account);
        }
        if (!accountIds) this.heartbeats.delete(id);
      },
    };
  }
}
