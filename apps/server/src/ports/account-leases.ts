/** What one heartbeat found: the leases this instance still holds, and how many gateways and accounts share them. */
export interface LeaseBeat {
  /** accounts whose lease this instance holds (renewed by this beat) */
  held: string[];
  /** gateway instances whose heartbeat is within the lease time to live, this one included */
  liveInstances: number;
  /** accounts in the database (each needs one holder) */
  accounts: number;
}

/**
 * Per-account leases between gateway instances on one database (ADR 0011): each GPU account is driven by the one
 * instance that holds its lease. A lease is renewed on every heartbeat and lapses after the time to live, so an
 * instance that died loses its accounts to the others. Taking a lease is one atomic statement: two instances never
 * hold one account.
 */
export interface AccountLeases {
  /** this instance's id (a new one per process) */
  readonly instanceId: string;
  /** one gateway on its own database (SQLite): it holds every account, always, and nothing here expires */
  readonly holdsEveryAccount: boolean;
  /** milliseconds a lease lives after its last renewal */
  readonly ttlMs: number;
  /** register this instance as alive and renew the leases it holds */
  beat(): Promise<LeaseBeat>;
  /** take up to `max` accounts whose lease is free or lapsed; answers those taken */
  acquire(max: number): Promise<string[]>;
  /** give leases back at once (all of this instance's, and its registration, when no ids are named: a drain) */
  release(accountIds?: string[]): Promise<void>;
}
