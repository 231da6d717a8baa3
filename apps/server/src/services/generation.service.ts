import crypto from 'node:crypto';
import {
  API,
  IMAGE_FIELDS,
  checkGenerateRules,
  dropNulls,
  estimateSeconds,
  resolveGeneration,
  workUnits,
  zGenerateRequest,
  type AcceptedResponse,
  type ErrorDetail,
  type GenerateRequest,
  type ResolvedGeneration,
} from '@mediagen/contract';
import { AppError } from '#domain/app-error.ts';
import { randomSeed } from '#domain/seeds.ts';
import type { Engine } from '#ports/engine.ts';
import type { Store, TaskRecord } from '#ports/store.ts';
import type { ReferenceImages } from './reference-images.ts';

export interface GenerationDeps {
  store: Store;
  engine: Pick<Engine, 'ignoredParams'>;
  images: ReferenceImages;
  sizes: readonly number[];
  now: () => number;
  /** a hook the worker uses to wake up */
  onAccepted: (taskId: string) => void;
  /** refuses when no backend can ever serve the request (SPEC §3 503s) */
  admit: (params: ResolvedGeneration) => void;
  /** extra request checks (prompt policy); throw AppError to refuse */
  screen?: (ownerId: string, params: ResolvedGeneration) => void;
  /** credits: hold the estimate before the task exists (402 when short), give it back if the insert fails */
  credits?: { reserve(ownerId: string, taskId: string, estimateSeconds: number): void; settle(taskId: string): void };
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

function requestHash(body: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

export class GenerationService {
  constructor(private readonly d: GenerationDeps) {}

  accepted(task: TaskRecord): AcceptedResponse {
    return {
      status: 'queued',
      job_id: task.id,
      task_id: task.id,
      queue_position: this.d.store.tasks.queuePosition(task.id),
      estimated_seconds: task.estimatedSeconds,
      status_url: API.status(task.id),
      events_url: API.events(task.id),
      seed: task.params.seed,
    };
  }

  async accept(
    ownerId: string,
    body: unknown,
    idempotencyKey?: string,
    hashBasis?: unknown,
  ): Promise<{ task: TaskRecord; replay: boolean }> {
    // validate first: only a well-shaped (bounded) request is hashed or stored
    const req = parseGenerateBody(body, this.d.sizes);
    const hash = requestHash(hashBasis ?? req);
    if (idempotencyKey) {
      const prior = this.d.store.tasks.findIdempotent(ownerId, idempotencyKey);
      if (prior) {
        const task = this.d.store.tasks.get(prior.taskId);
        if (prior.requestHash !== hash)
          throw new AppError('conflict', 'This Idempotency-Key was used with a different request');
        if (task) return { task, replay: true };
      }
    }
    const resolvedReq: GenerateRequest = { ...req };
    for (const field of IMAGE_FIELDS) {
      const value = req[field];
      if (value !== undefined) resolvedReq[field] = await this.d.images.resolve(ownerId, field, value);
    }
    const params = resolveGeneration(resolvedReq, () => randomSeed(() => crypto.randomBytes(4).readUInt32BE(0)));
    params.ignored_params = [...params.ignored_params, ...this.d.engine.ignoredParams(params)];
    this.d.screen?.(ownerId, params);
    this.d.admit(params);
    const measured = this.d.store.tasks.measuredSecondsPerUnit(params.model);
    const now = this.d.now();
    const task: TaskRecord = {
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
    this.d.credits?.reserve(ownerId, task.id, task.estimatedSeconds);
    try {
      // committed to disk (synchronous=FULL) before the 202 goes out
      this.d.store.tasks.insert(task, idempotencyKey ? { key: idempotencyKey, requestHash: hash } : undefined);
    } catch (err) {
      this.d.credits?.settle(task.id);
      throw err;
    }
    this.d.onAccepted(task.id);
    return { task, replay: false };
  }

  workUnits(params: ResolvedGeneration): number {
    return workUnits(params);
  }
}
