import {
  API,
  type GalleryItem,
  type GalleryPage,
  type GalleryQuery,
  type TaskStatusResponse,
} from '@mediagen/contract';
import { AppError, notFound } from '#domain/app-error.ts';
import { isTerminal } from '#domain/task-lifecycle.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { AssetRecord, Store, TaskRecord } from '#ports/store.ts';
import type { TaskEvents } from './task-events.ts';

export interface TaskRunnerControl {
  /** interrupt a running task; resolves once the engine has been told */
  cancelRunning(taskId: string): boolean;
}

export interface TasksDeps {
  store: Store;
  files: FileStore;
  events: TaskEvents;
  runner: TaskRunnerControl;
  now: () => number;
}

function encodeCursor(t: TaskRecord): string {
  return Buffer.from(`${t.createdAt}:${t.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  const createdAt = Number(at);
  if (!id || !Number.isFinite(createdAt))
    throw new AppError('invalid_request', 'Bad cursor', [
      { path: 'cursor', message: 'is not a cursor this server issued' },
    ]);
  return { createdAt, id };
}

export class TasksService {
  constructor(private readonly d: TasksDeps) {}

  /** A task of this owner, or 404 — also for someone else's task (never reveal it exists). */
  owned(ownerId: string, id: string): TaskRecord {
    const t = this.d.store.tasks.get(id);
    if (!t || t.ownerId !== ownerId) throw notFound();
    return t;
  }

  view(t: TaskRecord): TaskStatusResponse {
    const preview = this.d.events.preview(t.id);
    const queued = t.status === 'queued';
    const out: TaskStatusResponse = {
      task_id: t.id,
      job_id: t.id,
      status: t.status,
      progress: t.status === 'completed' ? 100 : t.progress,
      stage: t.stage,
      created_at: new Date(t.createdAt).toISOString(),
      updated_at: new Date(t.updatedAt).toISOString(),
    };
    if (queued) out.queue_position = this.d.store.tasks.queuePosition(t.id);
    if (t.status === 'running' && t.startedAt) {
      out.eta_seconds = Math.max(0, Math.round(t.estimatedSeconds - (this.d.now() - t.startedAt) / 1000));
    } else if (queued) out.eta_seconds = t.estimatedSeconds;
    if (preview || t.status === 'completed') out.preview_url = API.preview(t.id);
    if (t.result) out.result = t.result;
    if (t.error) out.error = t.error;
    if (t.errorCode) out.code = t.errorCode as TaskStatusResponse['code'];
    if (t.retriable !== null) out.retriable = t.retriable;
    return out;
  }

  cancel(ownerId: string, id: string): TaskStatusResponse {
    const t = this.owned(ownerId, id);
    if (isTerminal(t.status)) return this.view(t);
    if (
      t.status === 'queued' &&
      this.d.store.tasks.update(id, { status: 'cancelled', stage: 'done', finishedAt: this.d.now() }, 'queued')
    ) {
      this.d.events.publish({ event: 'cancelled', data: { task_id: id } });
    } else {
      this.d.runner.cancelRunning(id);
    }
    return this.view(this.owned(ownerId, id));
  }

  outputs(t: TaskRecord): AssetRecord[] {
    return this.d.store.assets.ofTask(t.id).filter((a) => a.kind === 'output');
  }

  thumbnail(t: TaskRecord): AssetRecord | undefined {
    return this.d.store.assets.ofTask(t.id).find((a) => a.kind === 'thumbnail');
  }

  galleryItem(t: TaskRecord): GalleryItem {
    const outputs = this.outputs(t);
    const p = t.params;
    return {
      task_id: t.id,
      status: t.status,
      type: p.type,
      model: p.model,
      mode: p.mode,
      prompt: p.prompt,
      created_at: new Date(t.createdAt).toISOString(),
      ...(t.status === 'completed' ? { thumbnail_url: API.preview(t.id), url: API.results(t.id) } : {}),
      urls: outputs.map((a) => API.results(t.id, a.idx)),
      output_format: p.output_format,
      width: p.width,
      height: p.height,
      seed: p.seed,
      parameters: { ...p },
      asset_ids: outputs.map((a) => a.id),
    };
  }

  gallery(ownerId: string, q: GalleryQuery): GalleryPage {
    const rows = this.d.store.tasks.list({
      ownerId,
      statuses: ['completed'],
      ...(q.type ? { type: q.type } : {}),
      ...(q.model ? { model: q.model } : {}),
      ...(q.cursor ? { before: decodeCursor(q.cursor) } : {}),
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((t) => this.galleryItem(t)),
      next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null,
    };
  }

  async remove(ownerId: string, id: string): Promise<void> {
    const t = this.owned(ownerId, id);
    if (t.status === 'running' || t.status === 'queued') this.cancel(ownerId, id);
    this.d.store.assets.deleteOfTask(id);
    this.d.store.tasks.delete(id);
    this.d.events.dropPreview(id);
    await this.d.files.removePrefix(`media/${id}`);
  }
}
