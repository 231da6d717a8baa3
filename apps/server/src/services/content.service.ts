import crypto from 'node:crypto';
import path from 'node:path';
import type { QuarantineList, StorageReport, UserContentPatch, UserListItem } from '@mediagen/contract';
import { AppError, notFound } from '#domain/app-error.ts';
import { isReleasable, OUTPUT_RULES, type OutputCheckMode, type OutputRule } from '#domain/output-policy.ts';
import type { QuarantineRecord } from '#ports/content-store.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { AssetRecord, Store, TaskRecord } from '#ports/store.ts';
import { file, type FileReply } from './replies.ts';
import { storeThumbnail } from './stored-media.ts';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
const ruleOf = (r: string): OutputRule => OUTPUT_RULES.find((x) => x === r) ?? 'minor+explicit';

export interface ContentServiceDeps {
  store: Store;
  files: FileStore;
  media: Pick<MediaTools, 'thumbnail'>;
  /** tells the owner's streams the task changed (its event) */
  publish(task: TaskRecord): void;
  mode: OutputCheckMode;
  retentionDays: number | undefined;
  /** the finished result of a released job (worker/output-processing.ts) */
  resultOf(task: TaskRecord, assets: readonly AssetRecord[]): TaskRecord['result'];
  now: () => number;
}

/** The admin's side of content and data: the review queue of withheld outputs, per-user settings, storage report. */
export class ContentService {
  constructor(private readonly d: ContentServiceDeps) {}

  async quarantineList(): Promise<QuarantineList> {
    const rows = await this.d.store.content.listQuarantine(500);
    const names = new Map((await this.d.store.users.list()).map((u) => [u.id, u.name]));
    return {
      mode: this.d.mode,
      items: rows.map((r) => ({
        id: r.id,
        task_id: r.taskId,
        user_id: r.ownerId,
        user_name: names.get(r.ownerId) ?? null,
        model: r.model,
        type: r.type,
        rule: ruleOf(r.rule),
        scores: r.scores,
        files: r.files.length,
        created_at: iso(r.createdAt) ?? '',
        releasable: isReleasable(ruleOf(r.rule)),
        thumbnail_url: r.thumbnail ? `/api/admin/quarantine/${encodeURIComponent(r.id)}/thumbnail` : null,
      })),
    };
  }

  private async record(id: string): Promise<QuarantineRecord> {
    const r = await this.d.store.content.getQuarantine(id);
    if (!r) throw notFound('Quarantined item');
    return r;
  }

  /** The blurred preview made when the output was withheld (the files themselves are never served). */
  async quarantineThumbnail(id: string): Promise<FileReply> {
    const r = await this.record(id);
    if (!r.thumbnail) throw notFound('Preview');
    const key = r.thumbnail;
    const size = await this.d.files.size(key);
    return file({
      contentType: 'image/jpeg',
      size,
      open: () => this.d.files.stream(key),
      ranges: false,
      cacheControl: 'no-store',
    });
  }

  async quarantineDelete(id: string): Promise<void> {
    const r = await this.record(id);
    if (!(await this.d.store.content.deleteQuarantine(r.id))) throw notFound('Quarantined item');
    await this.d.files.removePrefix(`quarantine/${r.taskId}`);
  }

  /**
   * Into the user's gallery: only what a safe-for-work setting withheld (a minor rule never). The files move back
   * under media/, get their rows and a thumbnail, and the task becomes completed with its result.
   */
  async quarantineRelease(id: string): Promise<void> {
    const r = await this.record(id);
    if (!isReleasable(ruleOf(r.rule))) {
      throw new AppError('conflict', 'An output withheld for a minor indicator is never released');
    }
    const task = await this.d.store.tasks.get(r.taskId);
    if (task?.status !== 'failed') throw new AppError('conflict', 'The task of this item is gone or not failed');
    if (!(await this.d.store.content.deleteQuarantine(r.id))) throw notFound('Quarantined item');
    const assets: AssetRecord[] = [];
    for (const f of [...r.files].sort((a, b) => a.idx - b.idx)) {
      const key = `media/${task.id}/${path.basename(f.path)}`;
      await this.d.files.move(f.path, key);
      const asset: AssetRecord = {
        id: crypto.randomUUID(),
        ownerId: task.ownerId,
        taskId: task.id,
        kind: 'output',
        idx: f.idx,
        path: key,
        mime: f.mime,
        width: f.width,
        height: f.height,
        bytes: f.bytes,
        createdAt: this.d.now(),
      };
      await this.d.store.assets.insert(asset);
      assets.push(asset);
    }
    await this.d.files.removePrefix(`quarantine/${task.id}`);
    const first = assets[0];
    if (first) {
      const thumb = `media/${task.id}/thumb.jpg`;
      const moving = first.mime.startsWith('video/');
      await storeThumbnail(this.d, { key: first.path, kind: moving ? 'video' : 'image' }, thumb, 384);
      await this.d.store.assets.insert({
        ...first,
        id: crypto.randomUUID(),
        kind: 'thumbnail',
        idx: 0,
        path: thumb,
        mime: 'image/jpeg',
        width: null,
        height: null,
        bytes: await this.d.files.size(thumb),
      });
    }
    const patch = { result: this.d.resultOf(task, assets), error: null, errorCode: null, retriable: null };
    await this.d.store.tasks.update(task.id, { ...patch, status: 'completed' }, 'failed');
    this.d.publish({ ...task, ...patch, status: 'completed', updatedAt: this.d.now() });
  }

  async userPatch(userId: string, patch: UserContentPatch): Promise<UserListItem> {
    const u = await this.d.store.users.get(userId);
    if (!u || u.deletedAt !== null) throw notFound('User');
    const s = await this.d.store.content.setUserSettings(
      userId,
      {
        ...(patch.sfw !== undefined ? { sfw: patch.sfw } : {}),
        ...(patch.retention_days !== undefined ? { retentionDays: patch.retention_days } : {}),
      },
      this.d.now(),
    );
    return {
      id: u.id,
      name: u.name,
      credits: u.credits,
      created_at: iso(u.createdAt) ?? '',
      sfw: s.sfw,
      retention_days: s.retentionDays,
    };
  }

  async storage(): Promise<StorageReport> {
    const owners = await this.d.store.content.storageByOwner();
    const names = new Map((await this.d.store.users.list()).map((u) => [u.id, u.name]));
    const overrides = new Map((await this.d.store.content.listUserSettings()).map((s) => [s.userId, s.retentionDays]));
    const held = await this.d.files.list('quarantine/');
    const oldest = owners.reduce<number | null>(
      (m, o) => (o.oldestAt === null ? m : m === null ? o.oldestAt : Math.min(m, o.oldestAt)),
      null,
    );
    return {
      total_bytes: owners.reduce((n, o) => n + o.bytes, 0),
      files: owners.reduce((n, o) => n + o.files, 0),
      oldest_at: iso(oldest),
      retention_days: this.d.retentionDays ?? null,
      users: owners.map((o) => ({
        user_id: o.ownerId,
        name: names.get(o.ownerId) ?? null,
        bytes: o.bytes,
        files: o.files,
        oldest_at: iso(o.oldestAt),
        retention_days: overrides.get(o.ownerId) ?? null,
      })),
      models: await this.d.store.content.storageByModel(),
      quarantine: { bytes: held.reduce((n, f) => n + f.bytes, 0), files: held.length },
    };
  }
}
