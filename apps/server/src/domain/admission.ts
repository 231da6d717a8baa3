import type { GenerationType, Lane, ModelId } from '@mediagen/contract';

export interface LaneAccount {
  lane: Lane;
  /** the models it is meant to serve */
  models: readonly ModelId[];
  /** the models a successful health check found it ready for (empty unless its status is ready) */
  readyModels: readonly ModelId[];
  ready: boolean;
  disabled: boolean;
  /** pending or checking: it may become ready for its models any moment */
  checking: boolean;
  /** the LoRA files its last health check listed */
  loras: readonly string[];
}

export interface AdmissionInput {
  type: GenerationType;
  model: ModelId;
  /** the request's LoRAs and the files each needs on a backend */
  loras?: ReadonlyArray<{ name: string; files: readonly string[] }>;
  accounts: readonly LaneAccount[];
  /** queued video jobs right now */
  waitingVideo: number;
  /** how long the oldest queued video job has waited (ms), 0 if none */
  oldestVideoWaitMs: number;
  /** queued jobs of this request's type right now (image and video queues are bounded apart) */
  queuedOfType: number;
  /** queued jobs of this request's owner */
  ownerQueued: number;
  limits: AdmissionLimits;
}

export interface AdmissionLimits {
  /** per type: a full video queue never refuses an image job */
  maxQueue: number;
  /** one user's share of the queue */
  maxQueuedPerUser: number;
  degradedMaxWaiting: number;
  degradedMaxWaitMs: number;
}

export type AdmissionDecision =
  | { ok: true; degraded: boolean }
  | {
      ok: false;
      code: 'queue_overloaded' | 'no_backend_available' | 'user_queue_full';
      reason: string;
      retryAfterSeconds: number;
      /** the LoRA (request index) no backend holds */
      lora?: { name: string; index: number };
    };

/** Video is degraded when no dedicated video lane serving the model is ready (SPEC §6). */
export function isDegraded(model: ModelId, accounts: readonly LaneAccount[]): boolean {
  return !accounts.some((a) => a.lane === 'video' && a.readyModels.includes(model));
}

function lanesOf(type: GenerationType): readonly Lane[] {
  return type === 'image' ? ['image', 'shared'] : ['video', 'shared'];
}

/**
 * Some account of a fitting lane is ready for the model, or is being checked and meant to serve it; with LoRA
 * files, one whose last health check listed them all.
 */
export function canBeServed(
  type: GenerationType,
  model: ModelId,
  accounts: readonly LaneAccount[],
  loraFiles: readonly string[] = [],
): boolean {
  const lanes = lanesOf(type);
  return accounts.some(
    (a) =>
      !a.disabled &&
      lanes.includes(a.lane) &&
      (a.readyModels.includes(model) || (a.checking && a.models.includes(model))) &&
      loraFiles.every((f) => a.loras.includes(f)),
  );
}

/** The first LoRA no account that could serve the model holds (all its files), if any. */
export function missingLora(
  type: GenerationType,
  model: ModelId,
  accounts: readonly LaneAccount[],
  loras: ReadonlyArray<{ name: string; files: readonly string[] }>,
): { name: string; index: number } | undefined {
  const index = loras.findIndex((l) => !canBeServed(type, model, accounts, l.files));
  const l = loras[index];
  return l ? { name: l.name, index } : undefined;
}

/**
 * Bounded admission (SPEC §6): images go to image/shared lanes; video to ready video lanes, or in
 * degraded mode to shared lanes with at most N waiting video jobs and at most T of waiting.
 */
export function admit(i: AdmissionInput): AdmissionDecision {
  if (!canBeServed(i.type, i.model, i.accounts)) {
    return {
      ok: false,
      code: 'no_backend_available',
      reason: `No GPU backend is ready for ${i.model} (none ready or being checked)`,
      retryAfterSeconds: 60,
    };
  }
  const lora = missingLora(i.type, i.model, i.accounts, i.loras ?? []);
  const allFiles = (i.loras ?? []).flatMap((l) => l.files);
  if (lora || !canBeServed(i.type, i.model, i.accounts, allFiles)) {
    return {
      ok: false,
      code: 'no_backend_available',
      reason: lora
        ? `No GPU backend ready for ${i.model} holds the LoRA "${lora.name}"`
        : `No single GPU backend ready for ${i.model} holds all the requested LoRAs together`,
      retryAfterSeconds: 60,
      ...(lora ? { lora } : {}),
    };
  }
  if (i.ownerQueued >= i.limits.maxQueuedPerUser) {
    return {
      ok: false,
      code: 'user_queue_full',
      reason: `You have ${i.ownerQueued} jobs queued already (at most ${i.limits.maxQueuedPerUser})`,
      retryAfterSeconds: 30,
    };
  }
  if (i.queuedOfType >= i.limits.maxQueue) {
    return { ok: false, code: 'queue_overloaded', reason: `The ${i.type} queue is full`, retryAfterSeconds: 30 };
  }
  if (i.type === 'image') return { ok: true, degraded: false };
  const degraded = isDegraded(i.model, i.accounts);
  if (!degraded) return { ok: true, degraded: false };
  if (i.waitingVideo >= i.limits.degradedMaxWaiting) {
    return {
      ok: false,
      code: 'queue_overloaded',
      retryAfterSeconds: Math.ceil(i.limits.degradedMaxWaitMs / 1000),
      reason: `Generation queue is overloaded: no dedicated video GPU is ready and ${i.waitingVideo} video jobs are already waiting on shared GPUs`,
    };
  }
  if (i.oldestVideoWaitMs >= i.limits.degradedMaxWaitMs) {
    return {
      ok: false,
      code: 'queue_overloaded',
      retryAfterSeconds: Math.ceil(i.limits.degradedMaxWaitMs / 1000),
      reason: 'Generation queue is overloaded: video jobs on shared GPUs are waiting longer than allowed',
    };
  }
  return { ok: true, degraded: true };
}

/** Degraded mode: a video job unstarted after the wait limit fails with queue_overloaded. */
export function expiredDegradedJobs<T extends { id: string; type: GenerationType; model: ModelId; createdAt: number }>(
  queued: readonly T[],
  accounts: readonly LaneAccount[],
  now: number,
  maxWaitMs: number,
): T[] {
  return queued.filter((t) => t.type === 'video' && isDegraded(t.model, accounts) && now - t.createdAt >= maxWaitMs);
}

/** Jobs for a model no account can serve (none ready for it, none being checked) that waited past the bound. */
export function stalledJobs<
  T extends { id: string; type: GenerationType; model: ModelId; createdAt: number; loraFiles?: readonly string[] },
>(queued: readonly T[], accounts: readonly LaneAccount[], now: number, maxWaitMs: number): T[] {
  return queued.filter(
    (t) => now - t.createdAt >= maxWaitMs && !canBeServed(t.type, t.model, accounts, t.loraFiles ?? []),
  );
}

/**
 * Where expiry must look: for each job type, the age from which a queued job of that type could expire with the
 * accounts as they are (video in degraded mode; any type with a model no account can serve). A type absent here
 * has no job that could expire, so the once-a-second expiry reads none of its (possibly many) queued rows. Jobs
 * held back only by a LoRA no account holds are found by the dispatcher's full read of the queue instead.
 */
export function expiryWindows(
  models: ReadonlyArray<{ id: ModelId; type: GenerationType }>,
  accounts: readonly LaneAccount[],
  bounds: { degradedMaxWaitMs: number; noBackendMaxWaitMs: number },
): Array<{ type: GenerationType; minAgeMs: number }> {
  const windows: Array<{ type: GenerationType; minAgeMs: number }> = [];
  for (const type of ['image', 'video'] as const) {
    const ofType = models.filter((m) => m.type === type);
    const ages = [
      ...(ofType.some((m) => !canBeServed(type, m.id, accounts)) ? [bounds.noBackendMaxWaitMs] : []),
      ...(type === 'video' && ofType.some((m) => isDegraded(m.id, accounts)) ? [bounds.degradedMaxWaitMs] : []),
    ];
    if (ages.length > 0) windows.push({ type, minAgeMs: Math.min(...ages) });
  }
  return windows;
}

/** Accounts as admission sees them; `readyModels` of an account that is not ready is empty. */
export function laneAccounts(
  list: ReadonlyArray<{
    lane: Lane;
    models: readonly ModelId[];
    readyModels: readonly ModelId[];
    status: string;
    loras?: readonly string[];
  }>,
): LaneAccount[] {
  return list.map((a) => ({
    loras: a.loras ?? [],
    lane: a.lane,
    models: a.models,
    readyModels: a.status === 'ready' ? a.readyModels : [],
    ready: a.status === 'ready',
    disabled: a.status === 'disabled',
    checking: a.status === 'checking' || a.status === 'pending',
  }));
}
