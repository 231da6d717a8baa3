import { MODEL_LIST } from '@mediagen/contract';
import { expiredDegradedJobs, expiryWindows, stalledJobs, type LaneAccount } from '#domain/admission.ts';
import type { QueuedSummary, Store } from '#ports/store.ts';
import type { AccountsService } from '#services/accounts.service.ts';
import type { TaskLifecycle } from '#services/task-lifecycle.ts';

interface ExpiryDeps {
  store: Store;
  accounts: Pick<AccountsService, 'lanes'>;
  lifecycle: TaskLifecycle;
  now: () => number;
  degradedMaxWaitMs: number;
  noBackendMaxWaitMs: number;
  log: { warn(o: object, m: string): void };
}

/**
 * Jobs that can no longer start in time fail, each with its own code: degraded-mode video jobs past the wait limit
 * (queue_overloaded, SPEC §6), and jobs for a model no account is ready for or being checked for, past their bound
 * (no_backend_available). Only the types where some job could expire are read, and only their jobs older than the
 * bound (an index range), so a long healthy queue costs nothing here. Any gateway may do it: the failure is a
 * compare-and-set from `queued`, and the accounts are the global view every instance re-reads.
 */
export async function expireWaitingJobs(d: ExpiryDeps): Promise<void> {
  const accounts = d.accounts.lanes();
  const now = d.now();
  const windows = expiryWindows(MODEL_LIST, accounts, {
    degradedMaxWaitMs: d.degradedMaxWaitMs,
    noBackendMaxWaitMs: d.noBackendMaxWaitMs,
  });
  for (const w of windows) {
    const old = await d.store.tasks.queuedSummaries({ type: w.type, createdBefore: now - w.minAgeMs + 1 });
    await expireOverdueJobs(d, old, accounts, now);
  }
}

/** Fails the given queued jobs that can no longer start in time; returns the ids it failed. */
export async function expireOverdueJobs(
  d: ExpiryDeps,
  queued: readonly QueuedSummary[],
  accounts: readonly LaneAccount[],
  now: number,
): Promise<Set<string>> {
  const gone = new Set<string>();
  const expire = async (
    id: string,
    code: 'queue_overloaded' | 'no_backend_available',
    error: string,
  ): Promise<void> => {
    gone.add(id);
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
  for (const s of stalledJobs(queued, accounts, now, d.noBackendMaxWaitMs)) {
    await expire(s.id, 'no_backend_available', `No GPU backend became ready for ${s.model} in time`);
  }
  for (const s of expiredDegradedJobs(queued, accounts, now, d.degradedMaxWaitMs)) {
    if (!gone.has(s.id))
      await expire(s.id, 'queue_overloaded', 'Generation queue is overloaded: no video GPU became free in time');
  }
  return gone;
}
