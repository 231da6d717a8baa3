import {
  API,
  zAcceptedResponse,
  zGalleryItem,
  zSessionInfo,
  zTaskStatusResponse,
  type GalleryItem,
  type GenerateRequest,
  type GenerationType,
  type ModelId,
  type SessionInfo,
} from '@mediagen/contract';
import { readJson, readUnknown, requestJson, send, type Parsed } from './http.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- health ----

export interface HealthInfo {
  ok: boolean;
  simulated: boolean;
  version: string | undefined;
}

/** Read defensively: only `simulated` drives UI (the simulator banner). */
export async function getHealth(signal?: AbortSignal): Promise<HealthInfo> {
  const body = await readUnknown(await send(API.health, { signal, retries: 1 }));
  const rec = isRecord(body) ? body : {};
  return {
    ok: rec.status === 'ok',
    simulated: rec.simulated === true,
    version: typeof rec.version === 'string' ? rec.version : undefined,
  };
}

// ---- user session (SPEC §5) ----

export function getSession(): Promise<SessionInfo> {
  return requestJson(API.session, zSessionInfo);
}

/** Exchanges the access key for the HttpOnly cookie; the key is never kept by the page. */
export async function createSession(accessKey: string): Promise<void> {
  await send(API.session, { method: 'POST', body: { access_key: accessKey } });
}

export async function deleteSession(): Promise<void> {
  await send(API.session, { method: 'DELETE' });
}

// ---- generation and tasks (SPEC §2, §4) ----

/** The UI needs only the id; tolerate a 202 body that lacks the optional extras. */
const zAccepted = zAcceptedResponse.partial({
  seed: true,
  status_url: true,
  events_url: true,
  queue_position: true,
  estimated_seconds: true,
});
export type Accepted = Parsed<typeof zAccepted>;

/**
 * POST /api/generate. The Idempotency-Key makes the network retries here safe:
 * a retried POST returns the same task instead of starting a second one.
 */
export function postGenerate(request: GenerateRequest, idempotencyKey: string): Promise<Accepted> {
  return requestJson(API.generate, zAccepted, {
    method: 'POST',
    body: request,
    headers: { 'Idempotency-Key': idempotencyKey },
    retries: 3,
  });
}

const zStatus = zTaskStatusResponse.partial({ created_at: true, updated_at: true });
export type TaskStatusView = Parsed<typeof zStatus>;

export function getStatus(taskId: string, signal?: AbortSignal): Promise<TaskStatusView> {
  return requestJson(API.status(taskId), zStatus, { signal, retries: 0 });
}

export async function cancelTask(taskId: string): Promise<TaskStatusView | undefined> {
  // Cancel is idempotent on the server, so a network retry is safe.
  const res = await send(API.cancel(taskId), { method: 'POST', retries: 2 });
  if (res.status === 204) return undefined;
  try {
    return await readJson(res, zStatus);
  } catch {
    return undefined;
  }
}

// ---- gallery ----

export interface GalleryFilter {
  type?: GenerationType | undefined;
  model?: ModelId | undefined;
}

export interface GalleryPageView {
  items: GalleryItem[];
  nextCursor: string | null;
}

export async function getGallery(
  filter: GalleryFilter,
  cursor: string | null,
  limit = 24,
  signal?: AbortSignal,
): Promise<GalleryPageView> {
  const q = new URLSearchParams();
  if (filter.type) q.set('type', filter.type);
  if (filter.model) q.set('model', filter.model);
  if (cursor) q.set('cursor', cursor);
  q.set('limit', String(limit));
  const body = await readUnknown(await send(`${API.gallery}?${q.toString()}`, { signal }));
  const rec = isRecord(body) ? body : {};
  // One malformed item must not blank the whole gallery: keep the ones that parse.
  const items = (Array.isArray(rec.items) ? rec.items : []).flatMap((raw) => {
    const parsed = zGalleryItem.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });
  return { items, nextCursor: typeof rec.next_cursor === 'string' && rec.next_cursor !== '' ? rec.next_cursor : null };
}

export async function deleteGalleryItem(taskId: string): Promise<void> {
  await send(API.galleryItem(taskId), { method: 'DELETE', retries: 2 });
}

/** Fallback for "use as reference" when no asset id is found: send the pixels as a data: URL. */
export async function fetchAsDataUrl(path: string): Promise<string> {
  const res = await send(path, { headers: { accept: 'image/*' } });
  const blob = await res.blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () =>
      typeof reader.result === 'string' ? resolve(reader.result) : reject(new Error('read failed'));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(blob);
  });
}
