import type { FileStore } from '#ports/file-store.ts';
import type { Store } from '#ports/store.ts';

const DAY_MS = 86_400_000;
const BATCH = 200;

/**
 * RETENTION_DAYS and the per-user override: finished jobs older than the limit lose their outputs, thumbnails and
 * gallery rows, and reference uploads older than it are deleted. Nothing younger, no running job, no ledger or
 * audit row is touched. Returns how many jobs and references went.
 */
export class Retention {
  constructor(
    private readonly d: {
      store: Store;
      files: FileStore;
      /** RETENTION_DAYS; undefined = kept until deleted (unless a user has an override) */
      days: number | undefined;
      now: () => number;
    },
  ) {}

  async run(): Promise<{ tasks: number; references: number }> {
    const overrides = new Map(
      (await this.d.store.content.listUserSettings()).map((s) => [s.userId, s.retentionDays] as const),
    );
    let tasks = 0;
    let references = 0;
    for (const owner of await this.d.store.content.owners()) {
      const days = overrides.get(owner) ?? this.d.days;
      if (days === undefined || days === null) continue;
      const before = this.d.now() - days * DAY_MS;
      for (;;) {
        const ids = await this.d.store.content.endedTasksBefore(owner, before, BATCH);
        for (const id of ids) {
          // rows first: a file without a row is collected later, a row without its file would be served as 404
          const assets = await this.d.store.assets.ofTask(id);
          await this.d.store.content.deleteAssets(assets.filter((a) => a.kind !== 'upload').map((a) => a.id));
          await this.d.store.tasks.delete(id);
          await this.d.files.removePrefix(`media/${id}`);
          tasks += 1;
        }
        if (ids.length < BATCH) break;
      }
      for (;;) {
        const old = await this.d.store.content.uploadsBefore(owner, before, BATCH);
        await this.d.store.content.deleteAssets(old.map((a) => a.id));
        for (const a of old) await this.d.files.remove(a.path);
        references += old.length;
        if (old.length < BATCH) break;
      }
    }
    return { tasks, references };
  }
}
