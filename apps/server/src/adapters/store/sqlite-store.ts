import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '#ports/store.ts';
import { migrate } from './migrations.ts';
import { createWalSync, startSqliteCheckpointer } from './sqlite-wal-durability.ts';
import { createSqliteContentRepo } from './sqlite-content-repo.ts';
import { createSqliteLoraRepo } from './sqlite-lora-repo.ts';
import { createSqliteAuditRepo, createSqliteCreditRepo, sqliteCreditApply } from './sqlite-ledger-repos.ts';
import { createSqliteTaskRepo } from './sqlite-task-repo.ts';
import { createSqliteWebhookRepo } from './sqlite-webhook-repo.ts';
import { createSqlitePresetRepo, createSqlitePromptRepo } from './sqlite-workspace-repos.ts';
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

/** Statements are compiled once per distinct SQL text (compiling costs more than running a point query). */
export function preparedCache(db: Database.Database): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
}

/** SQLite (WAL, synchronous=FULL so an accepted task survives a crash) behind the Store port. */
export function openSqliteStore(
  file: string,
  now: () => number = Date.now,
  onCheckpointFailure?: (err: Error) => void,
): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const q = preparedCache(db);
  // checkpoints and the admission batches' fsync happen off the event loop (sqlite-wal-durability.ts)
  const onDisk = file !== ':memory:';
  const wal = onDisk ? createWalSync(`${file}-wal`) : undefined;
  if (onDisk) db.pragma('wal_autocheckpoint = 0');
  const checkpointer = onDisk
    ? startSqliteCheckpointer(file, {
        onFailure: (err) => {
          onCheckpointFailure?.(err);
          if (db.open) db.pragma('wal_autocheckpoint = 1000');
        },
      })
    : undefined;

  return {
    tasks: createSqliteTaskRepo(db, now, q, sqliteCreditApply(db, q), wal ? () => wal.sync() : undefined),
    prompts: createSqlitePromptRepo(db, q),
    presets: createSqlitePresetRepo(q),
    credits: createSqliteCreditRepo(db, q),
    audit: createSqliteAuditRepo(q),
    webhooks: createSqliteWebhookRepo(db, q),
    content: createSqliteContentRepo(db, q),
    loras: createSqliteLoraRepo(q),
    assets: {
      async insert(a) {
        q(`INSERT INTO assets (id, owner_id, task_id, kind, idx, path, mime, width, height, bytes, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
          a.id,
          a.ownerId,
          a.taskId,
          a.kind,
          a.idx,
          a.path,
          a.mime,
          a.width,
          a.height,
          a.bytes,
          a.createdAt,
        );
      },
      async get(id) {
        const r = q('SELECT * FROM assets WHERE id = ?').get(id) as AssetRow | undefined;
        return r ? asset(r) : undefined;
      },
      async ofTask(taskId) {
        return (q('SELECT * FROM assets WHERE task_id = ? ORDER BY kind, idx').all(taskId) as AssetRow[]).map(asset);
      },
      async deleteOfTask(taskId) {
        q('DELETE FROM assets WHERE task_id = ?').run(taskId);
      },
      async deleteIds(ids) {
        const del = q('DELETE FROM assets WHERE id = ?');
        db.transaction(() => {
          for (const id of ids) del.run(id);
        })();
      },
      async bytesOfOwner(ownerId) {
        return (q('SELECT COALESCE(SUM(bytes), 0) AS n FROM assets WHERE owner_id = ?').get(ownerId) as { n: number })
          .n;
      },
    },
    users: {
      async insert(u) {
        q('INSERT INTO users (id, name, key_hash, credits, created_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?)').run(
          u.id,
          u.name,
          u.keyHash,
          u.credits,
          u.createdAt,
          u.deletedAt,
        );
      },
      async get(id) {
        const r = q('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
        return r ? user(r) : undefined;
      },
      async byKeyHash(hash) {
        const r = q('SELECT * FROM users WHERE key_hash = ? AND deleted_at IS NULL').get(hash) as UserRow | undefined;
        return r ? user(r) : undefined;
      },
      async list() {
        return (q('SELECT * FROM users WHERE deleted_at IS NULL ORDER BY created_at').all() as UserRow[]).map(user);
      },
      async setKeyHash(id, keyHash) {
        q('UPDATE users SET key_hash = ? WHERE id = ?').run(keyHash, id);
      },
      async markDeleted(id, at) {
        q('UPDATE users SET deleted_at = ?, key_hash = NULL WHERE id = ?').run(at, id);
      },
    },
    sessions: {
      async insert(s) {
        q('INSERT INTO sessions (token_hash, kind, user_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)').run(
          s.tokenHash,
          s.kind,
          s.userId,
          s.expiresAt,
          s.createdAt,
        );
      },
      async get(hash) {
        const r = q('SELECT * FROM sessions WHERE token_hash = ?').get(hash) as SessionRow | undefined;
        return r ? session(r) : undefined;
      },
      async delete(hash) {
        q('DELETE FROM sessions WHERE token_hash = ?').run(hash);
      },
      async deleteOfUser(userId) {
        q('DELETE FROM sessions WHERE user_id = ?').run(userId);
      },
      async purgeExpired(t) {
        q('DELETE FROM sessions WHERE expires_at <= ?').run(t);
      },
    },
    accounts: {
      async insert(a) {
        q(`INSERT INTO accounts (id, name, base_url, lane, models, auth_token, status, status_reason, vram_total, vram_free,
          last_checked_at, created_at, readiness, warnings, loras) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
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
        );
      },
      async get(id) {
        const r = q('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
        return r ? account(r) : undefined;
      },
      async list() {
        return (q('SELECT * FROM accounts ORDER BY created_at, id').all() as AccountRow[]).map(account);
      },
      async update(id, patch, expectStatus) {
        const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
        const sets = entries.map(([k]) => `${ACCOUNT_COLUMNS[k] ?? 'invalid_column'} = ?`);
        const values: unknown[] = entries.map(([k, v]) => (JSON_COLUMNS.has(k) && v !== null ? JSON.stringify(v) : v));
        let sql = `UPDATE accounts SET ${sets.length > 0 ? sets.join(', ') : 'id = id'} WHERE id = ?`;
        values.push(id);
        if (expectStatus) {
          sql += ' AND status = ?';
          values.push(expectStatus);
        }
        return q(sql).run(...values).changes === 1;
      },
      async delete(id) {
        q('DELETE FROM accounts WHERE id = ?').run(id);
      },
    },
    settings: {
      async get(key) {
        const r = q('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
        return r?.value;
      },
      async set(key, value) {
        q('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
          key,
          value,
        );
      },
    },
    async close() {
      await checkpointer?.stop(); // the last connection's close then checkpoints and removes the WAL
      wal?.close();
      db.close();
    },
  };
}
