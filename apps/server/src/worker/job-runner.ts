import { workUnits, type TaskStage } from '@mediagen/contract';
import { schedule, type IdleBackend } from '#domain/scheduler.ts';
import { nextProgress, nextStage } from '#domain/task-lifecycle.ts';
import type { Engine, EngineInputs } from '#ports/engine.ts';
import type { AccountRecord, Store, TaskRecord } from '#ports/store.ts';
import type { AccountsService } from '#services/accounts.service.ts';
import type { LivePreviews } from '#services/live-previews.ts';
import type { ReferenceImages } from '#services/reference-images.ts';
import type { TaskLifecycle } from '#services/task-lifecycle.ts';
import type { TaskRunnerControl } from '#services/tasks.service.ts';
import { processOutputs, type OutputDeps } from './output-processing.ts';
import { EarlyCancels } from './early-cancels.ts';
import { handleJobFailure } from './job-failure.ts';
import { expireOverdueJobs, expireWaitingJobs } from './queue-expiry.ts';

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
  /** the accounts this gateway drives (its leases, ADR 0011); without it, every account (one gateway) */
  claims?: AccountDrive;
  /** a monotonic clock in ms for a job's durations (default performance.now: sub-millisecond, never set back) */
  elapsed?: () => number;
}

/** Which accounts this gateway instance may use (worker/account-claims.ts). */
export interface AccountDrive {
  /** it holds the account's lease: it re-attaches the account's prompts */
  drives(accountId: string): boolean;
  /** … and may start new work on it */
  mayStart(accountId: string): boolean;
}

interface Running {
  task: TaskRecord;
  accountId: string;
  abort: AbortController;
  progress: number;
  stage: TaskStage;
  /** the lease was lost: the account's new holder re-attaches this prompt, so this run writes nothing more */
  detached: boolean;
  /**
   * resolves once the prompt id is stored and the backend has it (the first progress after the id: the engine
   * stores the id before it submits), or the run ended: then whoever drives the account next can re-attach
   */
  submitted: Promise<void>;
  promptStored: boolean;
  markSubmitted: () => void;
  /** the engine answered and the outputs are being stored: a drain lets this finish (it writes the result) */
  storing: Promise<void> | undefined;
}

/** Claims queued tasks for idle ready accounts, runs them on the engine, stores outputs; every state change goes through the lifecycle. */
export class JobRunner implements TaskRunnerControl {
  private readonly running = new Map<string, Running>();
  private readonly reattach = new Map<string, string>();
  private readonly early = new EarlyCancels(() => this.d.now());
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private dispatching: Promise<void> | undefined;
  private again = false;

  constructor(private readonly d: JobRunnerDeps) {}

  /**
   * Startup reconciliation: running tasks whose account is gone go back to the queue (no gateway will drive them
   * again); those of the accounts this instance drives are adopted. Other gateways' running tasks are theirs.
   */
  async start(): Promise<void> {
    const accounts = (await this.d.store.accounts.list()).map((a) => a.id);
    const known = new Set(accounts);
    for (const t of await this.d.store.tasks.byStatus(['running'])) {
      if (!t.accountId || !known.has(t.accountId)) await this.requeue(t);
    }
    await this.adopt(accounts.filter((id) => this.drives(id)));
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.d.log.error({ err }, 'queued-job expiry failed'));
    }, this.d.tickMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  /**
   * This instance now drives these accounts (at start, or leases taken over from a gateway that died or drained):
   * their running tasks with a prompt id are re-attached (the engine collects or follows the prompt, never submits
   * it again); the others were claimed but never submitted, and go back to the queue.
   */
  async adopt(accountIds: string[]): Promise<void> {
    if (accountIds.length === 0) return;
    const ids = new Set(accountIds);
    for (const t of await this.d.store.tasks.byStatus(['running'])) {
      if (!t.accountId || !ids.has(t.accountId) || this.running.has(t.id) || this.reattach.has(t.id)) continue;
      if (t.promptId) this.reattach.set(t.id, t.accountId);
      else await this.requeue(t);
    }
    this.wake();
  }

  /**
   * Another gateway took these accounts (this one stalled past the lease time to live): start nothing more on them
   * and leave their running prompts to the new holder, which re-attaches them. Nothing is failed or cancelled.
   */
  detach(accountIds: string[]): void {
    const ids = new Set(accountIds);
    for (const [taskId, accountId] of this.reattach) if (ids.has(accountId)) this.reattach.delete(taskId);
    for (const r of this.running.values()) if (ids.has(r.accountId)) r.detached = true;
  }

  /** A task runs, or waits to be re-attached, on this account here. */
  busy(accountId: string): boolean {
    for (const r of this.running.values()) if (r.accountId === accountId) return true;
    for (const a of this.reattach.values()) if (a === accountId) return true;
    return false;
  }

  private drives(accountId: string): boolean {
    return this.d.claims?.drives(accountId) ?? true;
  }

  private async requeue(t: TaskRecord): Promise<void> {
    await this.d.lifecycle.transition(t, 'queued', { stage: 'queued', progress: 0, accountId: null, promptId: null });
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

  /**
   * After stop, before this gateway's leases are given back (a drain): a prompt being submitted right now gets its
   * id stored first, so the gateway that takes the account re-attaches it instead of queueing it again; a result
   * being stored is finished here, so the next holder does not store it a second time.
   */
  async settle(maxMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.running.values()].map((r) => r.storing ?? r.submitted)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs))),
    ]);
    clearTimeout(timer);
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
    if (!r) this.early.remember(taskId); // its claim may still be on its way back: the run aborts when it starts
    if (!r || r.detached) return false; // a lost lease: the account's new holder cancels it
    r.abort.abort(new Error('cancelled by user'));
    return true;
  }

  private expireWaiting(): Promise<void> {
    return expireWaitingJobs(this.d);
  }

  private async dispatch(): Promise<void> {
    if (this.stopped) return;
    const ready = this.d.accounts.list().filter((a) => a.status === 'ready');
    // only the accounts whose lease this instance holds; the others are driven by their holders
    const accounts = ready.filter((a) => this.drives(a.id));
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
      .filter(
        (a) =>
          !busy.has(a.id) &&
          !waitingReattach.has(a.id) &&
          (this.d.claims?.mayStart(a.id) ?? true) &&
          !this.d.lanePaused?.(a.lane),
      )
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
    const expired = await expireOverdueJobs(this.d, queued, this.d.accounts.lanes(), this.d.now());
    const jobs = expired.size > 0 ? queued.filter((j) => !expired.has(j.id)) : queued;
    if (jobs.length === 0) return;
    const runningByOwner = new Map<string, number>();
    for (const r of this.running.values())
      runningByOwner.set(r.task.ownerId, (runningByOwner.get(r.task.ownerId) ?? 0) + 1);
    const plan = schedule(jobs, idle, {
      now: this.d.now(),
      agingMs: this.d.agingMs ?? 120_000,
      videoLaneReady: ready.some((a) => a.lane === 'video'),
      runningByOwner,
    });
    for (const { jobId, backendId } of plan) {
      if (this.stopped) return;
      const acc = accounts.find((a) => a.id === backendId);
      const task = await this.d.store.tasks.get(jobId);
      const claimed =
        acc && task?.status === 'queued'
          ? await this.d.lifecycle.transition(task, 'running', {
              stage: 'submitted',
              progress: 0,
              accountId: acc.id,
              startedAt: this.d.now(),
              attempts: task.attempts + 1,
            })
          : undefined;
      if (acc && claimed) void this.execute(claimed, acc, false);
      // another gateway (or a cancel) took the job first: plan again at once rather than leave the GPU idle a tick
      else this.again = true;
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
    let markSubmitted = (): void => undefined;
    const submitted = new Promise<void>((resolve) => (markSubmitted = resolve));
    const r: Running = {
      task,
      accountId: acc.id,
      abort: new AbortController(),
      progress: reattach ? task.progress : 0,
      stage: reattach ? task.stage : 'submitted',
      detached: false,
      submitted,
      promptStored: reattach,
      markSubmitted,
      storing: undefined,
    };
    let stored = (): void => undefined;
    if (reattach) markSubmitted();
    this.running.set(task.id, r);
    if (this.early.take(task.id)) r.abort.abort(new Error('cancelled by user'));
    this.d.accounts.setRunning(acc.id, task.id);
    const log = { taskId: task.id, accountId: acc.id, model: task.params.model };
    this.d.log.info({ ...log, reattach }, 'job started');
    const started = reattach ? (task.startedAt ?? this.d.now()) : this.d.now();
    const clock = this.d.elapsed ?? (() => performance.now());
    const begun = reattach ? undefined : clock(); // a re-attached job began before this process: the wall clock
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
            r.promptStored = true;
          },
          onProgress: ({ percent, stage }) => {
            if (r.promptStored) r.markSubmitted();
            if (this.stopped || r.detached) return;
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
      // shutting down, or the lease was lost: whoever drives the account next collects the result from the backend
      if (this.stopped || r.detached) return;
      r.storing = new Promise<void>((resolve) => (stored = resolve));
      r.progress = Math.max(r.progress, 99);
      this.d.lifecycle.reportProgress(task, r.progress, 'converting');
      const inferenceSeconds = (begun !== undefined ? clock() - begun : this.d.now() - started) / 1000;
      const gpuSeconds = result.executionMs !== undefined ? result.executionMs / 1000 : inferenceSeconds;
      const { result: res, assetIds } = await processOutputs(this.d, task, result.files, {
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
      } else {
        const now = await this.d.store.tasks.get(task.id);
        if (now?.status === 'completed') {
          // another gateway completed it first (this one stalled past its lease while storing): the same files, under
          // the same keys, are the winner's now; only this run's rows go, or the task would list every output twice
          await this.d.store.assets.deleteIds(assetIds);
        } else {
          // erased, or cancelled, while its outputs were being stored: nothing of it may stay behind
          await this.d.store.assets.deleteOfTask(task.id);
          await this.d.files.removePrefix(`media/${task.id}`);
        }
      }
    } catch (err) {
      // shutdown or a lost lease: it stays running in the store; whoever drives the account next re-attaches it
      if (!this.stopped && !r.detached) await handleJobFailure(this.d, task, acc, err, r.abort.signal);
    } finally {
      r.markSubmitted();
      stored();
      this.running.delete(task.id);
      this.d.previews.drop(task.id);
      this.d.accounts.setRunning(acc.id, null);
      this.wake();
    }
  }
}
