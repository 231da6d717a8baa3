import { MODEL_LIST, workUnits, type TaskStage } from '@mediagen/contract';
import { expiredDegradedJobs, expiryWindows, stalledJobs, type LaneAccount } from '#domain/admission.ts';
import { schedule, type IdleBackend } from '#domain/scheduler.ts';
import { nextProgress, nextStage } from '#domain/task-lifecycle.ts';
import { EngineError, type Engine, type EngineInputs } from '#ports/engine.ts';
import type { AccountRecord, QueuedSummary, Store, TaskRecord } from '#ports/store.ts';
import type { AccountsService } from '#services/accounts.service.ts';
import type { LivePreviews } from '#services/live-previews.ts';
import type { ReferenceImages } from '#services/reference-images.ts';
import type { TaskLifecycle } from '#services/task-lifecycle.ts';
import { isOutOfSpace } from '#services/storage-health.ts';
import type { TaskRunnerControl } from '#services/tasks.service.ts';
import { OutputWithheldError } from './output-check.ts';
import { processOutputs, type OutputDeps } from './output-processing.ts';

export interface Logger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface JobRunnerDeps extends OutputDeps {
  store: Store;
  engine: Engine;
  accounts: AccountsService;
  images: ReferenceImages;
  lifecycle: TaskLifecycle;
  previews: LivePreviews;
  log: Logger;
  retryLimit: number;
  agingMs?: number;
  degradedMaxWaitMs: number;
  /** how long a job may wait for a model no account can serve before it fails no_backend_available */
  noBackendMaxWaitMs: number;
  /** how often queued work and degraded-mode expiry are looked at without a wake-up (default 1 s) */
  tickMs?: number;
  /** an admin paused this lane: its accounts start no new job */
  lanePaused?: (lane: AccountRecord['lane']) => boolean;
}

interface Running {
  task: TaskRecord;
  accountId: string;
  abort: AbortController;
  progress: number;
  stage: TaskStage;
}

/** Claims queued tasks for idle ready accounts, runs them on the engine, stores outputs; every state change goes through the lifecycle. */
export class JobRunner implements TaskRunnerControl {
  private readonly running = new Map<string, Running>();
  private readonly reattach = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private dispatching: Promise<void> | undefined;
  private again = false;

  constructor(private readonly d: JobRunnerDeps) {}

  /** Startup reconciliation: running tasks with a known prompt are re-attached; others go back to the queue. */
  async start(): Promise<void> {
    for (const t of await this.d.store.tasks.byStatus(['running'])) {
      if (t.promptId && t.accountId && (await this.d.store.accounts.get(t.accountId))) {
        this.reattach.set(t.id, t.accountId);
      } else {
        await this.d.lifecycle.transition(t, 'queued', {
          stage: 'queued',
          progress: 0,
          accountId: null,
          promptId: null,
        });
      }
    }
    this.timer = setInterval(() => void this.tick(), this.d.tickMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  /**
   * Stop claiming work. Running prompts stay on their backends and the tasks stay `running` in the store:
   * the next start re-attaches them (a drain must never cancel a job).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.dispatching;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = this.dispatch()
      .catch((err: unknown) => this.d.log.error({ err }, 'dispatch failed'))
      .finally(() => {
        this.dispatching = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** The timer's work, one tick of it: expire degraded video jobs, then look for work (tests call it instead of waiting). */
  async tick(): Promise<void> {
    await this.expireWaiting().finally(() => this.wake());
  }

  /** Resolves once nothing is being dispatched (tests wait on this instead of sleeping). */
  async idle(): Promise<void> {
    while (this.dispatching) await this.dispatching;
  }

  runningCount(): number {
    return this.running.size;
  }

  runningTaskIds(): string[] {
    return [...this.running.keys()];
  }

  cancelRunning(taskId: string): boolean {
    const r = this.running.get(taskId);
    if (!r) return false;
    r.abort.abort(new Error('cancelled by user'));
    return true;
  }

  /**
   * Jobs that can no longer start in time fail, each with its own code: degraded-mode video jobs past the
   * wait limit (queue_overloaded, SPEC §6), and jobs for a model no account is ready for or being checked
   * for, past their bound (no_backend_available). Only the types where some job could expire are read, and
   * only their jobs older than the bound (an index range), so a long healthy queue costs nothing here.
   */
  private async expireWaiting(): Promise<void> {
    const accounts = this.d.accounts.lanes();
    const now = this.d.now();
    const windows = expiryWindows(MODEL_LIST, accounts, {
      degradedMaxWaitMs: this.d.degradedMaxWaitMs,
      noBackendMaxWaitMs: this.d.noBackendMaxWaitMs,
    });
    for (const w of windows) {
      const old = await this.d.store.tasks.queuedSummaries({ type: w.type, createdBefore: now - w.minAgeMs + 1 });
      await this.expireOverdue(old, accounts, now);
    }
  }

  /** Fails the given queued jobs that can no longer start in time; returns the ids it failed. */
  private async expireOverdue(
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
      const t = await this.d.store.tasks.get(id);
      if (!t) return;
      const failed = await this.d.lifecycle.transition(t, 'failed', {
        stage: 'done',
        error,
        errorCode: code,
        retriable: true,
        finishedAt: this.d.now(),
      });
      if (failed) this.d.log.warn({ taskId: t.id, code }, 'queued job expired');
    };
    for (const s of stalledJobs(queued, accounts, now, this.d.noBackendMaxWaitMs)) {
      await expire(s.id, 'no_backend_available', `No GPU backend became ready for ${s.model} in time`);
    }
    for (const s of expiredDegradedJobs(queued, accounts, now, this.d.degradedMaxWaitMs)) {
      if (!gone.has(s.id))
        await expire(s.id, 'queue_overloaded', 'Generation queue is overloaded: no video GPU became free in time');
    }
    return gone;
  }

  private async dispatch(): Promise<void> {
    if (this.stopped) return;
    const accounts = this.d.accounts.list().filter((a) => a.status === 'ready');
    const busy = new Set([...this.running.values()].map((r) => r.accountId));
    for (const [taskId, accountId] of this.reattach) {
      const acc = accounts.find((a) => a.id === accountId);
      if (!acc || busy.has(accountId)) continue;
      this.reattach.delete(taskId);
      const t = await this.d.store.tasks.get(taskId);
      if (t?.status === 'running') {
        busy.add(accountId);
        void this.execute(t, acc, true);
      }
    }
    const waitingReattach = new Set(this.reattach.values());
    const idle: IdleBackend[] = accounts
      .filter((a) => !busy.has(a.id) && !waitingReattach.has(a.id) && !this.d.lanePaused?.(a.lane))
      .map((a) => {
        const loaded = this.d.engine.loadedModel(a.id);
        const loadedLoras = this.d.engine.loadedLoras?.(a.id);
        // only the models its health check found it ready for, the LoRA files it listed
        return {
          id: a.id,
          lane: a.lane,
          models: this.d.accounts.readyModels(a),
          loras: a.loras,
          ...(loaded ? { loadedModel: loaded } : {}),
          ...(loadedLoras ? { loadedLoras } : {}),
        };
      });
    if (idle.length === 0) return;
    const queued = await this.d.store.tasks.queuedSummaries();
    // the full read finds what the timer's narrow one cannot: jobs held back by a LoRA no account holds
    const expired = await this.expireOverdue(queued, this.d.accounts.lanes(), this.d.now());
    const jobs = expired.size > 0 ? queued.filter((j) => !expired.has(j.id)) : queued;
    if (jobs.length === 0) return;
    const runningByOwner = new Map<string, number>();
    for (const r of this.running.values())
      runningByOwner.set(r.task.ownerId, (runningByOwner.get(r.task.ownerId) ?? 0) + 1);
    const plan = schedule(jobs, idle, {
      now: this.d.now(),
      agingMs: this.d.agingMs ?? 120_000,
      videoLaneReady: accounts.some((a) => a.lane === 'video'),
      runningByOwner,
    });
    for (const { jobId, backendId } of plan) {
      if (this.stopped) return;
      const acc = accounts.find((a) => a.id === backendId);
      const task = await this.d.store.tasks.get(jobId);
      if (!acc || task?.status !== 'queued') continue;
      const claimed = await this.d.lifecycle.transition(task, 'running', {
        stage: 'submitted',
        progress: 0,
        accountId: acc.id,
        startedAt: this.d.now(),
        attempts: task.attempts + 1,
      });
      if (claimed) void this.execute(claimed, acc, false);
    }
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
    const r: Running = {
      task,
      accountId: acc.id,
      abort: new AbortController(),
      progress: reattach ? task.progress : 0,
      stage: reattach ? task.stage : 'submitted',
    };
    this.running.set(task.id, r);
    this.d.accounts.setRunning(acc.id, task.id);
    const log = { taskId: task.id, accountId: acc.id, model: task.params.model };
    this.d.log.info({ ...log, reattach }, 'job started');
    const started = reattach ? (task.startedAt ?? this.d.now()) : this.d.now();
    try {
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
          inputs: await this.loadInputs(task),
          ...(reattach && task.promptId ? { existingPromptId: task.promptId } : {}),
        },
        {
          onSubmitted: async (promptId) => {
            await this.d.store.tasks.update(task.id, { promptId }, 'running');
          },
          onProgress: ({ percent, stage }) => {
            if (this.stopped) return;
            r.progress = nextProgress(r.progress, percent);
            r.stage = nextStage(r.stage, stage);
            this.d.lifecycle.reportProgress(task, r.progress, r.stage);
          },
          onPreview: (image, mime) => {
            const seq = this.d.previews.set(task.id, image, mime);
            this.d.lifecycle.publishPreview(task, seq);
          },
        },
        r.abort.signal,
      );
      if (this.stopped) return; // shutting down: the next start collects the result from the backend
      r.progress = Math.max(r.progress, 99);
      this.d.lifecycle.reportProgress(task, r.progress, 'converting');
      const finished = this.d.now();
      const inferenceSeconds = (finished - started) / 1000;
      const gpuSeconds = result.executionMs !== undefined ? result.executionMs / 1000 : inferenceSeconds;
      const res = await processOutputs(this.d, task, result.files, {
        inferenceSeconds: Math.round(inferenceSeconds * 1000) / 1000,
        gpuSeconds: Math.round(gpuSeconds * 1000) / 1000,
        queueSeconds: Math.round(((task.startedAt ?? started) - task.createdAt) / 10) / 100,
        ...(result.transferMs !== undefined ? { transferSeconds: result.transferMs / 1000 } : {}),
        backend: acc.name,
      });
      const done = await this.d.lifecycle.transition(task, 'completed', {
        stage: 'done',
        progress: 100,
        result: res,
        finishedAt: this.d.now(),
        gpuMs: Math.round(gpuSeconds * 1000),
      });
      if (done) {
        await this.d.store.tasks.recordDuration(task.params.model, workUnits(task.params), inferenceSeconds);
        this.d.log.info({ ...log, seconds: inferenceSeconds }, 'job completed');
      } else if (!(await this.d.store.tasks.get(task.id))) {
        // erased while its outputs were being stored: nothing of it may stay behind
        await this.d.store.assets.deleteOfTask(task.id);
        await this.d.files.removePrefix(`media/${task.id}`);
      }
    } catch (err) {
      await this.onFailure(task, acc, err, r.abort.signal);
    } finally {
      this.running.delete(task.id);
      this.d.previews.drop(task.id);
      this.d.accounts.setRunning(acc.id, null);
      this.wake();
    }
  }

  private async onFailure(task: TaskRecord, acc: AccountRecord, err: unknown, signal: AbortSignal): Promise<void> {
    const log = { taskId: task.id, accountId: acc.id };
    if (this.stopped) return; // shutdown: it stays running in the store; the next start re-attaches
    if (signal.aborted || (err instanceof EngineError && err.code === 'cancelled')) {
      await this.d.lifecycle.transition(task, 'cancelled', { stage: 'done', finishedAt: this.d.now() });
      this.d.log.info(log, 'job cancelled');
      return;
    }
    if (err instanceof OutputWithheldError) {
      // never retried: the same prompt would be checked again; the rest of a batch is dropped with it
      await this.d.lifecycle.transition(task, 'failed', {
        stage: 'done',
        error: 'The output was withheld by the content policy',
        errorCode: 'output_policy_violation',
        retriable: false,
        finishedAt: this.d.now(),
      });
      this.d.log.warn({ ...log, rule: err.rule }, 'job failed: output withheld');
      return;
    }
    const engineErr = err instanceof EngineError ? err : undefined;
    const message = err instanceof Error ? err.message : String(err);
    const retriable = engineErr?.retriable ?? false;
    if (engineErr?.code === 'backend_lost') {
      // the backend died: re-check it (ready → checking → failed until it answers again)
      void this.d.accounts.check(acc.id).catch(() => undefined);
    }
    if (retriable && task.attempts <= this.d.retryLimit) {
      const requeued = await this.d.lifecycle.transition(task, 'queued', {
        stage: 'queued',
        progress: 0,
        accountId: null,
        promptId: null,
      });
      if (requeued)
        this.d.log.warn(
          { ...log, attempts: task.attempts, code: engineErr?.code, err: message },
          'job failed on backend; re-queued',
        );
      return;
    }
    const full = !engineErr && isOutOfSpace(err);
    const code = engineErr?.code ?? (full ? 'storage_full' : 'internal_error');
    const text = engineErr
      ? message
      : full
        ? 'The server ran out of storage while saving the result'
        : `Internal error while running the job: ${message}`;
    await this.d.lifecycle.transition(task, 'failed', {
      stage: 'done',
      error: text,
      errorCode: code,
      retriable,
      finishedAt: this.d.now(),
    });
    this.d.log.error({ ...log, code, err: engineErr ? message : err }, 'job failed');
  }
}
