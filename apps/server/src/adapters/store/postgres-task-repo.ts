import type pg from 'pg';
import {
  loraFiles,
  type ResolvedLora,
  zResolvedGeneration,
  type GenerationResult,
  type ModelId,
  type ResolvedGeneration,
  type TaskStatus,
} from '@mediagen/contract';
import type { AcceptResult, QueueBounds, Store, TaskListQuery, TaskRecord, TaskUpdate } from '#ports/store.ts';
import { pgText, Rollback, transaction } from './postgres-db.ts';
import { overBounds } from './queue-bounds.ts';
import { FINISHED_SQL, finished, likeWord, TASK_UPDATE_COLUMN, type FinishedRow } from './store-rows.ts';
import { applyCredit } from './postgres-ledger-repos.ts';

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
  retriable: boolean | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  gpu_ms: number | null;
  starred: boolean;
  trashed_at: number | null;
  priority: number;
}

/** advisory lock space of admissions near a queue bound (postgres-active-lock.ts used 726002) */
const ADMISSION_LOCK = 726_003;
/**
 * Far from every bound, concurrent admissions need no turns: fewer transactions than this can be in flight at once
 * (every gateway's pool together), so they cannot carry the count past a bound they all saw this far below.
 */
const UNLOCKED_MARGIN = 256;

function nearBounds(
  counts: { ownerQueued: number; queuedOfType: number; waitingVideo: number },
  b: QueueBounds,
): { owner: boolean; type: boolean } {
  return {
    owner: counts.ownerQueued + UNLOCKED_MARGIN >= b.ofOwner,
    type:
      counts.queuedOfType + UNLOCKED_MARGIN >= b.ofType ||
      (b.waitingVideo !== undefined && counts.waitingVideo + UNLOCKED_MARGIN >= b.waitingVideo),
  };
}

async function queuedCounts(
  c: pg.PoolClient,
  task: TaskRecord,
): Promise<{ ownerQueued: number; queuedOfType: number; waitingVideo: number }> {
  // queue_counts is kept by a trigger (PostgreSQL migration 6): a few rows, however long the queue
  const r = await c.query<{ owner: number; of_type: number; video: number }>(
    `SELECT COALESCE(SUM(n) FILTER (WHERE owner_id = $1), 0)::int AS owner,
       COALESCE(SUM(n) FILTER (WHERE type = $2), 0)::int AS of_type,
       COALESCE(SUM(n) FILTER (WHERE type = 'video'), 0)::int AS video FROM queue_counts`,
    [task.ownerId, task.params.type],
  );
  const row = r.rows[0];
  return { ownerQueued: row?.owner ?? 0, queuedOfType: row?.of_type ?? 0, waitingVideo: row?.video ?? 0 };
}

const TASK_COLUMNS = `id, owner_id, status, stage, progress, params, estimated_seconds, account_id, prompt_id, attempts,
  error, error_code, retriable, result, created_at, updated_at, started_at, finished_at, gpu_ms, starred, trashed_at, priority`;

/**
 * `params` as jsonb for the queries that read fields of it. The column keeps the JSON as written, and a prompt may
 * hold U+0000 or a lone surrogate, whose escapes jsonb refuses (one such task would fail every read of the queue),
 * so those escapes are read as U+FFFD here (the fields read this way, LoRA names, never hold them); the regular
 * expression only runs on the rows with an escape at all.
 */
const PARAMS_JSONB = `(CASE WHEN strpos(params, '\\u') = 0 THEN params
  ELSE regexp_replace(params, '\\\\u(0000|d[89a-f][0-9a-f]{2})', '\\\\ufffd', 'gi') END)::jsonb`;

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
    retriable: r.retriable,
    result: r.result ? (JSON.parse(r.result) as GenerationResult) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    gpuMs: r.gpu_ms,
    starred: r.starred,
    trashedAt: r.trashed_at,
    priority: r.priority,
  };
}

/** Searches fold case in JavaScript (every script, whatever the database's locale), as SQLite's mg_lower does. */
export const searchText = (s: string): string => pgText(s.toLowerCase());

function toColumnValue(key: keyof TaskUpdate, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (key === 'result' || key === 'params') return JSON.stringify(value);
  return value;
}

export function createPostgresTaskRepo(pool: pg.Pool, now: () => number): Store['tasks'] {
  const one = async <T extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<T | undefined> =>
    (await pool.query<T>(sql, args)).rows[0];
  const count = async (sql: string, args: unknown[] = []): Promise<number> =>
    (await one<{ n: number }>(sql, args))?.n ?? 0;
  const findIdempotent = async (
    ownerId: string,
    key: string,
  ): Promise<{ taskId: string; requestHash: string } | undefined> => {
    const r = await one<{ task_id: string; request_hash: string }>(
      'SELECT task_id, request_hash FROM idempotency WHERE owner_id = $1 AND key = $2',
      [ownerId, key],
    );
    return r ? { taskId: r.task_id, requestHash: r.request_hash } : undefined;
  };

  return {
    async insert({ task, idempotency, reserveCredits, assets, bounds }): Promise<AcceptResult> {
      zResolvedGeneration.parse(task.params);
      const accepted = await transaction<AcceptResult>(pool, async (c) => {
        if (bounds) {
          let counts = await queuedCounts(c, task);
          const near = nearBounds(counts, bounds);
          if (near.owner || near.type) {
            // near a bound, admissions of one owner (or of one type) take turns on every gateway until they commit,
            // each counting the jobs committed before it; owner first, type second, always, so none waits on another
            const lock = 'SELECT pg_advisory_xact_lock($1, hashtext($2))';
            if (near.owner) await c.query(lock, [ADMISSION_LOCK, `owner:${task.ownerId}`]);
            if (near.type) await c.query(lock, [ADMISSION_LOCK, `type:${task.params.type}`]);
            counts = await queuedCounts(c, task);
          }
          if (overBounds(counts, bounds))
            throw new Rollback<AcceptResult>({ ok: false, reason: 'queue_bound', ...counts });
        }
        if (idempotency) {
          // a concurrent insert of the same key waits here for the other transaction, then finds its row
          const r = await c.query(
            `INSERT INTO idempotency (owner_id, key, task_id, request_hash, created_at) VALUES ($1, $2, $3, $4, $5)
              ON CONFLICT (owner_id, key) DO NOTHING`,
            [task.ownerId, idempotency.key, task.id, idempotency.requestHash, task.createdAt],
          );
          if (r.rowCount === 0) throw new Rollback<AcceptResult | undefined>(undefined);
        }
        if (reserveCredits !== undefined) {
          const held = await applyCredit(
            c,
            { userId: task.ownerId, taskId: task.id, kind: 'reserve', amount: -reserveCredits, at: task.createdAt },
            false,
            { skipUnlimited: true },
          );
          if (!held.ok && held.balance !== null) {
            throw new Rollback<AcceptResult>({ ok: false, reason: 'insufficient_credits', balance: held.balance });
          }
        }
        await c.query(
          `INSERT INTO tasks (id, owner_id, status, stage, progress, type, model, mode, params, prompt_search,
            estimated_seconds, attempts, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13)`,
          [
            task.id,
            task.ownerId,
            task.status,
            task.stage,
            task.progress,
            task.params.type,
            task.params.model,
            task.params.mode,
            JSON.stringify(task.params),
            searchText(task.params.prompt),
            task.estimatedSeconds,
            task.createdAt,
            task.updatedAt,
          ],
        );
        for (const a of assets ?? []) {
          await c.query(
            `INSERT INTO assets (id, owner_id, task_id, kind, idx, path, mime, width, height, bytes, created_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
            [a.id, a.ownerId, a.taskId, a.kind, a.idx, a.path, a.mime, a.width, a.height, a.bytes, a.createdAt],
          );
        }
        return { ok: true };
      });
      if (accepted !== undefined) return accepted;
      const prior = idempotency ? await findIdempotent(task.ownerId, idempotency.key) : undefined;
      if (!prior) throw new Error('idempotency key conflict without a stored key');
      return { ok: false, reason: 'duplicate', taskId: prior.taskId, requestHash: prior.requestHash };
    },
    async get(id) {
      const r = await one<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, [id]);
      return r ? fromRow(r) : undefined;
    },
    async update(id, patch, expectStatus) {
      const keys = (Object.keys(patch) as Array<keyof TaskUpdate>).filter((k) => patch[k] !== undefined);
      const values: unknown[] = [id, now()];
      const sets = ['updated_at = $2'];
      for (const k of keys) {
        values.push(toColumnValue(k, patch[k]));
        sets.push(`${TASK_UPDATE_COLUMN[k]} = $${values.length}`);
      }
      if (patch.params) {
        values.push(searchText(patch.params.prompt));
        sets.push(`prompt_search = $${values.length}`);
      }
      let sql = `UPDATE tasks SET ${sets.join(', ')} WHERE id = $1`;
      if (expectStatus) {
        values.push(expectStatus);
        sql += ` AND status = $${values.length}`;
      }
      return (await pool.query(sql, values)).rowCount === 1;
    },
    async recordProgress(id, progress, stage) {
      // the server's fsync does not block this process's event loop: an ordinary update
      const r = await pool.query(
        `UPDATE tasks SET progress = $2, stage = $3, updated_at = $4 WHERE id = $1 AND status = 'running'`,
        [id, progress, stage, now()],
      );
      return r.rowCount === 1;
    },
    async delete(id) {
      await transaction(pool, async (c) => {
        await c.query('DELETE FROM idempotency WHERE task_id = $1', [id]);
        await c.query('DELETE FROM tasks WHERE id = $1', [id]);
      });
    },
    async list(query: TaskListQuery) {
      const values: unknown[] = [query.ownerId, query.statuses];
      const where = ['owner_id = $1', 'status = ANY($2)'];
      const arg = (v: unknown): string => {
        values.push(v);
        return `$${values.length}`;
      };
      where.push(query.trashed ? 'trashed_at IS NOT NULL' : 'trashed_at IS NULL');
      for (const w of query.words ?? []) where.push(`prompt_search LIKE ${arg(likeWord(searchText(w)))}`);
      if (query.createdFrom !== undefined) where.push(`created_at >= ${arg(query.createdFrom)}`);
      if (query.createdTo !== undefined) where.push(`created_at < ${arg(query.createdTo)}`);
      if (query.starred !== undefined) where.push(`starred = ${arg(query.starred)}`);
      if (query.type) where.push(`type = ${arg(query.type)}`);
      if (query.model) where.push(`model = ${arg(query.model)}`);
      if (query.lora !== undefined) {
        where.push(
          `EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(${PARAMS_JSONB} -> 'loras', '[]'::jsonb)) AS l
            WHERE l ->> 'name' = ${arg(query.lora)})`,
        );
      }
      if (query.before) {
        where.push(`(created_at, id) < (${arg(query.before.createdAt)}, ${arg(query.before.id)})`);
      }
      const sql = `SELECT ${TASK_COLUMNS} FROM tasks WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT ${arg(query.limit)}`;
      return (await pool.query<TaskRow>(sql, values)).rows.map(fromRow);
    },
    async byStatus(statuses: TaskStatus[]) {
      const rows = await pool.query<TaskRow>(
        `SELECT ${TASK_COLUMNS} FROM tasks WHERE status = ANY($1) ORDER BY created_at, id`,
        [statuses],
      );
      return rows.rows.map(fromRow);
    },
    async queuePosition(id) {
      // all queued (the counters) less those behind it: a new task, the usual question, has none behind it, so this
      // does not grow with the queue as counting those ahead did
      const r = await one<{ status: string; n: number }>(
        `SELECT t.status, (SELECT COALESCE(SUM(n), 0) FROM queue_counts)::int - (SELECT COUNT(*) FROM tasks q
            WHERE q.status = 'queued' AND (q.created_at, q.id) > (t.created_at, t.id))::int AS n
          FROM tasks t WHERE t.id = $1`,
        [id],
      );
      return r?.status === 'queued' ? r.n : 0;
    },
    countQueuedOf: (ownerId) =>
      count(`SELECT COALESCE(SUM(n), 0)::int AS n FROM queue_counts WHERE owner_id = $1`, [ownerId]),
    countQueued: () => count(`SELECT COALESCE(SUM(n), 0)::int AS n FROM queue_counts`),
    async finishedSince(since) {
      return (await pool.query<FinishedRow>(`${FINISHED_SQL}$1 ORDER BY finished_at`, [since])).rows.map(finished);
    },
    async queuedSummaries(filter) {
      const rows = await pool.query<{
        id: string;
        owner_id: string;
        model: ModelId;
        type: 'image' | 'video';
        created_at: number;
        priority: number;
        estimated_seconds: number;
        loras: string | null;
      }>(
        `SELECT id, owner_id, model, type, created_at, priority, estimated_seconds,
            (${PARAMS_JSONB} -> 'loras')::text AS loras FROM tasks WHERE status = 'queued'
            ${filter ? 'AND type = $1 AND created_at < $2' : ''}
          ORDER BY priority DESC, created_at, id`,
        filter ? [filter.type, filter.createdBefore] : [],
      );
      return rows.rows.map((r) => ({
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
      const r = await one<{ queued: number; video: number; oldest: number | null }>(
        `SELECT COALESCE(SUM(n), 0)::int AS queued, COALESCE(SUM(n) FILTER (WHERE type = 'video'), 0)::int AS video,
          (SELECT MIN(created_at) FROM tasks WHERE status = 'queued' AND type = 'video') AS oldest FROM queue_counts`,
        [],
      );
      return { queued: r?.queued ?? 0, waitingVideo: r?.video ?? 0, oldestVideoCreatedAt: r?.oldest ?? null };
    },
    findIdempotent,
    async measuredSecondsPerUnit(model: ModelId) {
      const r = await one<{ units: number; seconds: number }>('SELECT units, seconds FROM durations WHERE model = $1', [
        model,
      ]);
      return r && r.units > 0 ? r.seconds / r.units : undefined;
    },
    async recordDuration(model, units, seconds) {
      await pool.query(
        `INSERT INTO durations (model, units, seconds, jobs) VALUES ($1, $2, $3, 1) ON CONFLICT (model) DO UPDATE
          SET units = durations.units + excluded.units, seconds = durations.seconds + excluded.seconds, jobs = durations.jobs + 1`,
        [model, units, seconds],
      );
    },
    async setStarred(id, starred) {
      await pool.query('UPDATE tasks SET starred = $2 WHERE id = $1', [id, starred]);
    },
    async setTrashed(ownerId, ids, at) {
      const r = await pool.query<{ id: string }>(
        at === null
          ? 'UPDATE tasks SET trashed_at = NULL WHERE id = ANY($1) AND owner_id = $2 AND trashed_at IS NOT NULL RETURNING id'
          : 'UPDATE tasks SET trashed_at = $3 WHERE id = ANY($1) AND owner_id = $2 AND trashed_at IS NULL RETURNING id',
        at === null ? [[...ids], ownerId] : [[...ids], ownerId, at],
      );
      const changed = new Set(r.rows.map((x) => x.id));
      return ids.filter((id, i) => changed.has(id) && ids.indexOf(id) === i);
    },
    async trashedBefore(at) {
      const r = await pool.query<{ id: string }>(
        'SELECT id FROM tasks WHERE trashed_at IS NOT NULL AND trashed_at < $1',
        [at],
      );
      return r.rows.map((x) => x.id);
    },
    async moveToFront(id) {
      const r = await pool.query(
        `UPDATE tasks SET priority = (SELECT COALESCE(MAX(priority), 0) + 1 FROM tasks WHERE status = 'queued')
          WHERE id = $1 AND status = 'queued'`,
        [id],
      );
      return r.rowCount === 1;
    },
  };
}

/** The LoRA files a queued task needs, from its stored `params.loras` (JSON text or null). */
function neededLoraFiles(json: string | null): { loraFiles?: string[] } {
  if (!json || json === 'null') return {};
  const files = [...new Set((JSON.parse(json) as ResolvedLora[]).flatMap(loraFiles))];
  return files.length > 0 ? { loraFiles: files } : {};
}
