import type pg from 'pg';
import type { Store } from '#ports/store.ts';
import { pgText } from './postgres-db.ts';
import { createPostgresAuditRepo, createPostgresCreditRepo } from './postgres-ledger-repos.ts';
import { createPostgresContentRepo } from './postgres-content-repo.ts';
import { createPostgresLoraRepo } from './postgres-lora-repo.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { createPostgresTaskRepo } from './postgres-task-repo.ts';
import { createPostgresWebhookRepo } from './postgres-webhook-repo.ts';
import { createPostgresPresetRepo, createPostgresPromptRepo } from './postgres-workspace-repos.ts';
import {
  ACCOUNT_COLUMNS,
  account,
  asset,
  session,
  user,
  type AccountRow,
  type AssetRow,
  type SessionRow,
  type UserRow,
} from './store-rows.ts';

const JSON_COLUMNS = new Set(['models', 'readiness', 'warnings', 'loras']);

/**
 * PostgreSQL behind the Store port, for several gateways on one database: the same semantics as SQLite
 * (compare-and-set updates, one transaction per accepted task), with row locks where SQLite had its single writer.
 * The store owns the pool and ends it on close.
 */
export async function openPostgresStore(pool: pg.Pool, now: () => number = Date.now): Promise<Store> {
  await migratePostgres(pool);
  const first = async <T extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<T | undefined> =>
    (await pool.query<T>(sql, args)).rows[0];

  return {
    tasks: createPostgresTaskRepo(pool, now),
    prompts: createPostgresPromptRepo(pool),
    presets: createPostgresPresetRepo(pool),
    credits: createPostgresCreditRepo(pool),
    audit: createPostgresAuditRepo(pool),
    webhooks: createPostgresWebhookRepo(pool),
    loras: createPostgresLoraRepo(pool),
    content: createPostgresContentRepo(pool),
    assets: {
      async insert(a) {
        await pool.query(
          `INSERT INTO assets (id, owner_id, task_id, kind, idx, path, mime, width, height, bytes, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [a.id, a.ownerId, a.taskId, a.kind, a.idx, a.path, a.mime, a.width, a.height, a.bytes, a.createdAt],
        );
      },
      async get(id) {
        const r = await first<AssetRow>('SELECT * FROM assets WHERE id = $1', [id]);
        return r ? asset(r) : undefined;
      },
      async ofTask(taskId) {
        return (
          await pool.query<AssetRow>('SELECT * FROM assets WHERE task_id = $1 ORDER BY kind, idx', [taskId])
        ).rows.map(asset);
      },
      async deleteOfTask(taskId) {
        await pool.query('DELETE FROM assets WHERE task_id = $1', [taskId]);
      },
      async deleteIds(ids) {
        await pool.query('DELETE FROM assets WHERE id = ANY($1::text[])', [[...ids]]);
      },
      async bytesOfOwner(ownerId) {
        return (
          (
            await first<{ n: number }>('SELECT COALESCE(SUM(bytes), 0)::bigint AS n FROM assets WHERE owner_id = $1', [
              ownerId,
            ])
          )?.n ?? 0
        );
      },
    },
    users: {
      async insert(u) {
        await pool.query(
          'INSERT INTO users (id, name, key_hash, credits, created_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [u.id, pgText(u.name), u.keyHash, u.credits, u.createdAt, u.deletedAt],
        );
      },
      async get(id) {
        const r = await first<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
        return r ? user(r) : undefined;
      },
      async byKeyHash(hash) {
        const r = await first<UserRow>('SELECT * FROM users WHERE key_hash = $1 AND deleted_at IS NULL', [hash]);
        return r ? user(r) : undefined;
      },
      async list() {
        return (await pool.query<UserRow>('SELECT * FROM users WHERE deleted_at IS NULL ORDER BY created_at')).rows.map(
          user,
        );
      },
      async setKeyHash(id, keyHash) {
        await pool.query('UPDATE users SET key_hash = $2 WHERE id = $1', [id, keyHash]);
      },
      async markDeleted(id, at) {
        await pool.query('UPDATE users SET deleted_at = $2, key_hash = NULL WHERE id = $1', [id, at]);
      },
    },
    sessions: {
      async insert(s) {
        await pool.query(
          'INSERT INTO sessions (token_hash, kind, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)',
          [s.tokenHash, s.kind, s.userId, s.expiresAt, s.createdAt],
        );
      },
      async get(hash) {
        const r = await first<SessionRow>('SELECT * FROM sessions WHERE token_hash = $1', [hash]);
        return r ? session(r) : undefined;
      },
      async delete(hash) {
        await pool.query('DELETE FROM sessions WHERE token_hash = $1', [hash]);
      },
      async deleteOfUser(userId) {
        await pool.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
      },
      async purgeExpired(t) {
        await pool.query('DELETE FROM sessions WHERE expires_at <= $1', [t]);
      },
    },
    accounts: {
      async insert(a) {
        await pool.query(
          `INSERT INTO accounts (id, name, base_url, lane, models, auth_token, status, status_reason, vram_total, vram_free,
            last_checked_at, created_at, readiness, warnings, loras)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [
            a.id,
            a.name,
            a.baseUrl,
            a.lane,
            JSON.stringify(a.models),
            a.authToken,
            a.status,
            a.statusReason,
            a.vramTotal,
            a.vramFree,
            a.lastCheckedAt,
            a.createdAt,
            a.readiness === null ? null : JSON.stringify(a.readiness),
            JSON.stringify(a.warnings),
            JSON.stringify(a.loras),
          ],
        );
      },
      async get(id) {
        const r = await first<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
        return r ? account(r) : undefined;
      },
      async list() {
        return (await pool.query<AccountRow>('SELECT * FROM accounts ORDER BY created_at, id')).rows.map(account);
      },
      async update(id, patch, expectStatus) {
        const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
        const values: unknown[] = [id];
        const sets = entries.map(([k, v]) => {
          values.push(JSON_COLUMNS.has(k) && v !== null ? JSON.stringify(v) : v);
          return `${ACCOUNT_COLUMNS[k] ?? 'invalid_column'} = $${values.length}`;
        });
        let sql = `UPDATE accounts SET ${sets.length > 0 ? sets.join(', ') : 'id = id'} WHERE id = $1`;
        if (expectStatus) {
          values.push(expectStatus);
          sql += ` AND status = $${values.length}`;
        }
        return (await pool.query(sql, values)).rowCount === 1;
      },
      async delete(id) {
        await pool.query('DELETE FROM accounts WHERE id = $1', [id]);
      },
    },
    settings: {
      async get(key) {
        return (await first<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value;
      },
      async set(key, value) {
        await pool.query(
          'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          [key, value],
        );
      },
    },
    async close() {
      await pool.end();
    },
  };
}
