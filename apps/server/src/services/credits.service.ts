import { AppError } from '#domain/app-error.ts';
import type { Store } from '#ports/store.ts';
import type { TaskEvents } from './task-events.ts';

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

  /** Subscribe to task ends (every terminal path publishes one) and settle what is still open after a crash. */
  attach(events: TaskEvents): void {
    if (!this.d.enabled) return;
    events.subscribeAll((e) => {
      if (e.event === 'completed' || e.event === 'failed' || e.event === 'cancelled') this.settle(e.data.task_id);
    });
    for (const open of this.d.store.credits.open()) {
      const t = this.d.store.tasks.get(open.taskId);
      if (!t || ['completed', 'failed', 'cancelled'].includes(t.status)) this.settle(open.taskId);
    }
  }

  /** 402 when the balance cannot cover the estimate; users with no balance (null) are unlimited. */
  reserve(userId: string, taskId: string, estimateSeconds: number): void {
    if (!this.d.enabled) return;
    const user = this.d.store.users.get(userId);
    if (!user || user.credits === null) return;
    const amount = Math.max(1, Math.ceil(estimateSeconds));
    const r = this.d.store.credits.apply({ userId, taskId, kind: 'reserve', amount: -amount, at: this.d.now() });
    if (!r.ok) {
      throw new AppError(
        'insufficient_credits',
        `This job needs about ${amount} credits (GPU-seconds); your balance is ${user.credits}`,
        undefined,
        { userAction: 'Ask an administrator for more credits.' },
      );
    }
  }

  /** Give back the reservation; on completion charge the real GPU time (rounded up to whole seconds). */
  settle(taskId: string): void {
    const held = this.d.store.credits.reservedFor(taskId);
    if (!held || held.settled) return;
    const at = this.d.now();
    this.d.store.credits.apply({ userId: held.userId, taskId, kind: 'release', amount: held.reserved, at }, true);
    const t = this.d.store.tasks.get(taskId);
    if (t?.status === 'completed') {
      const charge = Math.max(1, Math.ceil((t.gpuMs ?? 0) / 1000));
      this.d.store.credits.apply({ userId: held.userId, taskId, kind: 'charge', amount: -charge, at }, true);
    }
  }

  grant(userId: string, amount: number): number | null {
    if (!Number.isInteger(amount) || amount === 0) {
      throw new AppError('validation_error', 'amount must be a non-zero integer', [
        { path: 'amount', message: 'must be a non-zero integer' },
      ]);
    }
    return this.d.store.credits.apply({ userId, taskId: null, kind: 'grant', amount, at: this.d.now() }, true).balance;
  }
}
