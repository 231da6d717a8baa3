import { loraFiles, zResolvedGeneration, type ModelId, type ResolvedLora, type TaskStatus } from '@mediagen/contract';
import { overBounds } from '#adapters/store/queue-bounds.ts';
import type { AcceptResult, AssetRecord, Store, TaskRecord, TaskUpdate } from '#ports/store.ts';

/** What the task repo shares with the rest of the memory store (assets land with their task; credits are held with it). */
export interface MemoryTaskTables {
  assets: Map<string, AssetRecord>;
  /** the reserve entry of a new task, refused (ok false) when the balance would go negative; undefined = no such user */
  holdCredits(userId: string, taskId: string, amount: number, at: number): { ok: boolean; balance: number | null };
  userBalance(userId: string): number | null;
}

interface TaskRow {
  task: TaskRecord;
  /** copied at insert, as the SQL adapter keeps them in their own columns */
  type: 'image' | 'video';
  model: ModelId;
}

const TERMINAL: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

const EMPTY_RUN_FIELDS = {
  accountId: null,
  promptId: null,
  attempts: 0,
  error: null,
  errorCode: null,
  retriable: null,
  result: null,
  startedAt: null,
  finishedAt: null,
  gpuMs: null,
} as const satisfies Partial<TaskRecord>;

/** Same order as `ORDER BY created_at, id` (ids compared as the SQL adapter's binary collation does, for ASCII ids). */
export function byCreation(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const isBefore = (t: { createdAt: number; id: string }, c: { createdAt: number; id: string }): boolean =>
  t.createdAt < c.createdAt || (t.createdAt === c.createdAt && t.id < c.id);

/** The task part of the in-memory Store: the SQLite adapter's semantics, without SQL. */
export function createMemoryTaskRepo(tables: MemoryTaskTables, now: () => number): Store['tasks'] {
  const rows = new Map<string, TaskRow>();
  const idempotency = new Map<string, { taskId: string; requestHash: string }>();
  const durations = new Map<ModelId, { units: number; seconds: number }>();
  const idemKey = (ownerId: string, key: string): string => JSON.stringify([ownerId, key]);
  const queued = (): TaskRecord[] =>
    [...rows.values()]
      .map((r) => r.task)
      .filter((t) => t.status === 'queued')
      .sort(byCreation);
  const typeOf = (t: TaskRecord): 'image' | 'video' => rows.get(t.id)?.type ?? t.params.type;

  return {
    async insert({ task, idempotency: idem, reserveCredits, assets = [], bounds }): Promise<AcceptResult> {
      zResolvedGeneration.parse(task.params);
      if (idem) {
        const prior = idempotency.get(idemKey(task.ownerId, idem.key));
        if (prior) return { ok: false, reason: 'duplicate', ...prior };
      }
      if (bounds) {
        const waiting = [...queued()];
        const counts = {
          ownerQueued: waiting.filter((t) => t.ownerId === task.ownerId).length,
          queuedOfType: waiting.filter((t) => typeOf(t) === task.params.type).length,
          waitingVideo: waiting.filter((t) => typeOf(t) === 'video').length,
        };
        if (overBounds(counts, bounds)) return { ok: false, reason: 'queue_bound', ...counts };
      }
      // every check before the first write: the whole accept is one transaction
      if (rows.has(task.id)) throw new Error(`UNIQUE constraint failed: tasks.id (${task.id})`);
      for (const a of assets) {
        if (tables.assets.has(a.id)) throw new Error(`UNIQUE constraint failed: assets.id (${a.id})`);
      }
      if (reserveCredits !== undefined) {
        const balance = tables.userBalance(task.ownerId);
        if (balance !== null) {
          const held = tables.holdCredits(task.ownerId, task.id, reserveCredits, task.createdAt);
          if (!held.ok) return { ok: false, reason: 'insufficient_credits', balance };
        }
      }
      // like the SQL adapter's INSERT: the accept-time fields; what a run writes later starts empty
      const stored: TaskRecord = {
        ...structuredClone(task),
        ...EMPTY_RUN_FIELDS,
        // the SQL columns' defaults
        starred: false,
        trashedAt: null,
        priority: 0,
      };
      rows.set(task.id, { task: stored, type: task.params.type, model: task.params.model });
      if (idem) idempotency.set(idemKey(task.ownerId, idem.key), { taskId: task.id, requestHash: idem.requestHash });
      for (const a of assets) tables.assets.set(a.id, structuredClone(a));
      return { ok: true };
    },
    async get(id) {
      const row = rows.get(id);
      return row ? structuredClone(row.task) : undefined;
    },
    async update(id, patch, expectStatus) {
      const row = rows.get(id);
      if (!row || (expectStatus && row.task.status !== expectStatus)) return false;
      const set: Partial<TaskRecord> = {};
      for (const [k, v] of Object.entries(patch) as Array<[keyof TaskUpdate, unknown]>) {
        if (v !== undefined) Object.assign(set, { [k]: structuredClone(v) });
      }
      row.task = { ...row.task, ...set, updatedAt: now() };
      return true;
    },
    async recordProgress(id, progress, stage) {
      const row = rows.get(id);
      if (row?.task.status !== 'running') return false;
      row.task = { ...row.task, progress, stage, updatedAt: now() };
      return true;
    },
    async delete(id) {
      for (const [key, v] of idempotency) if (v.taskId === id) idempotency.delete(key);
      rows.delete(id);
    },
    async list(q) {
      return [...rows.values()]
        .filter(
          (r) =>
            r.task.ownerId === q.ownerId &&
            q.statuses.includes(r.task.status) &&
            (q.type === undefined || r.type === q.type) &&
            (q.model === undefined || r.model === q.model) &&
            (q.before === undefined || isBefore(r.task, q.before)) &&
            (q.trashed ? r.task.trashedAt != null : r.task.trashedAt == null) &&
            (q.words ?? []).every((w) => r.task.params.prompt.toLowerCase().includes(w.toLowerCase())) &&
            (q.createdFrom === undefined || r.task.createdAt >= q.createdFrom) &&
            (q.createdTo === undefined || r.task.createdAt < q.createdTo) &&
            (q.starred === undefined || (r.task.starred ?? false) === q.starred) &&
            (q.lora === undefined || (r.task.params.loras ?? []).some((l) => l.name === q.lora)),
        )
        .map((r) => r.task)
        .sort((a, b) => byCreation(b, a))
        .slice(0, q.limit)
        .map((t) => structuredClone(t));
    },
    async byStatus(statuses) {
      return [...rows.values()]
        .map((r) => r.task)
        .filter((t) => statuses.includes(t.status))
        .sort(byCreation)
        .map((t) => structuredClone(t));
    },
    async queuePosition(id) {
      const t = rows.get(id)?.task;
      if (t?.status !== 'queued') return 0;
      return queued().filter((q) => isBefore(q, t)).length + 1;
    },
    async countQueued() {
      return queued().length;
    },
    async countQueuedOf(ownerId) {
      return queued().filter((t) => t.ownerId === ownerId).length;
    },
    async finishedSince(since) {
      return [...rows.values()]
        .filter((r) => TERMINAL.includes(r.task.status) && r.task.finishedAt !== null && r.task.finishedAt >= since)
        .sort((a, b) => (a.task.finishedAt ?? 0) - (b.task.finishedAt ?? 0))
        .map((r) => ({
          id: r.task.id,
          ownerId: r.task.ownerId,
          model: r.model,
          status: r.task.status as 'completed' | 'failed' | 'cancelled',
          createdAt: r.task.createdAt,
          startedAt: r.task.startedAt,
          finishedAt: r.task.finishedAt ?? 0,
          gpuMs: r.task.gpuMs,
        }));
    },
    async queuedSummaries(filter) {
      // an admin's "move to front" first, then arrival
      return [...queued()]
        .filter((t) => !filter || (typeOf(t) === filter.type && t.createdAt < filter.createdBefore))
        .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || byCreation(a, b))
        .map((t) => ({
          id: t.id,
          ownerId: t.ownerId,
          model: rows.get(t.id)?.model ?? t.params.model,
          type: typeOf(t),
          createdAt: t.createdAt,
          priority: t.priority ?? 0,
          estimatedSeconds: t.estimatedSeconds,
          ...neededLoraFiles(t.params.loras),
        }));
    },
    async setStarred(id, starred) {
      const r = rows.get(id);
      if (r) r.task.starred = starred;
    },
    async setTrashed(ownerId, ids, at) {
      const changed: string[] = [];
      for (const id of ids) {
        const r = rows.get(id);
        if (r?.task.ownerId !== ownerId) continue;
        const inTrash = r.task.trashedAt != null;
        if ((at === null && inTrash) || (at !== null && !inTrash)) {
          r.task.trashedAt = at;
          changed.push(id);
        }
      }
      return changed;
    },
    async trashedBefore(at) {
      return [...rows.values()].filter((r) => r.task.trashedAt != null && r.task.trashedAt < at).map((r) => r.task.id);
    },
    async moveToFront(id) {
      const r = rows.get(id);
      if (r?.task.status !== 'queued') return false;
      r.task.priority = Math.max(0, ...queued().map((t) => t.priority ?? 0)) + 1;
      return true;
    },
    async queueStats() {
      const all = queued();
      const video = all.filter((t) => typeOf(t) === 'video');
      return { queued: all.length, waitingVideo: video.length, oldestVideoCreatedAt: video[0]?.createdAt ?? null };
    },
    async findIdempotent(ownerId, key) {
      const found = idempotency.get(idemKey(ownerId, key));
      return found ? { ...found } : undefined;
    },
    async measuredSecondsPerUnit(model) {
      const d = durations.get(model);
      return d && d.units > 0 ? d.seconds / d.units : undefined;
    },
    async recordDuration(model, units, seconds) {
      const d = durations.get(model) ?? { units: 0, seconds: 0 };
      durations.set(model, { units: d.units + units, seconds: d.seconds + seconds });
    },
  };
}

function neededLoraFiles(loras: readonly ResolvedLora[] | undefined): { loraFiles?: string[] } {
  const files = [...new Set((loras ?? []).flatMap(loraFiles))];
  return files.length > 0 ? { loraFiles: files } : {};
}
