import type { TaskStatus } from '@mediagen/contract';
import type { ContentStore, QuarantineRecord, UserContentSettings } from '#ports/content-store.ts';
import type { AssetRecord, Store } from '#ports/store.ts';

const clone = <T>(v: T): T => structuredClone(v);
const ALL: TaskStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];
const ENDED: TaskStatus[] = ['completed', 'failed', 'cancelled'];
const byAge = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** What the content part of the memory store reaches in the rest of it. */
export interface MemoryContentTables {
  assets: Map<string, AssetRecord>;
  /** the whole store, for the task, prompt, preset and session parts (through their own methods) */
  store: () => Store;
  eraseWebhooks(ownerId: string): void;
}

/** ContentStore in memory, with the SQLite adapter's semantics (the store contract suite runs on both). */
export function createMemoryContentStore(t: MemoryContentTables): ContentStore {
  const settings = new Map<string, UserContentSettings>();
  const quarantine = new Map<string, QuarantineRecord>();
  const userSettings = async (userId: string): Promise<UserContentSettings> =>
    clone(settings.get(userId) ?? { userId, sfw: false, retentionDays: null });
  const tasks = () => t.store().tasks.byStatus(ALL);

  return {
    userSettings,
    async listUserSettings() {
      return [...settings.values()]
        .filter((s) => s.sfw || s.retentionDays !== null)
        .sort((a, b) => (a.userId < b.userId ? -1 : 1))
        .map(clone);
    },
    async setUserSettings(userId, patch) {
      const s = await userSettings(userId);
      if (patch.sfw !== undefined) s.sfw = patch.sfw;
      if (patch.retentionDays !== undefined) s.retentionDays = patch.retentionDays;
      settings.set(userId, s);
      return clone(s);
    },
    async insertQuarantine(r) {
      if (quarantine.has(r.id)) throw new Error(`UNIQUE constraint failed: quarantine.id (${r.id})`);
      quarantine.set(r.id, clone(r));
    },
    async getQuarantine(id) {
      const r = quarantine.get(id);
      return r ? clone(r) : undefined;
    },
    async listQuarantine(limit) {
      return [...quarantine.values()]
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
        .slice(0, limit)
        .map(clone);
    },
    async deleteQuarantine(id) {
      return quarantine.delete(id);
    },
    async storageByOwner() {
      const by = new Map<string, { ownerId: string; bytes: number; files: number; oldestAt: number | null }>();
      for (const a of t.assets.values()) {
        const o = by.get(a.ownerId) ?? { ownerId: a.ownerId, bytes: 0, files: 0, oldestAt: null };
        o.bytes += a.bytes;
        o.files += 1;
        o.oldestAt = o.oldestAt === null ? a.createdAt : Math.min(o.oldestAt, a.createdAt);
        by.set(a.ownerId, o);
      }
      return [...by.values()].sort((a, b) => b.bytes - a.bytes || (a.ownerId < b.ownerId ? -1 : 1));
    },
    async storageByModel() {
      const models = new Map((await tasks()).map((task) => [task.id, task.params.model]));
      const by = new Map<string, { model: string; bytes: number; files: number }>();
      for (const a of t.assets.values()) {
        const model = a.taskId ? models.get(a.taskId) : undefined;
        if (!model || (a.kind !== 'output' && a.kind !== 'thumbnail')) continue;
        const m = by.get(model) ?? { model, bytes: 0, files: 0 };
        m.bytes += a.bytes;
        m.files += 1;
        by.set(model, m);
      }
      return [...by.values()].sort((a, b) => b.bytes - a.bytes || (a.model < b.model ? -1 : 1));
    },
    async owners() {
      const owners = new Set([
        ...(await tasks()).map((x) => x.ownerId),
        ...[...t.assets.values()].map((a) => a.ownerId),
      ]);
      return [...owners].sort();
    },
    async assetsOfOwner(ownerId) {
      return [...t.assets.values()]
        .filter((a) => a.ownerId === ownerId)
        .sort(byAge)
        .map(clone);
    },
    async deleteAssets(ids) {
      for (const id of ids) t.assets.delete(id);
    },
    async endedTasksBefore(ownerId, before, limit) {
      return (await t.store().tasks.byStatus(ENDED))
        .filter((x) => x.ownerId === ownerId && x.createdAt < before)
        .sort(byAge)
        .slice(0, limit)
        .map((x) => x.id);
    },
    async uploadsBefore(ownerId, before, limit) {
      return [...t.assets.values()]
        .filter((a) => a.ownerId === ownerId && a.kind === 'upload' && a.createdAt < before)
        .sort(byAge)
        .slice(0, limit)
        .map(clone);
    },
    async eraseOwner(ownerId) {
      const store = t.store();
      const owned = (await tasks()).filter((x) => x.ownerId === ownerId);
      for (const x of owned) await store.tasks.delete(x.id);
      let assets = 0;
      for (const [id, a] of t.assets) {
        if (a.ownerId !== ownerId) continue;
        t.assets.delete(id);
        assets += 1;
      }
      for (const [id, r] of quarantine) if (r.ownerId === ownerId) quarantine.delete(id);
      for (const p of await store.prompts.list(ownerId, [], Number.MAX_SAFE_INTEGER))
        await store.prompts.delete(ownerId, p.id);
      for (const p of await store.presets.list(ownerId)) await store.presets.delete(ownerId, p.id);
      await store.sessions.deleteOfUser(ownerId);
      t.eraseWebhooks(ownerId);
      return { tasks: owned.length, assets };
    },
  };
}
