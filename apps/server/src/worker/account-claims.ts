import type { AccountLeases } from '#ports/account-leases.ts';
import type { AccountDrive } from './job-runner.ts';

export interface AccountClaimsDeps {
  leases: AccountLeases;
  /** re-read the accounts from the database (every instance sees every other's status writes this way) */
  refresh: () => Promise<unknown>;
  now: () => number;
  /** how often leases are renewed: a third of their time to live, so two beats may fail before one lapses */
  heartbeatMs: number;
  /** a task runs, or waits to be re-attached, on this account here (such an account is not given away to even the spread) */
  busy: (accountId: string) => boolean;
  /** this instance now drives these accounts: re-attach their prompts, resume an interrupted check */
  onGained: (accountIds: string[]) => Promise<void>;
  /** another instance took these (this one stalled): start nothing more there, fail nothing */
  onLost: (accountIds: string[]) => void;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/**
 * The accounts this gateway instance drives (ADR 0011). On every heartbeat: re-read the accounts, renew this
 * instance's leases, then even the spread: take free or lapsed leases up to a fair share, ceil(accounts / live
 * instances), and give back idle ones above it (a busy one is marked, starts no new work, and goes once idle).
 * An account counts as driven only until its last renewal's time to live runs out on the local clock, so an
 * instance that stalls stops using its accounts before any other can take them.
 */
export class AccountClaims implements AccountDrive {
  private held = new Set<string>();
  private shedding = new Set<string>();
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private draining = false;

  constructor(private readonly d: AccountClaimsDeps) {}

  drives(accountId: string): boolean {
    if (this.d.leases.holdsEveryAccount) return true;
    return this.held.has(accountId) && this.d.now() < this.validUntil;
  }

  mayStart(accountId: string): boolean {
    return !this.draining && !this.shedding.has(accountId) && this.drives(accountId);
  }

  /** The accounts whose lease this instance holds now (health and admin views). */
  heldAccounts(): string[] {
    return [...this.held];
  }

  /** The first heartbeat (its leases taken before the first request is answered), then one every `heartbeatMs`. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.d.heartbeatMs);
    this.timer.unref();
  }

  /** One heartbeat now (also on an `accounts-changed` signal); concurrent calls share one, and one more follows. */
  tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = this.beat()
      .catch((err: unknown) => this.d.log.warn({ err }, 'lease heartbeat failed; retrying on the next one'))
      .finally(() => {
        this.ticking = undefined;
        if (this.again && !this.draining) {
          this.again = false;
          void this.tick();
        }
      });
    return this.ticking;
  }

  /** A drain: renew nothing more and give every lease back at once, so the other instances take the accounts now. */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await this.d.leases.release();
    this.held.clear();
  }

  /** No more beats (the gateway is stopping): nothing more is taken, renewed or given back until `drain`. */
  stop(): void {
    this.draining = true;
    if (this.timer) clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    if (this.draining) return;
    const sentAt = this.d.now();
    await this.d.refresh();
    const beat = await this.d.leases.beat();
    const held = new Set(beat.held);
    const share = Math.ceil(beat.accounts / beat.liveInstances);
    if (!this.d.leases.holdsEveryAccount && held.size < share) {
      for (const id of await this.d.leases.acquire(share - held.size)) held.add(id);
    }
    const excess = held.size - share;
    this.shedding = new Set();
    if (!this.d.leases.holdsEveryAccount && excess > 0) {
      const idle = [...held].filter((id) => !this.d.busy(id)).slice(0, excess);
      await this.d.leases.release(idle);
      for (const id of idle) held.delete(id);
      for (const id of [...held].filter((x) => this.d.busy(x)).slice(0, excess - idle.length)) this.shedding.add(id);
      if (idle.length > 0) this.d.log.info({ accounts: idle, share }, 'gave accounts back to even the spread');
    }
    const lost = [...this.held].filter((id) => !held.has(id) && !beat.held.includes(id));
    const gained = [...held].filter((id) => !this.held.has(id));
    this.held = held;
    this.validUntil = sentAt + this.d.leases.ttlMs;
    if (lost.length > 0) {
      this.d.log.warn({ accounts: lost }, 'lost account leases to another gateway; its running prompts are theirs now');
      this.d.onLost(lost);
    }
    if (gained.length > 0) {
      if (!this.d.leases.holdsEveryAccount) this.d.log.info({ accounts: gained }, 'took account leases');
      await this.d.onGained(gained);
    }
  }
}
