// Rows of the users, sessions, assets, accounts and finished tasks as both SQL adapters read them (the columns are the
// same on SQLite and PostgreSQL), and their records.
import { zModelId } from '@mediagen/contract';
import type { ModelReadiness } from '#ports/engine.ts';
import type { AccountRecord, AssetRecord, SessionRecord, Store, TaskUpdate, UserRecord } from '#ports/store.ts';

export interface UserRow {
  id: string;
  name: string;
  key_hash: string | null;
  credits: number | null;
  created_at: number;
  deleted_at: number | null;
}
export interface SessionRow {
  token_hash: string;
  kind: 'user' | 'admin';
  user_id: string | null;
  expires_at: number;
  created_at: number;
}
export interface AssetRow {
  id: string;
  owner_id: string;
  task_id: string | null;
  kind: AssetRecord['kind'];
  idx: number;
  path: string;
  mime: string;
  width: number | null;
  height: number | null;
  bytes: number;
  created_at: number;
}
export interface AccountRow {
  id: string;
  name: string;
  base_url: string;
  lane: AccountRecord['lane'];
  models: string;
  auth_token: string | null;
  status: AccountRecord['status'];
  status_reason: string | null;
  vram_total: number | null;
  vram_free: number | null;
  last_checked_at: number | null;
  created_at: number;
  readiness: string | null;
  warnings: string;
  loras: string;
}

export const user = (r: UserRow): UserRecord => ({
  id: r.id,
  name: r.name,
  keyHash: r.key_hash,
  credits: r.credits,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
});
export const session = (r: SessionRow): SessionRecord => ({
  tokenHash: r.token_hash,
  kind: r.kind,
  userId: r.user_id,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
});
export const asset = (r: AssetRow): AssetRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  taskId: r.task_id,
  kind: r.kind,
  idx: r.idx,
  path: r.path,
  mime: r.mime,
  width: r.width,
  height: r.height,
  bytes: r.bytes,
  createdAt: r.created_at,
});
export const account = (r: AccountRow): AccountRecord => ({
  id: r.id,
  name: r.name,
  baseUrl: r.base_url,
  lane: r.lane,
  models: zModelId.array().parse(JSON.parse(r.models)),
  authToken: r.auth_token,
  status: r.status,
  statusReason: r.status_reason,
  vramTotal: r.vram_total,
  vramFree: r.vram_free,
  lastCheckedAt: r.last_checked_at,
  createdAt: r.created_at,
  // written by this adapter from the engine's health check, so read back without a schema
  readiness: r.readiness ? (JSON.parse(r.readiness) as ModelReadiness[]) : null,
  warnings: JSON.parse(r.warnings) as string[],
  loras: JSON.parse(r.loras) as string[],
});

export const ACCOUNT_COLUMNS: Record<string, string> = {
  name: 'name',
  baseUrl: 'base_url',
  lane: 'lane',
  models: 'models',
  authToken: 'auth_token',
  status: 'status',
  statusReason: 'status_reason',
  vramTotal: 'vram_total',
  vramFree: 'vram_free',
  lastCheckedAt: 'last_checked_at',
  readiness: 'readiness',
  warnings: 'warnings',
  loras: 'loras',
};

/** The tasks column each updatable field is written to (both SQL adapters). */
/** `finishedSince`'s compact rows, as both SQL stores select them */
export const FINISHED_SQL = `SELECT id, owner_id, model, status, created_at, started_at, finished_at, gpu_ms FROM tasks
  WHERE status IN ('completed','failed','cancelled') AND finished_at >= `;

export interface FinishedRow {
  id: string;
  owner_id: string;
  model: string;
  status: 'completed' | 'failed' | 'cancelled';
  created_at: number;
  started_at: number | null;
  finished_at: number;
  gpu_ms: number | null;
}

export const finished = (r: FinishedRow): Awaited<ReturnType<Store['tasks']['finishedSince']>>[number] => ({
  id: r.id,
  ownerId: r.owner_id,
  model: r.model,
  status: r.status,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  gpuMs: r.gpu_ms,
});

export const TASK_UPDATE_COLUMN: Record<keyof TaskUpdate, string> = {
  status: 'status',
  stage: 'stage',
  progress: 'progress',
  accountId: 'account_id',
  promptId: 'prompt_id',
  attempts: 'attempts',
  error: 'error',
  errorCode: 'error_code',
  retriable: 'retriable',
  result: 'result',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  gpuMs: 'gpu_ms',
  params: 'params',
};

/** A LIKE pattern containing the word, its pattern characters escaped with a backslash (`ESCAPE '\\'` on SQLite). */
export function likeWord(w: string): string {
  return `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
