import {
  ROUTES,
  type GalleryItem,
  type GenerateRequest,
  type GenerationType,
  type Health,
  type ModelId,
  type SessionInfo,
  type TaskStatusResponse,
  type AcceptedResponse,
  type GenerationResult,
} from '@mediagen/contract';
import { call } from './client.ts';
import { send } from './http.ts';

// ---- health ----

export function getHealth(signal?: AbortSignal): Promise<Health> {
  return call(ROUTES.health, { signal, retries: 1 });
}

// ---- user session (SPEC §5) ----

export function getSession(): Promise<SessionInfo> {
  return call(ROUTES.sessionGet);
}

/** Exchanges the access key for the HttpOnly cookie; the key is never kept by the page. */
export async function createSession(accessKey: string): Promise<void> {
  await call(ROUTES.sessionCreate, { body: { access_key: accessKey } });
}

export async function deleteSession(): Promise<void> {
  await call(ROUTES.sessionDelete);
}

// ---- generation and tasks (SPEC §2, §4) ----

export type Accepted = AcceptedResponse;
export type TaskStatusView = TaskStatusResponse;

/**
 * POST /api/generate. The Idempotency-Key makes the network retries here safe:
 * a retried POST returns the same task instead of starting a second one.
 */
export async function postGenerate(request: GenerateRequest, idempotencyKey: string): Promise<Accepted> {
  const answer: AcceptedResponse | GenerationResult | TaskStatusResponse = await call(ROUTES.generate, {
    body: request,
    headers: { 'Idempotency-Key': idempotencyKey },
    retries: 3,
  });
  if ('job_id' in answer && 'status_url' in answer) return answer;
  // without Prefer: wait the answer is always 202; a 200 means the job already ended (a replay)
  const id = answer.task_id;
  return {
    status: 'queued',
    job_id: id,
    task_id: id,
    queue_position: 0,
    estimated_seconds: 0,
    status_url: ROUTES.status.path.replace(':id', id),
    events_url: ROUTES.events.path.replace(':id', id),
    seed: 'seed' in answer ? answer.seed : -1,
  };
}

/** Cancel is idempotent on the server, so a network retry is safe. */
export function cancelTask(taskId: string): Promise<TaskStatusView> {
  return call(ROUTES.cancel, { params: { id: taskId }, retries: 2 });
}

// ---- gallery ----

export interface GalleryFilter {
  type?: GenerationType | undefined;
  model?: ModelId | undefined;
  /** words of the prompt */
  q?: string | undefined;
  /** YYYY-MM-DD, inclusive */
  from?: string | undefined;
  to?: string | undefined;
  starred?: boolean | undefined;
  /** a LoRA's catalog name */
  lora?: string | undefined;
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
  const page = await call(ROUTES.gallery, {
    query: {
      ...(filter.type ? { type: filter.type } : {}),
      ...(filter.model ? { model: filter.model } : {}),
      ...(filter.q?.trim() ? { q: filter.q.trim() } : {}),
      ...(filter.from ? { from: filter.from } : {}),
      ...(filter.to ? { to: filter.to } : {}),
      ...(filter.starred ? { starred: 'true' as const } : {}),
      ...(filter.lora?.trim() ? { lora: filter.lora.trim() } : {}),
      ...(cursor ? { cursor } : {}),
      limit,
    },
    signal,
  });
  return { items: page.items, nextCursor: page.next_cursor };
}

export async function deleteGalleryItem(taskId: string): Promise<void> {
  await call(ROUTES.galleryDelete, { params: { id: taskId }, retries: 2 });
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
