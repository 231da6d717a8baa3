import type { AccountsService } from '#services/accounts.service.ts';

/**
 * Re-checks the accounts this gateway drives periodically: ready ones every `readyMs`, failed ones with exponential
 * backoff. With several gateways only an account's lease holder checks it (AccountsService.drives); every instance
 * re-reads all accounts each second, so each sees the holders' results.
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private readonly failures = new Map<string, { count: number; nextAt: number }>();

  constructor(
    private readonly d: {
      accounts: AccountsService;
      now: () => number;
      readyMs?: number;
      failedBaseMs?: number;
      failedMaxMs?: number;
    },
  ) {}

  async start(): Promise<void> {
    await this.d.accounts.refresh();
    for (const a of this.d.accounts.list()) {
      if (a.status !== 'disabled' && this.d.accounts.drives(a.id))
        void this.d.accounts.check(a.id).catch(() => undefined);
    }
    // each tick also re-reads the accounts, so changes made by another gateway are seen within a second
    this.timer = setInterval(
      () =>
        void this.d.accounts.refresh().then(
          () => this.tick(),
          () => undefined,
        ),
      1000,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private tick(): void {
    const now = this.d.now();
    for (const a of this.d.accounts.list()) {
      if (a.status === 'disabled' || a.status === 'checking') continue;
      if (!this.d.accounts.drives(a.id)) {
        this.failures.delete(a.id);
        continue;
      }
      if (a.status === 'failed') {
        const f = this.failures.get(a.id) ?? {
          count: 0,
          nextAt: (a.lastCheckedAt ?? 0) + (this.d.failedBaseMs ?? 2000),
        };
        if (now < f.nextAt) {
          this.failures.set(a.id, f);
          continue;
        }
        const count = f.count + 1;
        const delay = Math.min((this.d.failedBaseMs ?? 2000) * 2 ** count, this.d.failedMaxMs ?? 300_000);
        this.failures.set(a.id, { count, nextAt: now + delay });
        void this.d.accounts.check(a.id).catch(() => undefined);
        continue;
      }
      this.failures.delete(a.id);
      const due = (a.lastCheckedAt ?? 0) + (a.status === 'pending' ? 0 : (this.d.readyMs ?? 60_000));
      if (now >= due) void this.d.accounts.check(a.id).catch(() => undefined);
    }
  }
}
