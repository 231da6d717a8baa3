import { workUnits, type TaskStage } from '@mediagen/contract';
import { expiredDegradedJobs, laneAccounts } from '#domain/admission.ts';
import { schedule, type IdleBackend, type QueuedJob } from '#domain/scheduler.ts';
import { nextProgress } from '#domain/task-lifecycle.ts';
import { EngineError, type Engine, type EngineInputs } from '#ports/engine.ts';
import type { AccountRecord, Store, TaskRecord } from '#ports/store.ts';
import type { AccountsService } from '#services/accounts.service.ts';
import type { ReferenceImages } from '#services/reference-images.ts';
import type { TaskEvents } from '#services/task-events.ts';
import type { TaskRunnerControl } from '#services/tasks.service.ts';
import { processOutputs, type OutputDeps } from './output-processing.ts';

export interface Logger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface JobRunnerDeps extends OutputDeps {
  engine: Engine;
  accounts: AccountsService;
  images: ReferenceImages;
  events: TaskEvents;
  log: Logger;
  retryLimit: number;
  agingMs?: number;
  degradedMaxWaitMs: number;
}

interface Running {
  taskId: string;
  accountId: string;
  abort: AbortController;
  lastWrite: number;
  progress: number;
}

/** Claims queued tasks for idle ready accounts, runs them on the engine, stores outputs, publishes events. */
export class JobRunner implements TaskRunnerControl {
  private readonly running = new Map<string, Running>();
  private readonly reattach = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private scheduled = false;

  constructor(private readonly d: JobRunnerDeps) {}

  /** Startup reconciliation: running tasks with a known prompt are re-attached; others go back to the queue. */
  start(): void {
    for (const t of this.d.store.tasks.byStatus(['running'])) {
      if (t.promptId && t.accountId && this.d.store.accounts.get(t.accountId)) {
        this.reattach.set(t.id, t.accountId);
      } else {
        this.d.store.tasks.update(t.id, {
          status: 'queued',
          stage: 'queued',
          progress: 0,
          accountId: null,
          promptId: null,
        });
      }
    }
    this.timer = setInterval(() => {
      this.expireDegraded(this.d.accounts.list());
      this.wake();
    }, 1000);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // leave running tasks as they are: the backend keeps them, and the next start re-attaches
    for (const r of this.running.values()) r.abort.abort(new Error('gateway stopping'));
    const deadline = Date.now() + 5000;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  }

  wake(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  runningCount(): number {
    return this.running.size;
  }

  cancelRunning(taskId: string): boolean {
    const r = this.running.get(taskId);
    if (!r) return false;
    r.abort.abort(new Error('cancelled by user'));
    return true;
  }

  private busyAccounts(): Set<string> {
    return new Set([...this.running.values()].map((r) => r.accountId));
  }

  /** Degraded mode: video jobs that waited past the limit fail with queue_overloaded (SPEC §6). */
  private expireDegraded(all: AccountRecord[]): void {
    if (this.d.store.tasks.queueStats().waitingVideo === 0) return;
    const queued = this.d.store.tasks.queuedSummaries();
    for (const t of expiredDegradedJobs(queued, laneAccounts(all), this.d.now(), this.d.degradedMaxWaitMs)) {
      const message = 'Generation queue is overloaded: no video GPU became free in time';
      if (
        !this.d.store.tasks.update(
          t.id,
          {
            status: 'failed',
            stage: 'done',
            error: message,
            errorCode: 'queue_overloaded',
            retriable: true,
            finishedAt: this.d.now(),
          },
          'queued',
        )
      )
        continue;
      this.d.events.publish({
        event: 'failed',
        data: { task_id: t.id, error: message, code: 'queue_overloaded', retriable: true },
      });
      this.d.log.warn({ taskId: t.id }, 'video job expired in degraded mode');
    }
  }

  private dispatch(): void {
    if (this.stopped) return;
    const accounts = this.d.accounts.list().filter((a) => a.status === 'ready');
    const busy = this.busyAccounts();
    for (const [taskId, accountId] of this.reattach) {
      const acc = accounts.find((a) => a.id === accountId);
      if (!acc || busy.has(accountId)) continue;
      const t = this.d.store.tasks.get(taskId);
      this.reattach.delete(taskId);
      if (t && t.status === 'running') {
        busy.add(accountId);
        void this.execute(t, acc, true);
      }
    }
    const idle: IdleBackend[] = accounts
      .filter((a) => !busy.has(a.id) && ![...this.reattach.values()].includes(a.id))
      .map((a) => {
        const loaded = this.d.engine.loadedModel(a.id);
        return { id: a.id, lane: a.lane, models: a.models, ...(loaded ? { loadedModel: loaded } : {}) };
      });
    if (idle.length === 0) return;
    const jobs: QueuedJob[] = this.d.store.tasks.queuedSummaries();
    if (jobs.length === 0) return;
    const runningByOwner = new Map<string, number>();
    for (const r of this.running.values()) {
      const owner = this.d.store.tasks.get(r.taskId)?.ownerId;
      if (owner) runningByOwner.set(owner, (runningByOwner.get(owner) ?? 0) + 1);
    }
    const videoLaneReady = accounts.some((a) => a.lane === 'video');
    const plan = schedule(jobs, idle, {
      now: this.d.now(),
      agingMs: this.d.agingMs ?? 120_000,
      videoLaneReady,
      runningByOwner,
    });
    for (const { jobId, backendId } of plan) {
      const acc = accounts.find((a) => a.id === backendId);
      const task = this.d.store.tasks.get(jobId);
      if (!acc || !task || task.status !== 'queued') continue;
      const claimed = this.d.store.tasks.update(
        task.id,
        {
          status: 'running',
          stage: 'submitted',
          accountId: acc.id,
          startedAt: this.d.now(),
          attempts: task.attempts + 1,
        },
        'queued',
      );
      if (claimed)
        void this.execute({ ...task, status: 'running', accountId: acc.id, startedAt: this.d.now() }, acc, false);
    }
  }

  private publishProgress(task: TaskRecord, progress: number, stage: TaskStage): void {
    this.d.events.publish({ event: 'progress', data: { task_id: task.id, status: 'running', progress, stage } });
  }

  private async loadInputs(t: TaskRecord): Promise<EngineInputs> {
    const size = { width: t.params.width, height: t.params.height };
    const p = t.params;
    const inputs: EngineInputs = {};
    const reference = p.mode === 'first_last_frame' ? undefined : p.reference_image;
    if (reference) inputs.reference = await this.d.images.load(reference, size);
    if (p.first_frame_image) inputs.first = await this.d.images.load(p.first_frame_image, size);
    if (p.last_frame_image) inputs.last = await this.d.images.load(p.last_frame_image, size);
    return inputs;
  }

  private async execute(task: TaskRecord, acc: AccountRecord, reattach: boolean): Promise<void> {
    const abort = new AbortController();
    const r: Running = {
      taskId: task.id,
      accountId: acc.id,
      abort,
      lastWrite: 0,
      progress: reattach ? task.progress : 0,
    };
    this.running.set(task.id, r);
    this.d.accounts.setRunning(acc.id, task.id);
    const log = { taskId: task.id, accountId: acc.id, model: task.params.model };
    this.d.log.info({ ...log, reattach }, 'job started');
    const started = this.d.now();
    this.publishProgress(task, r.progress, 'submitted');
    try {
      const inputs = await this.loadInputs(task);
      const result = await this.d.engine.run(
        {
          taskId: task.id,
          backend: {
            id: acc.id,
            name: acc.name,
            baseUrl: acc.baseUrl,
            ...(acc.authToken ? { authToken: acc.authToken } : {}),
          },
          params: task.params,
          inputs,
          ...(reattach && task.promptId ? { existingPromptId: task.promptId } : {}),
        },
        {
          onSubmitted: (promptId) => {
            this.d.store.tasks.update(task.id, { promptId });
          },
          onProgress: ({ percent, stage }) => {
            r.progress = nextProgress(r.progress, percent);
            const now = this.d.now();
            // progress is cheap to lose on a crash: persist at most every 500 ms
            if (now - r.lastWrite > 500) {
              r.lastWrite = now;
              this.d.store.tasks.update(task.id, { progress: r.progress, stage });
            }
            this.publishProgress(task, r.progress, stage);
          },
          onPreview: (image, mime) => {
            const seq = this.d.events.setPreview(task.id, image, mime);
            this.d.events.publish({
              event: 'preview',
              data: { task_id: task.id, preview_url: `/api/preview/${task.id}?seq=${seq}`, seq },
            });
          },
        },
        abort.signal,
      );
      this.d.store.tasks.update(task.id, { stage: 'converting', progress: Math.max(r.progress, 99) });
      this.publishProgress(task, Math.max(r.progress, 99), 'converting');
      const finished = this.d.now();
      const inferenceSeconds = (finished - started) / 1000;
      const gpuSeconds = result.executionMs !== undefined ? result.executionMs / 1000 : inferenceSeconds;
      const current = this.d.store.tasks.get(task.id) ?? task;
      const res = await processOutputs(this.d, current, result.files, {
        inferenceSeconds: Math.round(inferenceSeconds * 1000) / 1000,
        gpuSeconds: Math.round(gpuSeconds * 1000) / 1000,
        queueSeconds: Math.round(((current.startedAt ?? started) - current.createdAt) / 10) / 100,
        backend: acc.name,
      });
      this.d.store.tasks.update(task.id, {
        status: 'completed',
        stage: 'done',
        progress: 100,
        result: res,
        finishedAt: this.d.now(),
        gpuMs: Math.round(gpuSeconds * 1000),
      });
      this.d.store.tasks.recordDuration(task.params.model, workUnits(task.params), inferenceSeconds);
      this.d.events.publish({
        event: 'progress',
        data: { task_id: task.id, status: 'completed', progress: 100, stage: 'done' },
      });
      this.d.events.publish({ event: 'completed', data: { task_id: task.id, result: res } });
      this.d.log.info({ ...log, seconds: inferenceSeconds }, 'job completed');
    } catch (err) {
      this.onFailure(task, acc, err, abort.signal);
    } finally {
      this.running.delete(task.id);
      this.d.accounts.setRunning(acc.id, null);
      this.wake();
    }
  }

  private onFailure(task: TaskRecord, acc: AccountRecord, err: unknown, signal: AbortSignal): void {
    const log = { taskId: task.id, accountId: acc.id };
    if (this.stopped) return; // shutdown: keep it running in the store; the next start re-attaches
    const cancelled = signal.aborted || (err instanceof EngineError && err.code === 'cancelled');
    if (cancelled) {
      this.d.store.tasks.update(task.id, { status: 'cancelled', stage: 'done', finishedAt: this.d.now() });
      this.d.events.publish({ event: 'cancelled', data: { task_id: task.id } });
      this.d.log.info(log, 'job cancelled');
      return;
    }
    const engineErr = err instanceof EngineError ? err : undefined;
    const message = err instanceof Error ? err.message : String(err);
    const retriable = engineErr?.retriable ?? false;
    const current = this.d.store.tasks.get(task.id);
    const attempts = current?.attempts ?? task.attempts;
    if (engineErr?.code === 'backend_lost') {
      // the backend died: re-check it (ready → checking → failed until it answers again)
      void this.d.accounts.check(acc.id).catch(() => undefined);
    }
    if (retriable && attempts <= this.d.retryLimit) {
      this.d.store.tasks.update(task.id, {
        status: 'queued',
        stage: 'queued',
        progress: 0,
        accountId: null,
        promptId: null,
      });
      this.d.log.warn({ ...log, attempts, code: engineErr?.code, err: message }, 'job failed on backend; re-queued');
      this.d.events.publish({
        event: 'progress',
        data: { task_id: task.id, status: 'queued', progress: 0, stage: 'queued' },
      });
      return;
    }
    const code = engineErr?.code ?? 'internal_error';
    const text = engineErr ? message : `Internal error while running the job: ${message}`;
    this.d.store.tasks.update(task.id, {
      status: 'failed',
      stage: 'done',
      error: text,
      errorCode: code,
      retriable,
      finishedAt: this.d.now(),
    });
    this.d.events.publish({ event: 'failed', data: { task_id: task.id, error: text, code, retriable } });
    this.d.log.error({ ...log, code, err: engineErr ? message : err }, 'job failed');
  }
}
