import {
  API,
  zAccountView,
  zUserCreated,
  type AccountCreate,
  type AccountPatch,
  type AccountView,
} from '@mediagen/contract';
import { isApiError } from './ApiError.ts';
import { readJson, readUnknown, send, type Parsed } from './http.ts';

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Lists may come bare or wrapped (`{items}` / `{accounts}` / `{users}`): accept each. */
function listOf(body: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (!isRecord(body)) return [];
  for (const key of keys) {
    const v = body[key];
    if (Array.isArray(v)) return v;
  }
  return [];
}

// ---- admin session (cookie gg_admin; the key is sent once, on login) ----

/** true when the admin cookie is valid; false on 401/403. */
export async function getAdminSession(): Promise<boolean> {
  try {
    await send(API.adminSession);
    return true;
  } catch (err) {
    if (isApiError(err) && (err.status === 401 || err.status === 403)) return false;
    throw err;
  }
}

export async function adminLogin(adminKey: string): Promise<void> {
  await send(API.adminSession, { method: 'POST', headers: { 'x-admin-key': adminKey } });
}

export async function adminLogout(): Promise<void> {
  await send(API.adminSession, { method: 'DELETE' });
}

// ---- accounts (SPEC §6) ----

export async function listAccounts(): Promise<AccountView[]> {
  const body = await readUnknown(await send(API.adminAccounts));
  return listOf(body, 'items', 'accounts').flatMap((raw) => {
    const parsed = zAccountView.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function createAccount(account: AccountCreate): Promise<void> {
  await send(API.adminAccounts, { method: 'POST', body: account });
}

export async function checkAccount(id: string): Promise<void> {
  await send(API.adminAccountCheck(id), { method: 'POST' });
}

export async function patchAccount(id: string, patch: AccountPatch): Promise<void> {
  await send(API.adminAccount(id), { method: 'PATCH', body: patch });
}

export async function deleteAccount(id: string): Promise<void> {
  await send(API.adminAccount(id), { method: 'DELETE' });
}

// ---- queue and lanes: shape not final, so read field by field ----

export interface LaneView {
  lane: string;
  depth: number | undefined;
  running: number | undefined;
  accountsReady: number | undefined;
}

export interface RunningJobView {
  taskId: string;
  model: string | undefined;
  lane: string | undefined;
  account: string | undefined;
  progress: number | undefined;
}

export interface QueueView {
  lanes: LaneView[];
  degraded: boolean;
  waitingVideo: number | undefined;
  running: RunningJobView[];
}

export function readQueue(body: unknown): QueueView {
  const rec = isRecord(body) ? body : {};
  const lanes = listOf(rec.lanes).flatMap((l): LaneView[] => {
    if (!isRecord(l)) return [];
    const lane = str(l.lane) ?? str(l.name);
    if (!lane) return [];
    return [
      {
        lane,
        depth: num(l.depth) ?? num(l.queued),
        running: num(l.running),
        accountsReady: num(l.accounts_ready) ?? num(l.ready),
      },
    ];
  });
  const running = listOf(rec.running).flatMap((j): RunningJobView[] => {
    if (!isRecord(j)) return [];
    const taskId = str(j.task_id) ?? str(j.id);
    if (!taskId) return [];
    return [
      {
        taskId,
        model: str(j.model),
        lane: str(j.lane),
        account: str(j.account_name) ?? str(j.account) ?? str(j.account_id),
        progress: num(j.progress),
      },
    ];
  });
  return { lanes, degraded: rec.degraded === true, waitingVideo: num(rec.waiting_video), running };
}

export async function getQueue(): Promise<QueueView> {
  return readQueue(await readUnknown(await send(API.adminQueue)));
}

// ---- usage statistics ----

export interface DayModelStat {
  day: string;
  model: string;
  completed: number;
  failed: number;
}

export interface StatsView {
  perModelPerDay: DayModelStat[];
  /** 0…1 */
  successRate: number | undefined;
  meanQueueSeconds: number | undefined;
  meanGpuSeconds: number | undefined;
}

export function readStats(body: unknown): StatsView {
  const rec = isRecord(body) ? body : {};
  const perModelPerDay = listOf(rec.per_model_per_day).flatMap((r): DayModelStat[] => {
    if (!isRecord(r)) return [];
    const day = str(r.day);
    const model = str(r.model);
    if (!day || !model) return [];
    return [{ day, model, completed: num(r.completed) ?? 0, failed: num(r.failed) ?? 0 }];
  });
  let successRate = num(rec.success_rate);
  if (successRate !== undefined && successRate > 1) successRate /= 100; // tolerate a percentage
  return {
    perModelPerDay,
    successRate,
    meanQueueSeconds: num(rec.mean_queue_seconds),
    meanGpuSeconds: num(rec.mean_gpu_seconds),
  };
}

export async function getStats(): Promise<StatsView> {
  return readStats(await readUnknown(await send(API.adminStats)));
}

// ---- users and credits ----

export interface AdminUserView {
  id: string;
  name: string;
  credits: number | null;
  createdAt: string | undefined;
}

export async function listUsers(): Promise<AdminUserView[]> {
  const body = await readUnknown(await send(API.adminUsers));
  return listOf(body, 'items', 'users').flatMap((u): AdminUserView[] => {
    if (!isRecord(u)) return [];
    const id = str(u.id);
    if (!id) return [];
    return [{ id, name: str(u.name) ?? id, credits: num(u.credits) ?? null, createdAt: str(u.created_at) }];
  });
}

export type CreatedUser = Parsed<typeof zUserCreated>;

/** The access key in the answer is shown once by the caller and never stored. */
export async function createUser(name: string, credits: number | undefined): Promise<CreatedUser> {
  const res = await send(API.adminUsers, {
    method: 'POST',
    body: credits === undefined ? { name } : { name, credits },
  });
  return readJson(res, zUserCreated);
}

export async function grantCredits(id: string, amount: number, reason?: string): Promise<void> {
  await send(API.adminUserCredits(id), { method: 'POST', body: reason ? { amount, reason } : { amount } });
}

export async function deleteUser(id: string): Promise<void> {
  await send(API.adminUser(id), { method: 'DELETE' });
}
