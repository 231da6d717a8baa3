import { expect, vi } from 'vitest';
import type { TaskStatus } from '@mediagen/contract';
import type { TaskRecord } from '#ports/store.ts';
import { JobRunner, type AccountDrive } from '#worker/job-runner.ts';
import { taskRecord } from '../factories.ts';
import { createServiceKit, type ServiceKitOptions } from './service-kit.ts';

export interface RunnerKitOptions extends ServiceKitOptions {
  retryLimit?: number;
  degradedMaxWaitMs?: number;
  noBackendMaxWaitMs?: number;
  /** the accounts this runner's gateway drives (its leases); unset: all of them (one gateway) */
  claims?: AccountDrive;
}

/**
 * A JobRunner on the service kit's fakes. Its one-second timer is pushed out of reach (an hour): tests call
 * `runner.tick()` for what the timer would do and wait on conditions (`runner.idle()`, `untilStatus`), never on time.
 */
export function createRunnerKit(opts: RunnerKitOptions = {}) {
  const kit = createServiceKit({ credits: true, ...opts });
  const runner = new JobRunner({
    store: kit.store,
    files: kit.files,
    media: kit.media,
    engine: kit.engine,
    accounts: kit.accounts,
    images: kit.images,
    lifecycle: kit.lifecycle,
    previews: kit.previews,
    now: kit.now,
    elapsed: kit.now,
    log: kit.log,
    retryLimit: opts.retryLimit ?? 2,
    degradedMaxWaitMs: opts.degradedMaxWaitMs ?? 30_000,
    noBackendMaxWaitMs: opts.noBackendMaxWaitMs ?? 300_000,
    tickMs: 3_600_000,
    ...(opts.claims ? { claims: opts.claims } : {}),
  });

  return {
    ...kit,
    runner,
    /** a queued task in the store, created now (the clock moves 1 ms first, so later tasks queue later) */
    async queue(overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> {
      const at = kit.clock.advance(1);
      const t = taskRecord({ createdAt: at, updatedAt: at, ...overrides });
      expect((await kit.store.tasks.insert({ task: t })).ok).toBe(true);
      return (await kit.store.tasks.get(t.id))!;
    },
    /** waits (polling the store) until the task has this status, and returns it */
    async untilStatus(taskId: string, status: TaskStatus): Promise<TaskRecord> {
      return vi.waitUntil(
        async () => {
          const t = await kit.store.tasks.get(taskId);
          return t?.status === status ? t : undefined;
        },
        { timeout: 5_000, interval: 1 },
      );
    },
    /** waits until the runner has finished with a task (its account is free again) */
    async untilReleased(taskId: string): Promise<void> {
      await vi.waitUntil(() => !runner.runningTaskIds().includes(taskId), { timeout: 5_000, interval: 1 });
      await runner.idle();
    },
    async close(): Promise<void> {
      await runner.stop();
      kit.close();
    },
  };
}

export type RunnerKit = ReturnType<typeof createRunnerKit>;
