import type pg from 'pg';
import type { ContentStore, UserContentSettings } from '#ports/content-store.ts';
import { contentSettings, quarantine, type QuarantineRow, type SettingsRow } from './content-rows.ts';
import type { AssetRecord } from '#ports/store.ts';
import { transaction } from './postgres-db.ts';

/** asset rows read straight into AssetRecord's shape */
const ASSET_COLUMNS = `id, owner_id AS "ownerId", task_id AS "taskId", kind, idx, path, mime, width, height, bytes,
  created_at AS "createdAt"`;

/** What an erasure removes besides tasks and assets, in dependency order. */
const ERASED = [
  'DELETE FROM webhook_deliveries WHERE message_id IN (SELECT id FROM webhook_outbox WHERE owner_id = $1)',
  'DELETE FROM webhook_outbox WHERE owner_id = $1',
  'DELETE FROM webhook_subscriptions WHERE owner_id = $1',
  'DELETE FROM webhook_accounts WHERE user_id = $1',
  'DELETE FROM idempotency WHERE owner_id = $1',
  'DELETE FROM quarantine WHERE owner_id = $1',
  'DELETE FROM prompt_history WHERE owner_id = $1',
  'DELETE FROM presets WHERE owner_id = $1',
  'DELETE FROM sessions WHERE user_id = $1',
];

/** Content and data on PostgreSQL (PostgreSQL migration 3): the same queries as the SQLite adapter. */
export function createPostgresContentRepo(pool: pg.Pool): ContentStore {
  const userSettings = async (userId: string): Promise<UserContentSettings> =>
    contentSettings(
      userId,
      (await pool.query<SettingsRow>('SELECT * FROM user_content_settings WHERE user_id = $1', [userId])).rows[0],
    );

  return {
    userSettings,
    async listUserSettings() {
      const rows = await pool.query<SettingsRow>(
        'SELECT * FROM user_content_settings WHERE sfw OR retention_days IS NOT NULL ORDER BY user_id',
      );
      return rows.rows.map((r) => contentSettings(r.user_id, r));
    },
    async setUserSettings(userId, patch, at) {
      await pool.query(
        `INSERT INTO user_content_settings (user_id, sfw, retention_days, updated_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (user_id) DO UPDATE SET
          sfw = CASE WHEN $5 THEN excluded.sfw ELSE user_content_settings.sfw END,
          retention_days = CASE WHEN $6 THEN excluded.retention_days ELSE user_content_settings.retention_days END,
          updated_at = excluded.updated_at`,
        [
          userId,
          patch.sfw === true,
          patch.retentionDays ?? null,
          at,
          patch.sfw !== undefined,
          patch.retentionDays !== undefined,
        ],
      );
      return userSettings(userId);
    },
    async insertQuarantine(r) {
      await pool.query(
        `INSERT INTO quarantine (id, task_id, owner_id, model, type, rule, scores, files, thumbnail, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          r.id,
          r.taskId,
          r.ownerId,
          r.model,
          r.type,
          r.rule,
          JSON.stringify(r.scores),
          JSON.stringify(r.files),
          r.thumbnail,
          r.createdAt,
        ],
      );
    },
    async getQuarantine(id) {
      const r = (await pool.query<QuarantineRow>('SELECT * FROM quarantine WHERE id = $1', [id])).rows[0];
      return r ? quarantine(r) : undefined;
    },
    async listQuarantine(limit) {
      const rows = await pool.query<QuarantineRow>('SELECT * FROM quarantine ORDER BY created_at DESC, id LIMIT $1', [
        limit,
      ]);
      return rows.rows.map(quarantine);
    },
    async deleteQuarantine(id) {
      return ((await pool.query('DELETE FROM quarantine WHERE id = $1', [id])).rowCount ?? 0) === 1;
    },
    async storageByOwner() {
      return (
        await pool.query<{ ownerId: string; bytes: number; files: number; oldestAt: number | null }>(
          `SELECT owner_id AS "ownerId", SUM(bytes)::BIGINT AS bytes, COUNT(*)::BIGINT AS files,
            MIN(created_at) AS "oldestAt" FROM assets GROUP BY owner_id ORDER BY bytes DESC, owner_id`,
        )
      ).rows;
    },
    async storageByModel() {
      return (
        await pool.query<{ model: string; bytes: number; files: number }>(
          `SELECT t.model AS model, SUM(a.bytes)::BIGINT AS bytes, COUNT(*)::BIGINT AS files FROM assets a
          JOIN tasks t ON t.id = a.task_id WHERE a.kind IN ('output', 'thumbnail')
          GROUP BY t.model ORDER BY bytes DESC, model`,
        )
      ).rows;
    },
    async owners() {
      const rows = await pool.query<{ owner_id: string }>(
        'SELECT owner_id FROM tasks UNION SELECT owner_id FROM assets ORDER BY owner_id',
      );
      return rows.rows.map((r) => r.owner_id);
    },
    async assetsOfOwner(ownerId) {
      return (
        await pool.query<AssetRecord>(
          `SELECT ${ASSET_COLUMNS} FROM assets WHERE owner_id = $1 ORDER BY created_at, id`,
          [ownerId],
        )
      ).rows;
    },
    async deleteAssets(ids) {
      if (ids.length === 0) return;
      await pool.query('DELETE FROM assets WHERE id = ANY($1::text[])', [ids]);
    },
    async endedTasksBefore(ownerId, before, limit) {
      const rows = await pool.query<{ id: string }>(
        `SELECT id FROM tasks WHERE owner_id = $1 AND status IN ('completed', 'failed', 'cancelled')
          AND created_at < $2 ORDER BY created_at, id LIMIT $3`,
        [ownerId, before, limit],
      );
      return rows.rows.map((r) => r.id);
    },
    async uploadsBefore(ownerId, before, limit) {
      return (
        await pool.query<AssetRecord>(
          `SELECT ${ASSET_COLUMNS} FROM assets WHERE owner_id = $1 AND kind = 'upload' AND created_at < $2
          ORDER BY created_at, id LIMIT $3`,
          [ownerId, before, limit],
        )
      ).rows;
    },
    async eraseOwner(ownerId) {
      return transaction(pool, async (c) => {
        for (const sql of ERASED) await c.query(sql, [ownerId]);
        const assets = (await c.query('DELETE FROM assets WHERE owner_id = $1', [ownerId])).rowCount ?? 0;
        const tasks = (await c.query('DELETE FROM tasks WHERE owner_id = $1', [ownerId])).rowCount ?? 0;
        return { tasks, assets };
      });
    },
  };
}
