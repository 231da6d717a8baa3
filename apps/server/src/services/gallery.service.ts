import {
  API,
  type GalleryItem,
  type GalleryPage,
  type GalleryQuery,
  type LastFrame,
  type TrashPage,
} from '@mediagen/contract';
import { AppError, notFound } from '#domain/app-error.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { Store, TaskRecord } from '#ports/store.ts';
import { zipStream } from './gallery-zip.ts';
import { searchWords } from './prompt-history.service.ts';
import type { ReferenceImages } from './reference-images.ts';
import { file, type FileReply } from './replies.ts';
import { decodeCursor, encodeCursor } from './task-cursor.ts';
import type { TasksService } from './tasks.service.ts';

/** Deleted items stay restorable this long. */
export const TRASH_DAYS = 7;
const DAY = 86_400_000;

export interface GalleryDeps {
  store: Store;
  files: FileStore;
  media: Pick<MediaTools, 'lastFrame'>;
  images: Pick<ReferenceImages, 'prepareBytes' | 'persist'>;
  tasks: Pick<TasksService, 'owned' | 'outputs' | 'remove'>;
  now: () => number;
  log: { warn(o: object, m: string): void };
}

const EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'image/gif': 'gif',
};

/** A date (start of that day, UTC) or a date-time → epoch ms; `end` moves a bare date to the next day. */
function timeOf(value: string | undefined, end: boolean): number | undefined {
  if (!value) return undefined;
  const t = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return value.length === 10 && end ? t + DAY : t;
}

/** The gallery to work in: search, filters, stars, a trash kept for 7 days, zip download, a video's last frame. */
export class GalleryService {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: GalleryDeps) {}

  private async item(t: TaskRecord): Promise<GalleryItem> {
    const outputs = await this.d.tasks.outputs(t.id);
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
      starred: t.starred ?? false,
    };
  }

  async list(ownerId: string, q: GalleryQuery): Promise<GalleryPage> {
    const from = timeOf(q.from, false);
    const to = timeOf(q.to, true);
    const rows = await this.d.store.tasks.list({
      ownerId,
      statuses: ['completed'],
      ...(q.type ? { type: q.type } : {}),
      ...(q.model ? { model: q.model } : {}),
      ...(q.q ? { words: searchWords(q.q) } : {}),
      ...(from !== undefined ? { createdFrom: from } : {}),
      ...(to !== undefined ? { createdTo: to } : {}),
      ...(q.starred ? { starred: q.starred === 'true' } : {}),
      ...(q.lora ? { lora: q.lora } : {}),
      ...(q.cursor ? { before: decodeCursor(q.cursor) } : {}),
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: await Promise.all(page.map((t) => this.item(t))),
      next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null,
    };
  }

  async star(ownerId: string, id: string, starred: boolean): Promise<void> {
    await this.d.tasks.owned(ownerId, id);
    await this.d.store.tasks.setStarred(id, starred);
  }

  /** Move finished tasks to the trash (a queued or running one is not a gallery item: refused as unknown). */
  async trash(ownerId: string, ids: readonly string[]): Promise<string[]> {
    const finished: string[] = [];
    for (const id of ids) {
      const t = await this.d.store.tasks.get(id);
      if (t?.ownerId === ownerId && !t.trashedAt && t.status !== 'queued' && t.status !== 'running') finished.push(id);
    }
    return this.d.store.tasks.setTrashed(ownerId, finished, this.d.now());
  }

  async trashOne(ownerId: string, id: string): Promise<void> {
    const t = await this.d.tasks.owned(ownerId, id);
    if (t.status === 'queued' || t.status === 'running') {
      await this.d.tasks.remove(ownerId, id); // SPEC §4: deleting an unfinished task cancels and removes it
      return;
    }
    await this.d.store.tasks.setTrashed(ownerId, [id], this.d.now());
  }

  async restore(ownerId: string, id: string): Promise<void> {
    const changed = await this.d.store.tasks.setTrashed(ownerId, [id], null);
    if (changed.length === 0) throw notFound('Trashed item');
  }

  async trashList(ownerId: string): Promise<TrashPage> {
    const rows = await this.d.store.tasks.list({
      ownerId,
      statuses: ['completed', 'failed', 'cancelled'],
      trashed: true,
      limit: 500,
    });
    rows.sort((a, b) => (b.trashedAt ?? 0) - (a.trashedAt ?? 0));
    return {
      items: await Promise.all(
        rows.map(async (t) => ({
          ...(await this.item(t)),
          trashed_at: new Date(t.trashedAt ?? 0).toISOString(),
          purge_at: new Date((t.trashedAt ?? 0) + TRASH_DAYS * DAY).toISOString(),
        })),
      ),
      retention_days: TRASH_DAYS,
    };
  }

  /** Delete for good what has been in the trash longer than the retention. */
  async purge(): Promise<number> {
    const ids = await this.d.store.tasks.trashedBefore(this.d.now() - TRASH_DAYS * DAY);
    for (const id of ids) {
      const t = await this.d.store.tasks.get(id);
      if (t) await this.d.tasks.remove(t.ownerId, id).catch(() => undefined);
    }
    return ids.length;
  }

  startPurging(everyMs = 3_600_000): void {
    const run = (): void => {
      this.purge().catch((err: unknown) => this.d.log.warn({ err }, 'trash purge failed'));
    };
    run();
    this.timer = setInterval(run, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The outputs of the owner's items as one zip, streamed (named like the single downloads). */
  async zip(ownerId: string, idList: string): Promise<FileReply> {
    const ids = [...new Set(idList.split(',').filter((s) => s.length > 0))].slice(0, 100);
    const entries: Array<{ name: string; path: string }> = [];
    for (const id of ids) {
      const t = await this.d.tasks.owned(ownerId, id);
      for (const a of await this.d.tasks.outputs(t.id)) {
        const seed = t.params.seeds[a.idx] ?? t.params.seed + a.idx;
        const suffix = t.params.batch_size > 1 ? `-${a.idx}` : '';
        entries.push({
          name: `mediagen-${t.params.model}-${seed}${suffix}-${t.id.slice(0, 8)}.${EXT[a.mime] ?? 'bin'}`,
          path: a.path,
        });
      }
    }
    if (entries.length === 0) throw notFound('Output');
    return file({
      contentType: 'application/zip',
      size: undefined,
      open: () => zipStream(entries.map((e) => ({ name: e.name, open: () => this.d.files.stream(e.path) }))),
      ranges: false,
      cacheControl: 'no-store',
      disposition: { type: 'attachment', filename: `mediagen-${entries.length}-files.zip` },
    });
  }

  /** A video's last frame as an image asset of the owner: the start of an i2v job that continues it. */
  async lastFrame(ownerId: string, id: string): Promise<LastFrame> {
    const t = await this.d.tasks.owned(ownerId, id);
    const video = (await this.d.tasks.outputs(t.id)).find((a) => a.mime.startsWith('video/'));
    if (t.status !== 'completed' || !video) throw new AppError('conflict', 'Only a finished video has a last frame');
    const local = await this.d.files.readablePath(video.path);
    const png = await this.d.media.lastFrame(local.path).finally(() => local.release());
    const prepared = await this.d.images.prepareBytes(ownerId, 'reference_image', png);
    await this.d.images.persist([prepared]);
    await this.d.store.assets.insert(prepared.asset);
    return { asset_id: prepared.asset.id, preview_url: API.asset(prepared.asset.id) };
  }
}
