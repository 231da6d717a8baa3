import { AppError } from '#domain/app-error.ts';
import type { Store, TaskRecord } from '#ports/store.ts';

/** One credit = one GPU-second. A job reserves its estimate, is charged its real GPU time, and gets the reservation back. */
export class CreditsService {
  constructor(
    private readonly d: {
      store: Store;
      enabled: boolean;
      now: () => number;
      log: { info(o: object, m: string): void };
    },
  ) {}

  get enabled(): boolean {
    return this.d.enabled;
  }

  /** The hold for a new task (written with the task, atomically); undefined when credits are off. */
  holdFor(estimateSeconds: number): number | undefined {
    return this.d.enabled ? Math.max(1, Math.ceil(estimateSeconds)) : undefined;
  }

  insufficient(amount: number, balance: number): AppError {
    return new AppError(
      'insufficient_credits',
      `This job needs about ${amount} credits (GPU-seconds); your balance is ${balance}`,
      undefined,
      { userAction: 'Ask an administrator for more credits.' },
    );
  }

  /** Settle what is still open after a crash (tasks that ended while no gateway ran, or mid-settle). */
  async reconcile(): Promise<void> {
    if (!this.d.enabled) return;
    for (const open of await this.d.store.credits.open()) {
      const t = await this.d.store.tasks.get(open.taskId);
      if (!t || ['completed', 'failed', 'cancelled'].includes(t.status)) await this.settle(open.taskId, t);
    }
  }

  /** Give back the reservation; on completion charge the real GPU time (rounded up to whole seconds). */
  async settle(taskId: string, task?: TaskRecord): Promise<void> {
    const held = await this.d.store.credits.reservedFor(taskId);
    if (!held || held.settled) return;
    const at = this.d.now();
    await this.d.store.credits.apply({ userId: held.userId, taskId, kind: 'release', amount: held.reserved, at }, true);
    const t = task ?? (await this.d.store.tasks.get(taskId));
    if (t?.status === 'completed') {
      const charge = Math.max(1, Math.ceil((t.gpuMs ?? 0) / 1000));
      await this.d.store.credits.apply({ userId: held.userId, taskId, kind: 'charge', amount: -charge, at }, true);
    }
  }

  async grant(userId: string, amount: number): Promise<number | null> {
    if (!Number.isInteger(amount) || amount === 0) {
      throw new AppError('validation_error', 'amount must be a non-zero integer', [
        { path: 'amount', message: 'must be a non-zero integer' },
      ]);
    }
    // an admin may take credits back, never below zero (reservations and charges may; grants may not)
    const r = await this.d.store.credits.apply(
      { userId, taskId: null, kind: 'grant', amount, at: this.d.now() },
      false,
    );
    if (!r.ok) {
      throw new AppError('validation_error', `This would take the balance (${r.balance ?? 0}) below zero`, [
        { path: 'amount', message: `must be at least ${-(r.balance ?? 0)}` },
      ]);
    }
    return r.balance;
  }
}
