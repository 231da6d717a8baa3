import { isTerminalEvent } from '#domain/task-lifecycle.ts';
import { queueEstimates, type QueueEstimate } from '#domain/queue-estimates.ts';
import type { AccountRecord, QueuedSummary, Store } from '#ports/store.ts';
import type { TaskEventBus } from '#ports/task-event-bus.ts';

export interface QueueEstimatorDeps {
  store: Store;
  bus: TaskEventBus;
  accounts: { list(): AccountRecord[] };
  lanes: { isPaused(lane: AccountRecord['lane']): boolean };
  now: () => number;
  /** estimates are reused this long (status polling stays cheap) */
  cacheMs?: number;
  /** listeners hear of queue changes at most this often */
  debounceMs?: number;
}

interface Snapshot {
  at: number;
  estimates: Map<string, QueueEstimate>;
  queued: QueuedSummary[];
}

/**
 * Queue positions and ETAs of every queued task (domain/queue-estimates over the store's queue, the accounts
 * and what they run), cached briefly; tells listeners when the queue moved (a task was queued, started or ended).
 */
export class QueueEstimator {
  private snapshot: Snapshot | undefined;
  private computing: Promise<Snapshot> | undefined;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private tick: NodeJS.Timeout | undefined;
  private readonly off: () => void;

  constructor(private readonly d: QueueEstimatorDeps) {
    this.off = d.bus.subscribeAll(({ event }) => {
      const moved =
        isTerminalEvent(event) ||
        (event.event === 'progress' &&
          (event.data.status === 'queued' || (event.data.status === 'running' && event.data.stage === 'submitted')));
      if (moved) this.changed();
    });
  }

  /** The queue changed: forget the cached estimates and tell listeners (debounced). */
  changed(): void {
    this.snapshot = undefined;
    if (this.listeners.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const fn of [...this.listeners]) fn();
    }, this.d.debounceMs ?? 250);
    this.timer.unref();
  }

  /** Called after queue moves, and every 10 s while anyone listens (ETAs drift as jobs run). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    if (!this.tick) {
      this.tick = setInterval(() => {
        this.snapshot = undefined;
        for (const l of [...this.listeners]) l();
      }, 10_000);
      this.tick.unref();
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0 && this.tick) {
        clearInterval(this.tick);
        this.tick = undefined;
      }
    };
  }

  async of(taskId: string): Promise<QueueEstimate | undefined> {
    let s = await this.current();
    if (!s.estimates.has(taskId) && this.d.now() - s.at > 50) {
      this.snapshot = undefined; // a task queued after the snapshot was taken
      s = await this.current();
    }
    return s.estimates.get(taskId);
  }

  /**
   * Estimates of one owner's queued tasks. With no GPU free for a task (its lane paused, say) the ETA is the task's
   * own estimate, as `/api/status` and the task list give it: the stream must not take back what the list showed.
   */
  async forOwner(ownerId: string): Promise<Array<{ taskId: string } & QueueEstimate>> {
    const s = await this.current();
    return s.queued
      .filter((q) => q.ownerId === ownerId)
      .flatMap((q) => {
        const e = s.estimates.get(q.id);
        return e ? [{ taskId: q.id, ...e, etaSeconds: e.etaSeconds ?? q.estimatedSeconds }] : [];
      });
  }

  close(): void {
    this.off();
    if (this.timer) clearTimeout(this.timer);
    if (this.tick) clearInterval(this.tick);
  }

  private async current(): Promise<Snapshot> {
    const s = this.snapshot;
    if (s && this.d.now() - s.at < (this.d.cacheMs ?? 250)) return s;
    this.computing ??= this.compute().finally(() => (this.computing = undefined));
    return this.computing;
  }

  private async compute(): Promise<Snapshot> {
    const now = this.d.now();
    const queued = await this.d.store.tasks.queuedSummaries();
    const running = queued.length > 0 ? await this.d.store.tasks.byStatus(['running']) : [];
    const accounts = this.d.accounts.list().filter((a) => a.status !== 'disabled');
    const busy = new Map<string, number>();
    for (const t of running) {
      if (!t.accountId) continue;
      const left = t.estimatedSeconds - (t.startedAt ? (now - t.startedAt) / 1000 : 0);
      busy.set(t.accountId, Math.max(1, left));
    }
    const estimates = queueEstimates(
      queued.map((q) => ({
        id: q.id,
        model: q.model,
        type: q.type,
        createdAt: q.createdAt,
        priority: q.priority ?? 0,
        seconds: q.estimatedSeconds ?? 0,
      })),
      accounts.map((a) => ({
        id: a.id,
        lane: a.lane,
        models: a.models,
        available: a.status === 'ready' && !this.d.lanes.isPaused(a.lane),
        busySeconds: busy.get(a.id) ?? 0,
      })),
      accounts.some((a) => a.lane === 'video' && a.status === 'ready'),
    );
    const snap = { at: now, estimates, queued };
    this.snapshot = snap;
    return snap;
  }
}
