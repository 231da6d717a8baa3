import { Readable } from 'node:stream';
import { API, type TaskStatusResponse } from '@mediagen/contract';
import { notFound } from '#domain/app-error.ts';
import { isTerminal, isTerminalEvent, taskEventFor } from '#domain/task-lifecycle.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { AssetRecord, Store, TaskRecord } from '#ports/store.ts';
import type { TaskEventBus } from '#ports/task-event-bus.ts';
import type { LivePreviews } from './live-previews.ts';
import type { LiveProgress } from './live-progress.ts';
import { TtlCache } from './ttl-cache.ts';
import { empty, events, file, type EmptyReply, type EventsReply, type FileReply } from './replies.ts';
import type { TaskLifecycle } from './task-lifecycle.ts';

export interface TaskRunnerControl {
  /** interrupt a running task on its backend; false when this gateway does not run it (then it tells the others) */
  cancelRunning(taskId: string): boolean;
}

export interface TasksDeps {
  store: Store;
  files: FileStore;
  bus: TaskEventBus;
  lifecycle: TaskLifecycle;
  live: LiveProgress;
  previews: LivePreviews;
  runner: TaskRunnerControl;
  now: () => number;
  /** queue position among the jobs competing for the same GPUs, and the ETA (without it: the global position) */
  estimates?: { of(taskId: string): Promise<{ position: number; etaSeconds: number | undefined } | undefined> };
}

const EXT_NAME: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'image/gif': 'gif',
};
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** A user's tasks: status, events, files, cancel, gallery (SPEC §4). Everything is scoped to its owner. */
export class TasksService {
  /**
   * Queued and running tasks as last read: status polling reads them many times a second. Every change of
   * theirs goes through the lifecycle and is published (on any gateway, once the bus spans them), which is
   * when an entry is dropped; finished tasks are not cached (gallery edits write them directly).
   */
  private readonly active: TtlCache<string, TaskRecord>;
  private readonly offEvents: () => void;
  /** counts invalidations: a read that raced one is not cached (it may predate the change) */
  private changes = 0;

  constructor(private readonly d: TasksDeps) {
    this.active = new TtlCache({ max: 20_000, ttlMs: 60_000, now: d.now });
    this.offEvents = d.bus.subscribeAll(({ event }) => {
      const id = event.data.task_id;
      if (event.event === 'preview') return;
      const cached = this.active.get(id);
      // live progress of a running task is overlaid from LiveProgress; anything else is a change of state
      if (event.event === 'progress' && cached?.status === event.data.status) return;
      this.active.delete(id);
      this.changes += 1;
    });
  }

  close(): void {
    this.offEvents();
  }

  /** Events may have been missed (the link to the other gateways came back): read every task afresh. */
  forgetCached(): void {
    this.active.clear();
    this.changes += 1;
  }

  private async read(id: string): Promise<TaskRecord | undefined> {
    const cached = this.active.get(id);
    if (cached) return cached;
    const before = this.changes;
    const t = await this.d.store.tasks.get(id);
    if (t && (t.status === 'queued' || t.status === 'running') && this.changes === before) this.active.set(id, t);
    return t;
  }

  /** A task of this owner, or 404 — also for someone else's task (never reveal it exists), or one in the trash. */
  async owned(ownerId: string, id: string, o: { trashed?: boolean } = {}): Promise<TaskRecord> {
    const t = await this.read(id);
    if (t?.ownerId !== ownerId || (t.trashedAt && !o.trashed)) throw notFound();
    return t;
  }

  async view(t: TaskRecord): Promise<TaskStatusResponse> {
    const live = t.status === 'running' ? this.d.live.get(t.id) : undefined;
    const progress = t.status === 'completed' ? 100 : Math.max(t.progress, live?.progress ?? 0);
    const out: TaskStatusResponse = {
      task_id: t.id,
      job_id: t.id,
      status: t.status,
      progress,
      stage: live?.stage ?? t.stage,
      created_at: new Date(t.createdAt).toISOString(),
      updated_at: new Date(t.updatedAt).toISOString(),
    };
    if (t.status === 'queued') {
      const e = await this.d.estimates?.of(t.id);
      out.queue_position = e?.position ?? (await this.d.store.tasks.queuePosition(t.id));
      out.eta_seconds = e ? (e.etaSeconds ?? t.estimatedSeconds) : t.estimatedSeconds;
    } else if (t.status === 'running' && t.startedAt) {
      out.eta_seconds = Math.max(0, Math.round(t.estimatedSeconds - (this.d.now() - t.startedAt) / 1000));
    }
    if (this.d.previews.has(t.id) || t.status === 'completed') out.preview_url = API.preview(t.id);
    if (t.result) out.result = t.result;
    if (t.error) out.error = t.error;
    if (t.errorCode) out.code = t.errorCode as TaskStatusResponse['code'];
    if (t.retriable !== null) out.retriable = t.retriable;
    return out;
  }

  async status(ownerId: string, id: string): Promise<TaskStatusResponse> {
    return this.view(await this.owned(ownerId, id));
  }

  async cancel(ownerId: string, id: string): Promise<TaskStatusResponse> {
    const t = await this.owned(ownerId, id);
    if (isTerminal(t.status)) return this.view(t);
    if (t.status === 'queued') {
      const cancelled = await this.d.lifecycle.transition(t, 'cancelled', { stage: 'done', finishedAt: this.d.now() });
      if (cancelled) return this.view(cancelled);
    }
    // running (or it started meanwhile): interrupt it on its backend, here or on the gateway that runs it; the
    // runner records the outcome
    this.d.runner.cancelRunning(id);
    return this.view(await this.owned(ownerId, id));
  }

  /** The task's event stream: its current state first (the same event a live client saw last), then live events. */
  async events(ownerId: string, id: string): Promise<EventsReply> {
    const t = await this.owned(ownerId, id);
    const v = await this.view(t);
    const first = taskEventFor(
      { ...t, progress: v.progress, stage: v.stage },
      {
        ...(v.queue_position !== undefined ? { queuePosition: v.queue_position } : {}),
        ...(v.eta_seconds !== undefined ? { etaSeconds: v.eta_seconds } : {}),
      },
    );
    return events({
      initial: [first],
      finished: isTerminal(t.status),
      subscribe: (push, end) => {
        const off = this.d.bus.subscribe(id, (e) => {
          push(e);
          if (isTerminalEvent(e)) end();
        });
        // it may have ended between the read above and the subscription
        void this.d.store.tasks.get(id).then((now) => {
          if (now && isTerminal(now.status) && !isTerminal(t.status)) {
            push(taskEventFor(now));
            end();
          }
        });
        return off;
      },
    });
  }

  async outputs(taskId: string): Promise<AssetRecord[]> {
    return (await this.d.store.assets.ofTask(taskId)).filter((a) => a.kind === 'output');
  }

  private fileOf(
    asset: AssetRecord,
    size: number,
    extra: Partial<Pick<FileReply, 'disposition' | 'ranges'>>,
  ): FileReply {
    return file({
      contentType: asset.mime,
      size,
      open: (range) => this.d.files.stream(asset.path, range),
      ranges: extra.ranges ?? false,
      cacheControl: IMMUTABLE,
      ...(extra.disposition ? { disposition: extra.disposition } : {}),
    });
  }

  async result(ownerId: string, id: string, index: number, download: boolean): Promise<FileReply | EmptyReply> {
    const task = await this.owned(ownerId, id);
    const asset = (await this.outputs(task.id)).find((a) => a.idx === index);
    if (!asset) throw notFound('Result');
    const p = task.params;
    const seed = p.seeds[index] ?? p.seed;
    const filename = `mediagen-${p.model}-${seed}${p.batch_size > 1 ? `-${index}` : ''}.${EXT_NAME[asset.mime] ?? 'bin'}`;
    const disposition = { type: download ? ('attachment' as const) : ('inline' as const), filename };
    if (this.d.files.signedUrl) {
      // the object store serves the bytes (and Range) itself; the gateway only checked who may have them
      const location = await this.d.files.signedUrl(asset.path, { contentType: asset.mime, disposition });
      return empty(302, { headers: { location, 'cache-control': 'private, no-store' } });
    }
    return this.fileOf(asset, await this.d.files.size(asset.path), {
      ranges: true,
      disposition,
    });
  }

  /** An upload or an output by asset id (thumbnails are served by preview). */
  async asset(ownerId: string, assetId: string): Promise<FileReply> {
    const asset = await this.d.store.assets.get(assetId);
    if (asset?.ownerId !== ownerId || asset.kind === 'thumbnail') throw notFound('Asset');
    return this.fileOf(asset, await this.d.files.size(asset.path), {});
  }

  async preview(ownerId: string, id: string): Promise<FileReply> {
    const task = await this.owned(ownerId, id, { trashed: true }); // the trash shows thumbnails too
    if (task.status === 'completed') {
      const thumb = (await this.d.store.assets.ofTask(task.id)).find((a) => a.kind === 'thumbnail');
      if (thumb) {
        const bytes = await this.d.files.read(thumb.path);
        return inMemory(bytes, 'image/jpeg');
      }
    }
    // running on another gateway: the frame it shared
    const live = await this.d.previews.latest(id, task.status === 'running');
    if (!live) throw notFound('Preview');
    return inMemory(live.image, live.mime);
  }

  async remove(ownerId: string, id: string): Promise<void> {
    const t = await this.owned(ownerId, id);
    if (!isTerminal(t.status)) await this.cancel(ownerId, id);
    await this.d.store.assets.deleteOfTask(id);
    await this.d.store.tasks.delete(id);
    this.d.previews.drop(id);
    await this.d.files.removePrefix(`media/${id}`);
  }
}

function inMemory(bytes: Buffer, mime: string): FileReply {
  return file({
    contentType: mime,
    size: bytes.length,
    open: (range) => Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]),
    ranges: false,
    cacheControl: 'no-store',
  });
}
