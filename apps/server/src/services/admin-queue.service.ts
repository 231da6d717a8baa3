import type { AdminQueueJobs, Lane } from '@mediagen/contract';
import { AppError, notFound } from '#domain/app-error.ts';
import { lanesFor } from '#domain/scheduler.ts';
import { isTerminal } from '#domain/task-lifecycle.ts';
import type { AccountRecord, Store } from '#ports/store.ts';
import type { LaneControl } from './lane-control.ts';
import type { QueueEstimator } from './queue-estimates.ts';
import type { TaskLifecycle } from './task-lifecycle.ts';
import type { TaskRunnerControl } from './tasks.service.ts';

export interface AdminQueueDeps {
  store: Store;
  accounts: { list(): AccountRecord[] };
  lifecycle: TaskLifecycle;
  runner: TaskRunnerControl & { wake(): void };
  lanes: LaneControl;
  estimates: Pick<QueueEstimator, 'of' | 'changed'>;
  now: () => number;
}

const BY_ADMIN = 'Cancelled by an administrator';

/** The admin's queue: every job with its user, model, lane and age; cancel, move to front, pause a lane. */
export class AdminQueueService {
  constructor(private readonly d: AdminQueueDeps) {}

  async jobs(): Promise<AdminQueueJobs> {
    const now = this.d.now();
    const accounts = this.d.accounts.list();
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const videoLaneReady = accounts.some((a) => a.lane === 'video' && a.status === 'ready');
    const users = new Map((await this.d.store.users.list()).map((u) => [u.id, u.name]));
    const nameOf = async (id: string): Promise<string> => {
      const known = users.get(id);
      if (known) return known;
      const u = await this.d.store.users.get(id);
      return u?.name ?? id;
    };
    const running = await this.d.store.tasks.byStatus(['running']);
    const queued = await this.d.store.tasks.byStatus(['queued']);
    const items: AdminQueueJobs['items'] = [];
    for (const t of running) {
      const acc = t.accountId ? byId.get(t.accountId) : undefined;
      items.push({
        task_id: t.id,
        status: 'running',
        user_id: t.ownerId,
        user_name: await nameOf(t.ownerId),
        model: t.params.model,
        type: t.params.type,
        lane: acc?.lane ?? null,
        account_name: acc?.name ?? null,
        age_seconds: Math.round((now - t.createdAt) / 1000),
        progress: t.progress,
        priority: t.priority ?? 0,
        prompt: t.params.prompt.slice(0, 200),
      });
    }
    const q: AdminQueueJobs['items'] = [];
    for (const t of queued) {
      const e = await this.d.estimates.of(t.id);
      q.push({
        task_id: t.id,
        status: 'queued',
        user_id: t.ownerId,
        user_name: await nameOf(t.ownerId),
        model: t.params.model,
        type: t.params.type,
        lane: lanesFor(t.params.type, videoLaneReady)[0] ?? null,
        account_name: null,
        age_seconds: Math.round((now - t.createdAt) / 1000),
        ...(e ? { queue_position: e.position } : {}),
        progress: 0,
        priority: t.priority ?? 0,
        prompt: t.params.prompt.slice(0, 200),
      });
    }
    q.sort((a, b) => b.priority - a.priority || b.age_seconds - a.age_seconds);
    return { items: [...items, ...q], paused_lanes: this.d.lanes.list() };
  }

  /** Cancel any user's job; the user sees why. */
  async cancel(id: string): Promise<void> {
    const t = await this.d.store.tasks.get(id);
    if (!t) throw notFound();
    if (isTerminal(t.status)) return;
    const patch = {
      stage: 'done' as const,
      error: BY_ADMIN,
      errorCode: 'cancelled_by_admin',
      finishedAt: this.d.now(),
    };
    if (t.status === 'queued' && (await this.d.lifecycle.transition(t, 'cancelled', patch))) return;
    // running: record the reason, then interrupt it on its backend (the runner moves it to cancelled)
    await this.d.store.tasks.update(id, { error: BY_ADMIN, errorCode: 'cancelled_by_admin' }, 'running');
    this.d.runner.cancelRunning(id);
  }

  async moveToFront(id: string): Promise<void> {
    const t = await this.d.store.tasks.get(id);
    if (!t) throw notFound();
    if (!(await this.d.store.tasks.moveToFront(id))) throw new AppError('conflict', 'Only a queued job can be moved');
    this.d.estimates.changed();
    this.d.runner.wake();
  }

  pause(lane: Lane): Promise<Lane[]> {
    return this.d.lanes.pause(lane).finally(() => this.d.estimates.changed());
  }

  resume(lane: Lane): Promise<Lane[]> {
    return this.d.lanes.resume(lane).finally(() => this.d.estimates.changed());
  }
}
