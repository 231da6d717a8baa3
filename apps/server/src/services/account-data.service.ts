import { Readable } from 'node:stream';
import { MODELS, type ErasureResult } from '@mediagen/contract';
import type { FileStore } from '#ports/file-store.ts';
import type { Store, TaskRecord } from '#ports/store.ts';
import { zipStream, type ZipEntry } from './gallery-zip.ts';
import { file, type FileReply } from './replies.ts';

const EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
};
const ALL = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
const MAX_TASKS = 1_000_000;

export interface AccountDataDeps {
  store: Store;
  files: FileStore;
  /** cancel the owner's queued and running jobs (a running one stops writing before its files are erased) */
  cancelActive(ownerId: string): Promise<void>;
  audit(e: { actor: string; action: string; target: string }): Promise<void>;
  now: () => number;
}

/** A user's own data: the export of their gallery, and erasure (by themselves or by an admin). */
export class AccountDataService {
  constructor(private readonly d: AccountDataDeps) {}

  private async tasksOf(ownerId: string, statuses: TaskRecord['status'][]): Promise<TaskRecord[]> {
    const live = await this.d.store.tasks.list({ ownerId, statuses, limit: MAX_TASKS });
    const trashed = await this.d.store.tasks.list({ ownerId, statuses, limit: MAX_TASKS, trashed: true });
    return [...live, ...trashed];
  }

  /**
   * Every task, output, reference, thumbnail, withheld file, gallery row, prompt, preset, webhook setting and
   * session of the owner. The credit ledger and the audit log stay (they hold no prompt text); an audit entry
   * records the erasure.
   */
  async erase(ownerId: string, actor: string): Promise<ErasureResult> {
    await this.d.cancelActive(ownerId);
    const tasks = await this.tasksOf(ownerId, [...ALL]);
    const assets = await this.d.store.content.assetsOfOwner(ownerId);
    const quarantined = (await this.d.store.content.listQuarantine(MAX_TASKS)).filter((q) => q.ownerId === ownerId);
    const bytes =
      assets.reduce((n, a) => n + a.bytes, 0) +
      quarantined.reduce((n, q) => n + q.files.reduce((m, f) => m + f.bytes, 0), 0);
    const rows = await this.d.store.content.eraseOwner(ownerId);
    let files = 0;
    for (const a of assets) {
      await this.d.files.remove(a.path);
      files += 1;
    }
    for (const t of tasks) {
      await this.d.files.removePrefix(`media/${t.id}`);
      await this.d.files.removePrefix(`quarantine/${t.id}`);
    }
    files += quarantined.reduce((n, q) => n + q.files.length, 0);
    await this.d.audit({ actor, action: `account.erased tasks=${rows.tasks} files=${files}`, target: ownerId });
    return { tasks: rows.tasks, files, bytes };
  }

  /** The owner's gallery as a zip: every output under its task, and gallery.json with the parameters. */
  async export(ownerId: string): Promise<FileReply> {
    const tasks = await this.tasksOf(ownerId, ['completed']);
    const entries: ZipEntry[] = [];
    const items: unknown[] = [];
    for (const t of tasks) {
      const outputs = (await this.d.store.assets.ofTask(t.id)).filter((a) => a.kind === 'output');
      const names: string[] = [];
      for (const a of outputs) {
        const name = `media/${t.id}/${a.idx}.${EXT[a.mime] ?? 'bin'}`;
        names.push(name);
        entries.push({ name, open: () => this.d.files.stream(a.path) });
      }
      items.push({
        task_id: t.id,
        model: t.params.model,
        model_label: MODELS[t.params.model].label,
        created_at: new Date(t.createdAt).toISOString(),
        starred: t.starred ?? false,
        parameters: t.params,
        files: names,
      });
    }
    const presets = await this.d.store.presets.list(ownerId);
    const manifest = JSON.stringify(
      {
        exported_at: new Date(this.d.now()).toISOString(),
        items,
        presets: presets.map((p) => ({ name: p.name, params: p.params })),
      },
      null,
      2,
    );
    entries.unshift({ name: 'gallery.json', open: () => Readable.from([Buffer.from(manifest)]) });
    return file({
      contentType: 'application/zip',
      size: undefined,
      open: () => zipStream(entries),
      ranges: false,
      cacheControl: 'no-store',
      disposition: { type: 'attachment', filename: 'mediagen-export.zip' },
    });
  }
}
