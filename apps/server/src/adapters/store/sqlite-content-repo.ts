import type Database from 'better-sqlite3';
import type { ContentStore, UserContentSettings } from '#ports/content-store.ts';
import { contentSettings, quarantine, type QuarantineRow, type SettingsRow } from './content-rows.ts';
import type { AssetRecord } from '#ports/store.ts';

/** asset rows read straight into AssetRecord's shape */
const ASSET_COLUMNS =
  'id, owner_id AS ownerId, task_id AS taskId, kind, idx, path, mime, width, height, bytes, created_at AS createdAt';

/** Content and data on SQLite (migration 8): settings, quarantine, storage totals, retention and erasure queries. */
export function createSqliteContentRepo(db: Database.Database, q: (sql: string) => Database.Statement): ContentStore {
  const erase = db.transaction((ownerId: string) => {
    q('DELETE FROM webhook_deliveries WHERE message_id IN (SELECT id FROM webhook_outbox WHERE owner_id = ?)').run(
      ownerId,
    );
    for (const sql of [
      'DELETE FROM webhook_outbox WHERE owner_id = ?',
      'DELETE FROM webhook_subscriptions WHERE owner_id = ?',
      'DELETE FROM webhook_accounts WHERE user_id = ?',
      'DELETE FROM idempotency WHERE owner_id = ?',
      'DELETE FROM quarantine WHERE owner_id = ?',
      'DELETE FROM prompt_history WHERE owner_id = ?',
      'DELETE FROM presets WHERE owner_id = ?',
      'DELETE FROM sessions WHERE user_id = ?',
    ]) {
      q(sql).run(ownerId);
    }
    const assets = q('DELETE FROM assets WHERE owner_id = ?').run(ownerId).changes;
    const tasks = q('DELETE FROM tasks WHERE owner_id = ?').run(ownerId).changes;
    return { tasks, assets };
  });

  const userSettings = async (userId: string): Promise<UserContentSettings> =>
    contentSettings(
      userId,
      q('SELECT * FROM user_content_settings WHERE user_id = ?').get(userId) as SettingsRow | undefined,
    );

  return {
    userSettings,
    async listUserSettings() {
      return (
        q(
          'SELECT * FROM user_content_settings WHERE sfw = 1 OR retention_days IS NOT NULL ORDER BY user_id',
        ).all() as SettingsRow[]
      ).map((r) => contentSettings(r.user_id, r));
    },
    async setUserSettings(userId, patch, at) {
      q(`INSERT INTO user_content_settings (user_id, sfw, retention_days, updated_at) VALUES (@userId, @sfw, @days, @at)
        ON CONFLICT(user_id) DO UPDATE SET
          sfw = CASE WHEN @setSfw THEN excluded.sfw ELSE sfw END,
          retention_days = CASE WHEN @setDays THEN excluded.retention_days ELSE retention_days END,
          updated_at = excluded.updated_at`).run({
        userId,
        sfw: patch.sfw ? 1 : 0,
        days: patch.retentionDays ?? null,
        at,
        setSfw: patch.sfw === undefined ? 0 : 1,
        setDays: patch.retentionDays === undefined ? 0 : 1,
      });
      return userSettings(userId);
    },
    async insertQuarantine(r) {
      q(`INSERT INTO quarantine (id, task_id, owner_id, model, type, rule, scores, files, thumbnail, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
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
      );
    },
    async getQuarantine(id) {
      const r = q('SELECT * FROM quarantine WHERE id = ?').get(id) as QuarantineRow | undefined;
      return r ? quarantine(r) : undefined;
    },
    async listQuarantine(limit) {
      return (q('SELECT * FROM quarantine ORDER BY created_at DESC, id LIMIT ?').all(limit) as QuarantineRow[]).map(
        quarantine,
      );
    },
    async deleteQuarantine(id) {
      return q('DELETE FROM quarantine WHERE id = ?').run(id).changes === 1;
    },
    async storageByOwner() {
      return q(`SELECT owner_id AS ownerId, SUM(bytes) AS bytes, COUNT(*) AS files, MIN(created_at) AS oldestAt
        FROM assets GROUP BY owner_id ORDER BY bytes DESC, owner_id`).all() as Array<{
        ownerId: string;
        bytes: number;
        files: number;
        oldestAt: number | null;
      }>;
    },
    async storageByModel() {
      return q(`SELECT t.model AS model, SUM(a.bytes) AS bytes, COUNT(*) AS files FROM assets a
        JOIN tasks t ON t.id = a.task_id WHERE a.kind IN ('output', 'thumbnail')
        GROUP BY t.model ORDER BY bytes DESC, model`).all() as Array<{ model: string; bytes: number; files: number }>;
    },
    async owners() {
      return (
        q('SELECT owner_id FROM tasks UNION SELECT owner_id FROM assets ORDER BY owner_id').all() as Array<{
          owner_id: string;
        }>
      ).map((r) => r.owner_id);
    },
    async assetsOfOwner(ownerId) {
      return q(`SELECT ${ASSET_COLUMNS} FROM assets WHERE owner_id = ? ORDER BY created_at, id`).all(
        ownerId,
      ) as AssetRecord[];
    },
    async deleteAssets(ids) {
      const del = q('DELETE FROM assets WHERE id = ?');
      db.transaction(() => {
        for (const id of ids) del.run(id);
      })();
    },
    async endedTasksBefore(ownerId, before, limit) {
      return (
        q(`SELECT id FROM tasks WHERE owner_id = ? AND status IN ('completed', 'failed', 'cancelled') AND created_at < ?
          ORDER BY created_at, id LIMIT ?`).all(ownerId, before, limit) as Array<{ id: string }>
      ).map((r) => r.id);
    },
    async uploadsBefore(ownerId, before, limit) {
      return q(
        `SELECT ${ASSET_COLUMNS} FROM assets WHERE owner_id = ? AND kind = 'upload' AND created_at < ?
          ORDER BY created_at, id LIMIT ?`,
      ).all(ownerId, before, limit) as AssetRecord[];
    },
    async eraseOwner(ownerId) {
      return erase(ownerId);
    },
  };
}
