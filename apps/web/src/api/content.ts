import {
  ERASE_CONFIRMATION,
  ROUTES,
  type ErasureResult,
  type QuarantineList,
  type StorageReport,
  type UserContentPatch,
  type UserListItem,
} from '@mediagen/contract';
import { call, routeUrl } from './client.ts';

// ---- content and data: the admin's review queue, storage report and per-user settings; a user's export/erasure ----

export function listQuarantine(): Promise<QuarantineList> {
  return call(ROUTES.adminQuarantineList);
}

export async function deleteQuarantined(id: string): Promise<void> {
  await call(ROUTES.adminQuarantineDelete, { params: { id } });
}

export async function releaseQuarantined(id: string): Promise<void> {
  await call(ROUTES.adminQuarantineRelease, { params: { id } });
}

export function getStorageReport(): Promise<StorageReport> {
  return call(ROUTES.adminStorage);
}

export function patchUserContent(id: string, patch: UserContentPatch): Promise<UserListItem> {
  return call(ROUTES.adminUserPatch, { params: { id }, body: patch });
}

/** The URL the browser downloads the caller's gallery zip from. */
export const accountExportUrl = (): string => routeUrl(ROUTES.accountExport);

export function eraseMyData(): Promise<ErasureResult> {
  return call(ROUTES.accountErase, { body: { confirm: ERASE_CONFIRMATION } });
}
