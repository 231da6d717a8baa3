import crypto from 'node:crypto';
import { resolveGeneration, type GenerateRequest, type ResolvedGeneration } from '@mediagen/contract';
import type { AccountRecord, AssetRecord, TaskRecord, UserRecord } from '#ports/store.ts';

// Valid records and request bodies with the fewest fields a test has to care about; override the rest.

export const IMAGE_REQUEST = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse on a cliff at dawn',
  width: 512,
  height: 512,
  seed: 42,
} as const satisfies GenerateRequest;

export const VIDEO_REQUEST = {
  type: 'video',
  model: 'anisora',
  mode: 't2v',
  prompt: 'a paper boat drifting on a calm lake',
  width: 512,
  height: 512,
  seed: 7,
  num_frames: 81,
} as const satisfies GenerateRequest;

/** Parameters as GenerationService resolves them (seed -1 becomes 1234). */
export function resolvedParams(req: Partial<GenerateRequest> = {}): ResolvedGeneration {
  return resolveGeneration({ ...IMAGE_REQUEST, ...req }, () => 1234);
}

export function taskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  const at = overrides.createdAt ?? 1_000;
  return {
    id: crypto.randomUUID(),
    ownerId: 'user-1',
    status: 'queued',
    stage: 'queued',
    progress: 0,
    params: resolvedParams(),
    estimatedSeconds: 12,
    accountId: null,
    promptId: null,
    attempts: 0,
    error: null,
    errorCode: null,
    retriable: null,
    result: null,
    createdAt: at,
    updatedAt: at,
    startedAt: null,
    finishedAt: null,
    gpuMs: null,
    starred: false,
    trashedAt: null,
    priority: 0,
    ...overrides,
  };
}

export function userRecord(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: crypto.randomUUID(),
    name: 'someone',
    keyHash: null,
    credits: null,
    createdAt: 1_000,
    deletedAt: null,
    ...overrides,
  };
}

export function accountRecord(overrides: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: crypto.randomUUID(),
    name: 'gpu',
    baseUrl: 'http://gpu.invalid:8188',
    lane: 'shared',
    models: ['pony', 'flux', 'anisora', 'phr00t'],
    authToken: null,
    status: 'ready',
    statusReason: null,
    vramTotal: null,
    vramFree: null,
    lastCheckedAt: null,
    createdAt: 1_000,
    readiness: null,
    warnings: [],
    loras: [],
    ...overrides,
  };
}

export function assetRecord(overrides: Partial<AssetRecord> = {}): AssetRecord {
  const id = overrides.id ?? crypto.randomUUID();
  return {
    id,
    ownerId: 'user-1',
    taskId: null,
    kind: 'upload',
    idx: 0,
    path: `assets/${id}.png`,
    mime: 'image/png',
    width: 64,
    height: 64,
    bytes: 100,
    createdAt: 1_000,
    ...overrides,
  };
}
