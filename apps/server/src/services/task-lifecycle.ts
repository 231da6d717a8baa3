import { API, type TaskStage, type TaskStatus } from '@mediagen/contract';
import { canMoveTask, isTerminal, taskEventFor } from '#domain/task-lifecycle.ts';
import type { Store, TaskRecord, TaskUpdate } from '#ports/store.ts';
import type { TaskEventBus } from '#ports/task-event-bus.ts';

export type TaskPatch = Omit<TaskUpdate, 'status'>;

export interface TaskLifecycleDeps {
  store: Store;
  bus: TaskEventBus;
  now: () => number;
  /** progress of a running task is persisted at most this often (and always the last report of a burst) */
  progressWriteMs?: number;
}

interface PendingProgress {
  task: TaskRecord;
  progress: number;
  stage: TaskStage;
  lastWrite: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The one door through which a task changes state: the transition table is checked, the write is a
 * compare-and-set on the status the caller saw (so two writers — a cancel and a completion, or two
 * gateways — cannot both win), and the matching event is published by the writer that won.
 */
export class TaskLifecycle {
  private readonly terminalHooks: Array<(t: TaskRecord) => Promise<void>> = [];
  private readonly transitionHooks: Array<(t: TaskRecord) => Promise<void>> = [];
  private readonly progress = new Map<string, PendingProgress>();
  private closed = false;

  constructor(private readonly d: TaskLifecycleDeps) {}

  /** Runs after a task this instance moved to a terminal status (credits settle here, once). */
  onTerminal(fn: (t: TaskRecord) => Promise<void>): void {
    this.terminalHooks.push(fn);
  }

  /** Runs after every transition this instance made, terminal ones included (webhooks queue their messages here). */
  onTransition(fn: (t: TaskRecord) => Promise<void>): void {
    this.transitionHooks.push(fn);
  }

  /** Move `task` (as last read) to `to`; undefined when the move is not allowed or someone else moved it first. */
  async transition(task: TaskRecord, to: TaskStatus, patch: TaskPatch = {}): Promise<TaskRecord | undefined> {
    if (!canMoveTask(task.status, to)) return undefined;
    this.dropProgress(task.id);
    const ok = await this.d.store.tasks.update(task.id, { ...patch, status: to }, task.status);
    if (!ok) return undefined;
    const next: TaskRecord = { ...task, ...patch, status: to, updatedAt: this.d.now() };
    this.d.bus.publish(next.ownerId, taskEventFor(next));
    if (isTerminal(to)) for (const hook of this.terminalHooks) await hook(next);
    for (const hook of this.transitionHooks) await hook(next);
    return next;
  }

  /**
   * Progress of a running task: published at once; persisted at most every `progressWriteMs`, and the
   * last report of a burst is always written (a trailing write), so a status read never lags for long.
   */
  reportProgress(task: TaskRecord, progress: number, stage: TaskStage): void {
    this.d.bus.publish(task.ownerId, {
      event: 'progress',
      data: { task_id: task.id, status: 'running', progress, stage },
    });
    const every = this.d.progressWriteMs ?? 250;
    const now = this.d.now();
    const p = this.progress.get(task.id) ?? { task, progress, stage, lastWrite: 0, timer: undefined };
    p.progress = progress;
    p.stage = stage;
    this.progress.set(task.id, p);
    if (now - p.lastWrite >= every) {
      this.writeLater(p);
    } else if (!p.timer) {
      p.timer = setTimeout(() => this.writeLater(p), every - (now - p.lastWrite));
      p.timer.unref();
    }
  }

  /** A new live preview frame (the bytes are in LivePreviews; the event carries the URL to fetch it). */
  publishPreview(task: TaskRecord, seq: number): void {
    this.d.bus.publish(task.ownerId, {
      event: 'preview',
      data: { task_id: task.id, preview_url: `${API.preview(task.id)}?seq=${seq}`, seq },
    });
  }

  /** Persist the latest progress now (before an output is processed, say). */
  async flushProgress(taskId: string): Promise<void> {
    const p = this.progress.get(taskId);
    if (p) await this.writeProgress(p);
  }

  /** On shutdown, before the store closes: write the progress still waiting for its timer, and stop the timers. */
  async close(): Promise<void> {
    const pending = [...this.progress.values()].filter((p) => p.timer);
    this.progress.clear();
    await Promise.all(pending.map((p) => this.writeProgress(p).catch(() => undefined)));
    this.closed = true;
  }

  private writeLater(p: PendingProgress): void {
    // progress is cheap to lose (the next report rewrites it); never let a failed write escape
    this.writeProgress(p).catch(() => undefined);
  }

  private async writeProgress(p: PendingProgress): Promise<void> {
    if (this.closed) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    p.lastWrite = this.d.now();
    // only while it still runs: a late write must never overwrite a finished task
    await this.d.store.tasks.recordProgress(p.task.id, p.progress, p.stage);
  }

  private dropProgress(taskId: string): void {
    const p = this.progress.get(taskId);
    if (p?.timer) clearTimeout(p.timer);
    this.progress.delete(taskId);
  }
}
