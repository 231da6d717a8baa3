import {
  ROUTES,
  type AcceptedResponse,
  type Availability,
  type LastFrame,
  type ModelsInfo,
  type Preset,
  type PresetSave,
  type PromptHistoryItem,
  type TaskListPage,
  type TrashPage,
} from '@mediagen/contract';
import { call, routeUrl } from './client.ts';
import { apiUrl } from './config.ts';

// The user's workspace on the server: jobs, availability, prompt history, presets, gallery actions.

export function listTasks(limit = 50, signal?: AbortSignal): Promise<TaskListPage> {
  return call(ROUTES.tasksList, { query: { limit }, signal });
}

export function cancelQueuedTasks(): Promise<{ cancelled: number }> {
  return call(ROUTES.tasksCancelQueued, { retries: 1 });
}

export function retryTask(id: string): Promise<AcceptedResponse> {
  return call(ROUTES.taskRetry, { params: { id } });
}

export function getAvailability(signal?: AbortSignal): Promise<Availability> {
  return call(ROUTES.availability, { signal, retries: 1 });
}

export function getModelsInfo(): Promise<ModelsInfo> {
  return call(ROUTES.models, { retries: 2 });
}

export async function searchPrompts(q: string, signal?: AbortSignal): Promise<PromptHistoryItem[]> {
  return (await call(ROUTES.promptsList, { query: { q, limit: 50 }, signal })).items;
}

export async function deletePrompt(id: string): Promise<void> {
  await call(ROUTES.promptDelete, { params: { id } });
}

export async function listPresets(): Promise<Preset[]> {
  return (await call(ROUTES.presetsList)).items;
}

export function savePreset(p: PresetSave): Promise<Preset> {
  return call(ROUTES.presetSave, { body: p });
}

export async function importPresets(presets: PresetSave[]): Promise<Preset[]> {
  return (await call(ROUTES.presetsImport, { body: { presets } })).items;
}

export async function deletePreset(id: string): Promise<void> {
  await call(ROUTES.presetDelete, { params: { id } });
}

export async function starItem(id: string, starred: boolean): Promise<void> {
  await call(ROUTES.galleryStar, { params: { id }, body: { starred }, retries: 1 });
}

export async function trashItems(ids: string[]): Promise<string[]> {
  return (await call(ROUTES.galleryDeleteMany, { body: { ids } })).ids;
}

export function getTrash(signal?: AbortSignal): Promise<TrashPage> {
  return call(ROUTES.galleryTrash, { signal });
}

export async function restoreItem(id: string): Promise<void> {
  await call(ROUTES.galleryRestore, { params: { id } });
}

/** A link the browser downloads (the session cookie travels with it; the zip is streamed). */
export function zipUrl(ids: readonly string[]): string {
  return apiUrl(routeUrl(ROUTES.galleryZip, { query: { ids: ids.join(',') } }));
}

export function lastFrame(id: string): Promise<LastFrame> {
  return call(ROUTES.galleryLastFrame, { params: { id } });
}
