import { expiredDegradedJobs, stalledJobs } from '#domain/admission.ts';
import type { Store } from '#ports/store.ts';
import type { AccountsService } from '#services/accounts.service.ts';
import type { TaskLifecycle } from '#services/task-lifecycle.ts';

/**
 * Jobs that can no longer start in time fail, each with its own code: degraded-mode video jobs past the wait limit
 * (queue_overloaded, SPEC §6), and jobs for a model no account is ready for or being checked for, past their bound
 * (no_backend_available). Any gateway may do it: the failure is a compare-and-set from `queued`, and the accounts are
 * the global view every instance re-reads.
 */
export async function expireWaitingJobs(d: {
  store: Store;
  accounts: Pick<AccountsService, 'lanes'>;
  lifecycle: TaskLifecycle;
  now: () => number;
  degradedMaxWaitMs: number;
  noBackendMaxWaitMs: number;
  log: { warn(o: object, m: string): void };
}): Promise<void> {
  const queued = await d.store.tasks.queuedSummaries();
  if (queued.length === 0) return;
  const accounts = d.accounts.lanes();
  const now = d.now();
  const expire = async (
    id: string,
    code: 'queue_overloaded' | 'no_backend_available',
    error: string,
  ): Promise<void> => {
    const t = await d.store.tasks.get(id);
    if (!t) return;
    const failed = await d.lifecycle.transition(t, 'failed', {
      stage: 'done',
      error,
      errorCode: code,
      retriable: true,
      finishedAt: d.now(),
    });
    if (failed) d.log.warn({ taskId: t.id, code }, 'queued job expired');
  };
  const stalled = stalledJobs(queued, accounts, now, d.noBackendMaxWaitMs);
  for (const s of stalled) {
    await expire(s.id, 'no_backend_available', `No GPU backend became ready for ${s.model} in time`);
  }
  const gone = new Set(stalled.map((s) => s.id));
  for (const s of expiredDegradedJobs(queued, accounts, now, d.degradedMaxWaitMs)) {
    if (!gone.has(s.id))
      await expire(s.id, 'queue_overloaded', 'Generation queue is overloaded: no video GPU became free in time');
  }
}
