import {
  ROUTES,
  type AccountCreate,
  type AdminQueueJobs,
  type Lane,
  type AccountPatch,
  type AccountView,
  type QueueSnapshot,
  type UsageStats,
  type UserCreated,
  type UserListItem,
} from '@mediagen/contract';
import { isApiError } from './ApiError.ts';
import { call, callText } from './client.ts';

// ---- admin session (cookie gg_admin; the key is sent once, on login) ----

/** true when the admin cookie is valid; false on 401/403. */
export async function getAdminSession(): Promise<boolean> {
  try {
    await call(ROUTES.adminSessionGet);
    return true;
  } catch (err) {
    if (isApiError(err) && (err.status === 401 || err.status === 403)) return false;
    throw err;
  }
}

export async function adminLogin(adminKey: string): Promise<void> {
  await call(ROUTES.adminSessionCreate, { headers: { 'x-admin-key': adminKey } });
}

export async function adminLogout(): Promise<void> {
  await call(ROUTES.adminSessionDelete);
}

// ---- accounts (SPEC §6) ----

export async function listAccounts(): Promise<AccountView[]> {
  return (await call(ROUTES.accountsList)).items;
}

export async function createAccount(account: AccountCreate): Promise<void> {
  await call(ROUTES.accountCreate, { body: account });
}

export async function checkAccount(id: string): Promise<void> {
  await call(ROUTES.accountCheck, { params: { id } });
}

export async function patchAccount(id: string, patch: AccountPatch): Promise<void> {
  await call(ROUTES.accountPatch, { params: { id }, body: patch });
}

/** The bash script that prepares the account's ComfyUI host for what its last health check found missing. */
export function getSetupScript(id: string): Promise<string> {
  return callText(ROUTES.accountSetupScript, { params: { id } });
}

export async function deleteAccount(id: string): Promise<void> {
  await call(ROUTES.accountDelete, { params: { id } });
}

// ---- queue, lanes, statistics ----

export function getQueue(): Promise<QueueSnapshot> {
  return call(ROUTES.queue);
}

export function getStats(): Promise<UsageStats> {
  return call(ROUTES.stats);
}

// ---- users and credits ----

export async function listUsers(): Promise<UserListItem[]> {
  return (await call(ROUTES.usersList)).items;
}

/** The access key in the answer is shown once by the caller and never stored. */
export function createUser(name: string, credits: number | undefined): Promise<UserCreated> {
  return call(ROUTES.userCreate, { body: credits === undefined ? { name } : { name, credits } });
}

export async function grantCredits(id: string, amount: number, reason?: string): Promise<void> {
  await call(ROUTES.userCredits, { params: { id }, body: reason ? { amount, reason } : { amount } });
}

export async function deleteUser(id: string): Promise<void> {
  await call(ROUTES.userDelete, { params: { id } });
}

// ---- the whole queue: jobs, cancel, move to front, lanes ----

export function getQueueJobs(): Promise<AdminQueueJobs> {
  return call(ROUTES.adminQueueJobs);
}

export async function cancelQueueJob(id: string): Promise<void> {
  await call(ROUTES.adminQueueCancel, { params: { id } });
}

export async function moveJobToFront(id: string): Promise<void> {
  await call(ROUTES.adminQueueFront, { params: { id } });
}

export async function setLanePaused(lane: Lane, paused: boolean): Promise<Lane[]> {
  const route = paused ? ROUTES.adminLanePause : ROUTES.adminLaneResume;
  return (await call(route, { params: { lane } })).paused_lanes;
}
