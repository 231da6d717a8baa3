import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import {
  API,
  IMAGE_FIELDS,
  MAX_PREFER_WAIT_SECONDS,
  checkGenerateRules,
  dropNulls,
  estimateSeconds,
  loraFiles,
  resolveGeneration,
  zGenerateRequest,
  type AcceptedResponse,
  type ErrorDetail,
  type GenerateRequest,
  type ResolvedGeneration,
} from '@mediagen/contract';
import { admit, type AdmissionDecision, type AdmissionLimits } from '#domain/admission.ts';
import { AppError } from '#domain/app-error.ts';
import { withTriggerWords } from '#domain/lora-library.ts';
import { randomSeed } from '#domain/seeds.ts';
import { isTerminalEvent, taskEventFor } from '#domain/task-lifecycle.ts';
import type { Engine } from '#ports/engine.ts';
import type { AcceptResult, QueueBounds, Store, TaskRecord } from '#ports/store.ts';
import type { TaskEventBus } from '#ports/task-event-bus.ts';
import type { AccountsService } from './accounts.service.ts';
import type { CreditsService } from './credits.service.ts';
import type { LorasService } from './loras.service.ts';
import type { PreparedImage, ReferenceImages } from './reference-images.ts';
import { json, type JsonReply } from './replies.ts';
import type { Lang, UploadedFile, UserContext } from './request-context.ts';
import type { StorageHealth } from './storage-health.ts';
import type { TasksService } from './tasks.service.ts';
import type { WebhooksService } from './webhooks.service.ts';

/** What the prompt policy answers (domain/prompt-policy). */
export interface PromptScreen {
  check(
    prompt: string,
    negativePrompt: string,
  ): { allowed: boolean; rule?: string; categories?: readonly PolicyCategory[] };
  /** the refusal's user_action in the request's language, naming the category combination (never the words) */
  userAction(categories: readonly PolicyCategory[], lang: Lang): string;
}

export type PolicyCategory = 'minor' | 'sexual' | 'always';

export interface GenerationDeps {
  store: Store;
  bus: TaskEventBus;
  engine: Pick<Engine, 'ignoredParams'>;
  images: ReferenceImages;
  accounts: Pick<AccountsService, 'lanes'>;
  credits: CreditsService;
  tasks: Pick<TasksService, 'view'>;
  policy: PromptScreen;
  admission: AdmissionLimits;
  /** reference images with the prompt: 422 reference_policy_violation for an explicit one with a minor indicator */
  checkReferences?: (prompt: string, images: () => Promise<Buffer[]>) => Promise<void>;
  storage: Pick<StorageHealth, 'assertWritable' | 'noteWriteFailure' | 'full'>;
  /** MAX_USER_STORAGE_MB in bytes; undefined = no quota */
  maxUserStorageBytes?: number;
  sizes: readonly number[];
  now: () => number;
  log: { warn(o: object, m: string): void };
  /** a hook the worker uses to wake up */
  /** after the commit: wake the worker, queue the `queued` webhook (when the task has one), note the prompt */
  onAccepted: (task: TaskRecord, hasWebhook: boolean) => void;
  /** webhook_url / webhook_events: checked (422), then subscribed before the task row is written */
  webhooks: Pick<WebhooksService, 'planFor' | 'subscribe'>;
  /** `loras`: resolved against the library (422 naming the entry) */
  loras: Pick<LorasService, 'resolveFor'>;
}

/** zod issues of stage 1 as error details (400 invalid_request). */
export function issuesToDetails(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code: string; keys?: string[] }>,
): ErrorDetail[] {
  return issues.map((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys' && i.keys) return { path: i.keys.join(','), message: 'unknown field' };
    return { path: path || '(body)', message: i.message };
  });
}

/** Stage 1 + 2 of SPEC §3: 400 for shape/type/enum problems, 422 for broken rules. */
export function parseGenerateBody(body: unknown, sizes: readonly number[]): GenerateRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('invalid_request', 'The body must be a JSON object');
  }
  const parsed = zGenerateRequest.safeParse(dropNulls(body));
  if (!parsed.success) {
    throw new AppError(
      'invalid_request',
      'The request is missing fields or has fields of the wrong type',
      issuesToDetails(parsed.error.issues),
    );
  }
  const rules = checkGenerateRules(parsed.data, { sizes });
  if (rules.fixed.length > 0) {
    throw new AppError('fixed_parameter_violation', 'A fixed parameter of this model was changed', [
      ...rules.fixed,
      ...rules.invalid,
    ]);
  }
  if (rules.invalid.length > 0)
    throw new AppError('validation_error', 'Some values break the rules of this model', rules.invalid);
  return parsed.data;
}

/** The request as its idempotency key remembers it: uploaded files by content, not by temp path. */
async function requestHash(req: GenerateRequest, uploads: readonly UploadedFile[]): Promise<string> {
  const files = await Promise.all(
    uploads.map(async (u) => [
      u.field,
      crypto
        .createHash('sha256')
        .update(await fsp.readFile(u.path))
        .digest('hex'),
    ]),
  );
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([req, files]))
    .digest('hex');
}

/** `Prefer: wait=N` (RFC 7240), capped. */
export function preferWaitSeconds(header: string | undefined): number {
  const m = /(?:^|[,;\s])wait=(\d+)/.exec(header ?? '');
  return m ? Math.min(Number(m[1]), MAX_PREFER_WAIT_SECONDS) : 0;
}

export interface SubmitOptions {
  uploads: readonly UploadedFile[];
  idempotencyKey?: string;
  preferWait: number;
}

/** POST /api/generate: validate, screen, admit, commit, answer (SPEC §2–§4). */
export class GenerationService {
  constructor(private readonly d: GenerationDeps) {}

  async accepted(task: TaskRecord): Promise<AcceptedResponse> {
    return {
      status: task.status === 'running' ? 'running' : 'queued',
      job_id: task.id,
      task_id: task.id,
      queue_position: await this.d.store.tasks.queuePosition(task.id),
      estimated_seconds: task.estimatedSeconds,
      status_url: API.status(task.id),
      events_url: API.events(task.id),
      seed: task.params.seed,
    };
  }

  async submit(ctx: UserContext, body: unknown, o: SubmitOptions): Promise<JsonReply> {
    const key = o.idempotencyKey;
    if (key !== undefined && (key.length === 0 || key.length > 200)) {
      throw new AppError('invalid_request', 'Idempotency-Key must be 1–200 characters');
    }
    // validate first: only a well-shaped (bounded) request is hashed or stored
    const req = parseGenerateBody(body, this.d.sizes);
    this.d.storage.assertWritable();
    const hash = key ? await requestHash(req, o.uploads) : '';
    if (key) {
      const prior = await this.d.store.tasks.findIdempotent(ctx.user.id, key);
      if (prior) return this.replay(ctx.user.id, prior, hash, o.preferWait);
    }
    const webhook = await this.d.webhooks.planFor(ctx.user.id, req);
    const lora = await this.d.loras.resolveFor(ctx.user.id, req);
    const prepared: PreparedImage[] = [];
    const resolvedReq: GenerateRequest = { ...req };
    for (const field of IMAGE_FIELDS) {
      const value = req[field];
      if (value === undefined) continue;
      const r = await this.d.images.resolve(ctx.user.id, field, value, o.uploads);
      resolvedReq[field] = r.ref;
      if (r.prepared) prepared.push(r.prepared);
    }
    const params = resolveGeneration(resolvedReq, () => randomSeed(() => crypto.randomBytes(4).readUInt32BE(0)));
    if (lora.loras.length > 0) params.loras = lora.loras;
    params.ignored_params = [...params.ignored_params, ...this.d.engine.ignoredParams(params)];
    // a template that cannot take LoRAs reports them ignored: the job then needs no backend holding them
    if (params.ignored_params.some((p) => p.param === 'loras')) delete params.loras;
    else params.prompt = withTriggerWords(params.prompt, lora.triggerWords);
    this.screen(ctx, params);
    await this.d.checkReferences?.(params.prompt, () => this.referenceBytes(params, prepared));
    const bounds = await this.admit(ctx.user.id, params);
    await this.checkQuota(ctx.user.id, prepared);
    const task = await this.newTask(ctx.user.id, params);
    if (webhook) await this.d.webhooks.subscribe(task, webhook);
    const hold = this.d.credits.holdFor(task.estimatedSeconds);
    let result: AcceptResult;
    try {
      await this.d.images.persist(prepared);
      result = await this.d.store.tasks.insert({
        task,
        ...(key ? { idempotency: { key, requestHash: hash } } : {}),
        ...(hold !== undefined ? { reserveCredits: hold } : {}),
        assets: prepared.map((p) => p.asset),
        bounds,
      });
    } catch (err) {
      await this.d.images.discard(prepared);
      if (this.d.storage.noteWriteFailure(err)) throw this.d.storage.full('a write failed for lack of space');
      throw err;
    }
    if (!result.ok) {
      await this.d.images.discard(prepared);
      if (result.reason === 'insufficient_credits') throw this.d.credits.insufficient(hold ?? 0, result.balance);
      if (result.reason === 'queue_bound') throw this.refusal(this.admission(params, result, 0));
      // a concurrent request with the same key won: answer as its replay
      return this.replay(ctx.user.id, { taskId: result.taskId, requestHash: result.requestHash }, hash, o.preferWait);
    }
    this.d.bus.publish(task.ownerId, taskEventFor(task));
    this.d.onAccepted(task, webhook !== undefined);
    return this.answer(task, o.preferWait, false);
  }

  private screen(ctx: UserContext, params: ResolvedGeneration): void {
    const verdict = this.d.policy.check(params.prompt, params.negative_prompt);
    if (verdict.allowed) return;
    // the rule and the user, never the prompt
    this.d.log.warn({ userId: ctx.user.id, rule: verdict.rule, reqId: ctx.requestId }, 'prompt refused by policy');
    throw new AppError(
      'prompt_policy_violation',
      'This prompt is refused: content that sexualises minors is not allowed',
      [{ path: 'prompt', message: 'violates the content policy' }],
      { userAction: this.d.policy.userAction(verdict.categories ?? [], ctx.lang) },
    );
  }

  /**
   * Bounded admission on the counters as they are now; the bounds it returns go with the insert, which checks them
   * again inside its transaction (requests running concurrently all pass this first check).
   */
  private async admit(ownerId: string, params: ResolvedGeneration): Promise<QueueBounds> {
    // read together: on PostgreSQL each is a round trip
    const [q, ownerQueued] = await Promise.all([
      this.d.store.tasks.queueStats(),
      this.d.store.tasks.countQueuedOf(ownerId),
    ]);
    const decision = this.admission(
      params,
      {
        queuedOfType: params.type === 'video' ? q.waitingVideo : q.queued - q.waitingVideo,
        ownerQueued,
        waitingVideo: q.waitingVideo,
      },
      q.oldestVideoCreatedAt === null ? 0 : this.d.now() - q.oldestVideoCreatedAt,
    );
    if (!decision.ok) throw this.refusal(decision);
    const limits = this.d.admission;
    return {
      ofOwner: limits.maxQueuedPerUser,
      ofType: limits.maxQueue,
      ...(decision.degraded ? { waitingVideo: limits.degradedMaxWaiting } : {}),
    };
  }

  private admission(
    params: ResolvedGeneration,
    counts: { queuedOfType: number; ownerQueued: number; waitingVideo: number },
    oldestVideoWaitMs: number,
  ): AdmissionDecision {
    return admit({
      type: params.type,
      model: params.model,
      loras: (params.loras ?? []).map((l) => ({ name: l.name, files: loraFiles(l) })),
      accounts: this.d.accounts.lanes(),
      queuedOfType: counts.queuedOfType,
      ownerQueued: counts.ownerQueued,
      waitingVideo: counts.waitingVideo,
      oldestVideoWaitMs,
      limits: this.d.admission,
    });
  }

  private refusal(decision: AdmissionDecision): AppError {
    if (decision.ok) {
      // the transaction's counts passed the bounds the domain then accepts: a bound moved between the two reads
      return new AppError('queue_overloaded', 'The queue filled up while this job was being admitted', undefined, {
        retryAfterSeconds: 5,
        userAction: 'Retry later.',
      });
    }
    const details = decision.lora
      ? [{ path: `loras.${decision.lora.index}.name`, message: `no ready backend holds "${decision.lora.name}"` }]
      : undefined;
    return new AppError(decision.code, decision.reason, details, {
      retryAfterSeconds: decision.retryAfterSeconds,
      userAction: 'Retry later.',
    });
  }

  /** The job's reference images: new ones from memory, earlier uploads (asset:<id>) from their files. */
  private async referenceBytes(params: ResolvedGeneration, prepared: readonly PreparedImage[]): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (const field of IMAGE_FIELDS) {
      const ref = params[field];
      if (typeof ref !== 'string' || !ref.startsWith('asset:')) continue;
      const id = ref.slice('asset:'.length);
      const fresh = prepared.find((p) => p.asset.id === id);
      if (fresh) out.push(fresh.png);
      else out.push(await this.d.images.load(ref, { width: params.width, height: params.height }));
    }
    return out;
  }

  /** MAX_USER_STORAGE_MB: what the user keeps plus the new references must fit. */
  private async checkQuota(ownerId: string, prepared: readonly PreparedImage[]): Promise<void> {
    if (this.d.maxUserStorageBytes === undefined) return;
    const used = await this.d.store.assets.bytesOfOwner(ownerId);
    const adding = prepared.reduce((n, p) => n + p.asset.bytes, 0);
    if (used + adding > this.d.maxUserStorageBytes) {
      const mb = (b: number): number => Math.ceil(b / 1048576);
      throw new AppError(
        'storage_quota_exceeded',
        `Your stored media (${mb(used)} MB) has reached the quota of ${mb(this.d.maxUserStorageBytes)} MB`,
      );
    }
  }

  private async newTask(ownerId: string, params: ResolvedGeneration): Promise<TaskRecord> {
    const measured = await this.d.store.tasks.measuredSecondsPerUnit(params.model);
    const now = this.d.now();
    return {
      id: crypto.randomUUID(),
      ownerId,
      status: 'queued',
      stage: 'queued',
      progress: 0,
      params,
      estimatedSeconds: estimateSeconds(params, measured),
      accountId: null,
      promptId: null,
      attempts: 0,
      error: null,
      errorCode: null,
      retriable: null,
      result: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
      gpuMs: null,
    };
  }

  private async replay(
    ownerId: string,
    prior: { taskId: string; requestHash: string },
    hash: string,
    preferWait: number,
  ): Promise<JsonReply> {
    if (prior.requestHash !== hash)
      throw new AppError('conflict', 'This Idempotency-Key was used with a different request');
    const task = await this.d.store.tasks.get(prior.taskId);
    if (task?.ownerId !== ownerId)
      throw new AppError('conflict', 'This Idempotency-Key names a task that no longer exists');
    return this.answer(task, preferWait, true);
  }

  /** 202 with the accepted body; with `Prefer: wait` the task's end (200) if it comes in time. */
  private async answer(task: TaskRecord, preferWait: number, replay: boolean): Promise<JsonReply> {
    let current = task;
    if (preferWait > 0) current = await this.waitForEnd(task, preferWait);
    const headers: Record<string, string> = { location: API.status(task.id) };
    if (replay) headers['idempotent-replay'] = 'true';
    if (current.status === 'completed' && current.result) return json(200, current.result, { headers });
    if (current.status === 'failed' || current.status === 'cancelled') {
      return json(200, await this.d.tasks.view(current), { headers });
    }
    // a replay reports where the task is now, not where it was when first accepted
    return json(202, await this.accepted(current), { headers });
  }

  private async waitForEnd(task: TaskRecord, seconds: number): Promise<TaskRecord> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, seconds * 1000);
      const off = this.d.bus.subscribe(task.id, (e) => {
        if (isTerminalEvent(e)) done();
      });
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
      // it may have ended before the subscription
      void this.d.store.tasks.get(task.id).then((t) => {
        if (t && t.status !== 'queued' && t.status !== 'running') done();
      });
    });
    return (await this.d.store.tasks.get(task.id)) ?? task;
  }
}
