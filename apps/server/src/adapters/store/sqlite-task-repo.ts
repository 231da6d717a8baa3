import type Database from 'better-sqlite3';
import {
  loraFiles,
  zResolvedGeneration,
  type GenerationResult,
  type ModelId,
  type ResolvedGeneration,
  type ResolvedLora,
  type TaskStatus,
} from '@mediagen/contract';
import type {
  AcceptResult,
  AssetRecord,
  QueueBounds,
  Store,
  TaskListQuery,
  TaskRecord,
  TaskUpdate,
} from '#ports/store.ts';
import { groupCommit } from './group-commit.ts';
import { overBounds } from './queue-bounds.ts';
import { FINISHED_SQL, finished, likeWord, TASK_UPDATE_COLUMN, type FinishedRow } from './store-rows.ts';
import type { CreditApply } from './sqlite-ledger-repos.ts';
import { withoutFsync } from './sqlite-wal-durability.ts';

interface TaskRow {
  id: string;
  owner_id: string;
  status: string;
  stage: string;
  progress: number;
  params: string;
  estimated_seconds: number;
  account_id: string | null;
  prompt_id: string | null;
  attempts: number;
  error: string | null;
  error_code: string | null;
  retriable: number | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  gpu_ms: number | null;
  starred: number;
  trashed_at: number | null;
  priority: number;
}

function fromRow(r: TaskRow): TaskRecord {
  return {
    id: r.id,
    ownerId: r.owner_id,
    status: r.status as TaskRecord['status'],
    stage: r.stage as TaskRecord['stage'],
    progress: r.progress,
    // rows are validated when written; reads skip zod to keep status polling cheap
    params: JSON.parse(r.params) as ResolvedGeneration,
    estimatedSeconds: r.estimated_seconds,
    accountId: r.account_id,
    promptId: r.prompt_id,
    attempts: r.attempts,
    error: r.error,
    errorCode: r.error_code,
    retriable: r.retriable === null ? null : r.retriable === 1,
    result: r.result ? (JSON.parse(r.result) as GenerationResult) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    gpuMs: r.gpu_ms,
    starred: r.starred === 1,
    trashedAt: r.trashed_at,
    priority: r.priority,
  };
}

/** SQLite's lower() folds ASCII only: searches fold Cyrillic (and every other script) too. */
export function registerLower(db: Database.Database): void {
  db.function('mg_lower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
}

function toColumnValue(key: keyof TaskUpdate, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (key === 'result' || key === 'params') return JSON.stringify(value);
  if (key === 'retriable') return value ? 1 : 0;
  return value;
}

export function createSqliteTaskRepo(
  db: Database.Database,
  now: () => number,
  prepare: (sql: string) => Database.Statement,
  applyCredit: CreditApply,
  /** the WAL's fsync off the event loop (sqlite-wal-durability.ts); absent: each batch commits with its own */
  durable?: () => Promise<void>,
): Store['tasks'] {
  const q = prepare;
  registerLower(db);
  const insertTask = q(`INSERT INTO tasks (id, owner_id, status, stage, progress, type, model, mode, params,
    estimated_seconds, account_id, prompt_id, attempts, created_at, updated_at)
    VALUES (@id, @owner_id, @status, @stage, @progress, @type, @model, @mode, @params, @estimated_seconds, NULL, NULL, 0, @created_at, @updated_at)`);
  const insertIdem = q(
    'INSERT INTO idempotency (owner_id, key, task_id, request_hash, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const getTask = q('SELECT * FROM tasks WHERE id = ?');
  // counted from the back: a job just admitted (the common ask) has next to nothing behind it
  const queuedAfter = q(
    `SELECT COUNT(*) AS n FROM tasks WHERE status = 'queued' AND (created_at > @c OR (created_at = @c AND id > @id))`,
  );
  // queue_counts is kept by triggers (migration 7): exact, and no scan of the queued rows per request
  const countQueued = q(`SELECT COALESCE(SUM(n), 0) AS n FROM queue_counts`);
  const countQueuedOf = q(`SELECT COALESCE(SUM(n), 0) AS n FROM queue_counts WHERE owner_id = ?`);
  const countQueuedOfType = q(`SELECT COALESCE(SUM(n), 0) AS n FROM queue_counts WHERE type = ?`);
  const stats = q(
    `SELECT COALESCE(SUM(n), 0) AS queued, COALESCE(SUM(CASE WHEN type = 'video' THEN n END), 0) AS video,
      (SELECT MIN(created_at) FROM tasks WHERE status = 'queued' AND type = 'video') AS oldest FROM queue_counts`,
  );
  const findIdem = q('SELECT task_id, request_hash FROM idempotency WHERE owner_id = ? AND key = ?');
  const getDur = q('SELECT units, seconds FROM durations WHERE model = ?');
  const upsertDur = q(`INSERT INTO durations (model, units, seconds, jobs) VALUES (?, ?, ?, 1)
    ON CONFLICT(model) DO UPDATE SET units = units + excluded.units, seconds = seconds + excluded.seconds, jobs = jobs + 1`);

  const insertAsset =
    q(`INSERT INTO assets (id, owner_id, task_id, kind, idx, path, mime, width, height, bytes, created_at)
    VALUES (@id, @ownerId, @taskId, @kind, @idx, @path, @mime, @width, @height, @bytes, @createdAt)`);
  const userCredits = q('SELECT credits FROM users WHERE id = ?');
  // accepted jobs are committed in groups: one fsync per batch, each caller answered once its batch is durable
  const admitted = groupCommit(
    db,
    ({
      task,
      idempotency,
      reserve,
      assets,
      bounds,
    }: {
      task: TaskRecord;
      idempotency: { key: string; requestHash: string } | undefined;
      reserve: number | undefined;
      assets: AssetRecord[];
      bounds: QueueBounds | undefined;
    }): AcceptResult => {
      if (idempotency) {
        const prior = findIdem.get(task.ownerId, idempotency.key) as
          { task_id: string; request_hash: string } | undefined;
        if (prior) return { ok: false, reason: 'duplicate', taskId: prior.task_id, requestHash: prior.request_hash };
      }
      if (bounds) {
        // the counters include every job committed before, and the earlier jobs of this same batch
        const n = (st: Database.Statement, arg: string): number => (st.get(arg) as { n: number }).n;
        const counts = {
          ownerQueued: n(countQueuedOf, task.ownerId),
          queuedOfType: n(countQueuedOfType, task.params.type),
          waitingVideo: n(countQueuedOfType, 'video'),
        };
        if (overBounds(counts, bounds)) return { ok: false, reason: 'queue_bound', ...counts };
      }
      if (reserve !== undefined) {
        const balance = (userCredits.get(task.ownerId) as { credits: number | null } | undefined)?.credits ?? null;
        if (balance !== null) {
          const held = applyCredit(
            { userId: task.ownerId, taskId: task.id, kind: 'reserve', amount: -reserve, at: task.createdAt },
            false,
          );
          if (!held.ok) return { ok: false, reason: 'insufficient_credits', balance };
        }
      }
      insertTask.run({
        id: task.id,
        owner_id: task.ownerId,
        status: task.status,
        stage: task.stage,
        progress: task.progress,
        type: task.params.type,
        model: task.params.model,
        mode: task.params.mode,
        params: JSON.stringify(task.params),
        estimated_seconds: task.estimatedSeconds,
        created_at: task.createdAt,
        updated_at: task.updatedAt,
      });
      if (idempotency) insertIdem.run(task.ownerId, idempotency.key, task.id, idempotency.requestHash, task.createdAt);
      for (const a of assets) insertAsset.run(a);
      return { ok: true };
    },
    durable ? { durable } : {},
  );

  return {
    async insert({ task, idempotency, reserveCredits, assets, bounds }) {
      zResolvedGeneration.parse(task.params);
      return admitted({ task, idempotency, reserve: reserveCredits, assets: assets ?? [], bounds });
    },
    async get(id) {
      const row = getTask.get(id) as TaskRow | undefined;
      return row ? fromRow(row) : undefined;
    },
    async update(id, patch, expectStatus) {
      const keys = (Object.keys(patch) as Array<keyof TaskUpdate>).filter((k) => patch[k] !== undefined);
      const sets = keys.map((k) => `${TASK_UPDATE_COLUMN[k]} = @${k}`);
      sets.push('updated_at = @updated_at');
      const values: Record<string, unknown> = { id, updated_at: now() };
      for (const k of keys) values[k] = toColumnValue(k, patch[k]);
      let sql = `UPDATE tasks SET ${sets.join(', ')} WHERE id = @id`;
      if (expectStatus) {
        sql += ' AND status = @expect';
        values.expect = expectStatus;
      }
      return q(sql).run(values).changes === 1;
    },
    async recordProgress(id, progress, stage) {
      // several GPUs report a few times a second: an fsync each would stall every request on the event loop
      return withoutFsync(
        db,
        () =>
          q(`UPDATE tasks SET progress = ?, stage = ?, updated_at = ? WHERE id = ? AND status = 'running'`).run(
            progress,
            stage,
            now(),
            id,
          ).changes === 1,
      );
    },
    async delete(id) {
      db.transaction(() => {
        q('DELETE FROM idempotency WHERE task_id = ?').run(id);
        q('DELETE FROM tasks WHERE id = ?').run(id);
      })();
    },
    async list(query: TaskListQuery) {
      const where = ['owner_id = @owner', `status IN (${query.statuses.map((_, i) => `@s${i}`).join(',')})`];
      const values: Record<string, unknown> = { owner: query.ownerId, limit: query.limit };
      where.push(query.trashed ? 'trashed_at IS NOT NULL' : 'trashed_at IS NULL');
      (query.words ?? []).forEach((w, i) => {
        where.push(`prompt_text LIKE @w${i} ESCAPE '\\'`);
        values[`w${i}`] = likeWord(w.toLowerCase());
      });
      if (query.createdFrom !== undefined) {
        where.push('created_at >= @cfrom');
        values.cfrom = query.createdFrom;
      }
      if (query.createdTo !== undefined) {
        where.push('created_at < @cto');
        values.cto = query.createdTo;
      }
      if (query.starred !== undefined) {
        where.push('starred = @starred');
        values.starred = query.starred ? 1 : 0;
      }
      query.statuses.forEach((s, i) => (values[`s${i}`] = s));
      if (query.type) {
        where.push('type = @type');
        values.type = query.type;
      }
      if (query.model) {
        where.push('model = @model');
        values.model = query.model;
      }
      if (query.lora !== undefined) {
        where.push(
          `EXISTS (SELECT 1 FROM json_each(params, '$.loras') AS l WHERE json_extract(l.value, '$.name') = @lora)`,
        );
        values.lora = query.lora;
      }
      if (query.before) {
        where.push('(created_at < @bc OR (created_at = @bc AND id < @bid))');
        values.bc = query.before.createdAt;
        values.bid = query.before.id;
      }
      const from = query.words?.length
        ? `(SELECT *, mg_lower(json_extract(params, '$.prompt')) AS prompt_text FROM tasks WHERE owner_id = @owner)`
        : 'tasks';
      const rows = q(
        `SELECT * FROM ${from} WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT @limit`,
      ).all(values) as TaskRow[];
      return rows.map(fromRow);
    },
    async byStatus(statuses: TaskStatus[]) {
      const rows = q(
        `SELECT * FROM tasks WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY created_at, id`,
      ).all(...statuses) as TaskRow[];
      return rows.map(fromRow);
    },
    async queuePosition(id) {
      const t = getTask.get(id) as TaskRow | undefined;
      if (!t || t.status !== 'queued') return 0;
      const after = (queuedAfter.get({ c: t.created_at, id }) as { n: number }).n;
      return (countQueued.get() as { n: number }).n - after;
    },
    async countQueuedOf(ownerId) {
      return (countQueuedOf.get(ownerId) as { n: number }).n;
    },
    async countQueued() {
      return (countQueued.get() as { n: number }).n;
    },
    async finishedSince(since) {
      return (q(`${FINISHED_SQL}? ORDER BY finished_at`).all(since) as FinishedRow[]).map(finished);
    },
    async queuedSummaries(filter) {
      const columns = `SELECT id, owner_id, model, type, created_at, priority, estimated_seconds,
            json_extract(params, '$.loras') AS loras FROM tasks WHERE status = 'queued'`;
      const rows = (
        filter
          ? q(`${columns} AND type = ? AND created_at < ? ORDER BY priority DESC, created_at, id`).all(
              filter.type,
              filter.createdBefore,
            )
          : q(`${columns} ORDER BY priority DESC, created_at, id`).all()
      ) as Array<{
        id: string;
        owner_id: string;
        model: ModelId;
        type: 'image' | 'video';
        created_at: number;
        priority: number;
        estimated_seconds: number;
        loras: string | null;
      }>;
      return rows.map((r) => ({
        id: r.id,
        ownerId: r.owner_id,
        model: r.model,
        type: r.type,
        createdAt: r.created_at,
        priority: r.priority,
        estimatedSeconds: r.estimated_seconds,
        ...neededLoraFiles(r.loras),
      }));
    },
    async queueStats() {
      const r = stats.get() as { queued: number; video: number | null; oldest: number | null };
      return { queued: r.queued, waitingVideo: r.video ?? 0, oldestVideoCreatedAt: r.oldest };
    },
    async findIdempotent(ownerId, key) {
      const r = findIdem.get(ownerId, key) as { task_id: string; request_hash: string } | undefined;
      return r ? { taskId: r.task_id, requestHash: r.request_hash } : undefined;
    },
    async measuredSecondsPerUnit(model: ModelId) {
      const r = getDur.get(model) as { units: number; seconds: number } | undefined;
      return r && r.units > 0 ? r.seconds / r.units : undefined;
    },
    async recordDuration(model, units, seconds) {
      upsertDur.run(model, units, seconds);
    },
    async setStarred(id, starred) {
      q('UPDATE tasks SET starred = ? WHERE id = ?').run(starred ? 1 : 0, id);
    },
    async setTrashed(ownerId, ids, at) {
      const changed: string[] = [];
      const st = q(
        at === null
          ? 'UPDATE tasks SET trashed_at = NULL WHERE id = ? AND owner_id = ? AND trashed_at IS NOT NULL'
          : 'UPDATE tasks SET trashed_at = ? WHERE id = ? AND owner_id = ? AND trashed_at IS NULL',
      );
      db.transaction(() => {
        for (const id of ids) {
          const r = at === null ? st.run(id, ownerId) : st.run(at, id, ownerId);
          if (r.changes === 1) changed.push(id);
        }
      })();
      return changed;
    },
    async trashedBefore(at) {
      return (
        q('SELECT id FROM tasks WHERE trashed_at IS NOT NULL AND trashed_at < ?').all(at) as Array<{ id: string }>
      ).map((r) => r.id);
    },
    async moveToFront(id) {
      return (
        q(`UPDATE tasks SET priority = (SELECT COALESCE(MAX(priority), 0) + 1 FROM tasks WHERE status = 'queued')
          WHERE id = ? AND status = 'queued'`).run(id).changes === 1
      );
    },
  };
}

/** The LoRA files a queued task needs, from its stored `params.loras` (JSON text or null). */
function neededLoraFiles(json: string | null): { loraFiles?: string[] } {
  if (!json) return {};
  const files = [...new Set((JSON.parse(json) as ResolvedLora[]).flatMap(loraFiles))];
  return files.length > 0 ? { loraFiles: files } : {};
}
