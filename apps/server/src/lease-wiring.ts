// Several gateways on one database (ADR 0011): the account leases and how the instances keep one view of accounts
// and lanes. On SQLite the single-instance adapter holds every account and nothing else changes.
import type { Logger } from 'pino';
import { createPostgresAccountLeases } from '#adapters/cluster/postgres-account-leases.ts';
import { createSingleInstanceLeases } from '#adapters/cluster/single-instance-leases.ts';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import type { AccountLeases } from '#ports/account-leases.ts';
import type { ClusterSignals } from '#ports/cluster-signals.ts';
import type { AccountsService } from '#services/accounts.service.ts';
import type { LaneControl } from '#services/lane-control.ts';
import { AccountClaims } from '#worker/account-claims.ts';
import type { JobRunner } from '#worker/job-runner.ts';
import type { Config } from './config.ts';

export interface LeaseWiring {
  leases: AccountLeases;
  close(): Promise<void>;
}

/** PostgreSQL: leases in the database, on a small pool of their own (a busy store pool never delays a renewal). */
export function openAccountLeases(config: Config, instanceId: string, accountIds: () => string[]): LeaseWiring {
  if (!config.postgresUrl) {
    return { leases: createSingleInstanceLeases({ instanceId, accountIds }), close: async () => undefined };
  }
  const pool = openPostgresPool(config.postgresUrl, 2);
  return {
    leases: createPostgresAccountLeases(pool, { instanceId, ttlMs: config.LEASE_TTL_SECONDS * 1000 }),
    close: () => pool.end(),
  };
}

/**
 * The heartbeat that takes, renews and gives back this instance's accounts; a gained account's running prompts are
 * re-attached and an interrupted check resumed; a lost one's prompts are left to their new holder. Another gateway's
 * `accounts-changed` makes this one re-read accounts (and beat: an account may be new), `lanes-changed` the lanes.
 */
export function wireAccountClaims(d: {
  config: Config;
  leases: AccountLeases;
  accounts: AccountsService;
  runner: JobRunner;
  lanes: LaneControl;
  signals: ClusterSignals;
  now: () => number;
  log: Logger;
}): AccountClaims {
  const claims = new AccountClaims({
    leases: d.leases,
    refresh: () => d.accounts.refresh(),
    now: d.now,
    heartbeatMs: Math.max(250, Math.round((d.config.LEASE_TTL_SECONDS * 1000) / 3)),
    busy: (id) => d.runner.busy(id),
    onGained: async (ids) => {
      await d.runner.adopt(ids);
      await d.accounts.resumeInterruptedChecks(ids);
    },
    onLost: (ids) => d.runner.detach(ids),
    log: d.log.child({ component: 'leases', instanceId: d.leases.instanceId }),
  });
  d.signals.on((s) => {
    if (s.kind === 'accounts-changed') void claims.tick().then(() => d.runner.wake());
    if (s.kind === 'lanes-changed')
      void d.lanes.init().then(
        () => d.runner.wake(),
        () => undefined,
      );
  });
  return claims;
}
