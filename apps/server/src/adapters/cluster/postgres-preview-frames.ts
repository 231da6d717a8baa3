import type pg from 'pg';
import type { Logger } from 'pino';
import type { SharedPreviewFrames } from '#ports/preview-frames.ts';

/** a frame of a task whose gateway died before it could delete it; never served (only running tasks are read) */
const STALE_MS = 24 * 3600_000;

/** `task_previews` (PostgreSQL migration 5): one row per running task, upserted by the gateway that runs it. */
export function createPostgresPreviewFrames(
  pool: pg.Pool,
  log: Logger,
  now: () => number = Date.now,
): SharedPreviewFrames & { close(): void } {
  const sweep = setInterval(() => {
    pool
      .query('DELETE FROM task_previews WHERE updated_at < $1', [now() - STALE_MS])
      .catch((err: unknown) => log.debug({ err }, 'could not sweep stale preview frames'));
  }, 3600_000);
  sweep.unref();
  return {
    async put(taskId, f) {
      // a late write never replaces a newer frame
      await pool.query(
        `INSERT INTO task_previews (task_id, seq, mime, image, updated_at) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (task_id) DO UPDATE SET seq = EXCLUDED.seq, mime = EXCLUDED.mime, image = EXCLUDED.image,
            updated_at = EXCLUDED.updated_at
          WHERE task_previews.seq < EXCLUDED.seq`,
        [taskId, f.seq, f.mime, f.image, now()],
      );
    },
    async get(taskId) {
      const r = await pool.query<{ seq: number; mime: string; image: Buffer }>(
        'SELECT seq, mime, image FROM task_previews WHERE task_id = $1',
        [taskId],
      );
      const row = r.rows[0];
      return row ? { image: row.image, mime: row.mime, seq: row.seq } : undefined;
    },
    async delete(taskId) {
      await pool.query('DELETE FROM task_previews WHERE task_id = $1', [taskId]);
    },
    close() {
      clearInterval(sweep);
    },
  };
}
