import type Database from 'better-sqlite3';

/** Versioned, append-only schema migrations. Never edit a shipped one: add the next. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT UNIQUE, credits INTEGER,
        created_at INTEGER NOT NULL, deleted_at INTEGER
      );
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('user','admin')),
        user_id TEXT REFERENCES users(id), expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, status TEXT NOT NULL, stage TEXT NOT NULL,
        progress REAL NOT NULL DEFAULT 0, type TEXT NOT NULL, model TEXT NOT NULL, mode TEXT NOT NULL,
        params TEXT NOT NULL, estimated_seconds REAL NOT NULL, account_id TEXT, prompt_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, error TEXT, error_code TEXT, retriable INTEGER,
        result TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        started_at INTEGER, finished_at INTEGER, gpu_ms INTEGER
      );
      CREATE INDEX tasks_owner_created ON tasks(owner_id, created_at DESC, id DESC);
      CREATE INDEX tasks_status_created ON tasks(status, created_at, id);
      CREATE TABLE idempotency (
        owner_id TEXT NOT NULL, key TEXT NOT NULL, task_id TEXT NOT NULL, request_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL, PRIMARY KEY (owner_id, key)
      );
      CREATE TABLE assets (
        id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, task_id TEXT, kind TEXT NOT NULL, idx INTEGER NOT NULL DEFAULT 0,
        path TEXT NOT NULL, mime TEXT NOT NULL, width INTEGER, height INTEGER, bytes INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX assets_task ON assets(task_id, kind, idx);
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, base_url TEXT NOT NULL, lane TEXT NOT NULL,
        models TEXT NOT NULL, auth_token TEXT, status TEXT NOT NULL, status_reason TEXT,
        vram_total INTEGER, vram_free INTEGER, last_checked_at INTEGER, created_at INTEGER NOT NULL
      );
      CREATE TABLE durations (
        model TEXT PRIMARY KEY, units REAL NOT NULL, seconds REAL NOT NULL, jobs INTEGER NOT NULL
      );
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'credits ledger and audit log',
    sql: `
      CREATE TABLE credit_ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, task_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('grant','reserve','release','charge')),
        amount INTEGER NOT NULL, balance_after INTEGER NOT NULL, created_at INTEGER NOT NULL
      );
      CREATE INDEX credit_ledger_user ON credit_ledger(user_id, id);
      CREATE INDEX credit_ledger_task ON credit_ledger(task_id);
      CREATE TRIGGER credit_ledger_append_only_u BEFORE UPDATE ON credit_ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
      CREATE TRIGGER credit_ledger_append_only_d BEFORE DELETE ON credit_ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT, status INTEGER NOT NULL, ip TEXT
      );
    `,
  },
  {
    version: 3,
    name: 'per-owner storage totals',
    sql: `CREATE INDEX assets_owner ON assets(owner_id);`,
  },
  {
    version: 4,
    name: 'per-model readiness of accounts',
    sql: `ALTER TABLE accounts ADD COLUMN readiness TEXT;
      ALTER TABLE accounts ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';`,
  },
  {
    version: 5,
    name: 'webhooks: secrets, subscriptions, outbox and delivery log',
    sql: `
      CREATE TABLE webhook_accounts (
        user_id TEXT PRIMARY KEY, secret TEXT, secret_created_at INTEGER, previous_secret TEXT,
        previous_secret_until INTEGER, default_url TEXT,
        default_events TEXT NOT NULL DEFAULT '["completed","failed","cancelled"]', updated_at INTEGER NOT NULL
      );
      CREATE TABLE webhook_subscriptions (
        task_id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
        settled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL
      );
      CREATE INDEX webhook_subscriptions_unsettled ON webhook_subscriptions(settled, created_at);
      CREATE TABLE webhook_outbox (
        id TEXT PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE, task_id TEXT NOT NULL, owner_id TEXT NOT NULL,
        event TEXT NOT NULL, url TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','sending','delivered','failed')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER,
        last_error TEXT, last_status INTEGER, finished_at INTEGER
      );
      CREATE INDEX webhook_outbox_due ON webhook_outbox(status, next_attempt_at);
      CREATE INDEX webhook_outbox_task ON webhook_outbox(task_id, created_at);
      CREATE INDEX webhook_outbox_created ON webhook_outbox(created_at);
      CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, task_id TEXT NOT NULL, attempt INTEGER NOT NULL,
        at INTEGER NOT NULL, duration_ms INTEGER NOT NULL, response_status INTEGER, error TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('delivered','retry','failed'))
      );
      CREATE INDEX webhook_deliveries_message ON webhook_deliveries(message_id, id);
    `,
  },
  {
    version: 6,
    name: 'workspace: stars, trash, queue priority, prompt history, presets',
    sql: `
      ALTER TABLE tasks ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE tasks ADD COLUMN trashed_at INTEGER;
      ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX tasks_trashed ON tasks(trashed_at) WHERE trashed_at IS NOT NULL;
      CREATE TABLE prompt_history (
        id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, prompt TEXT NOT NULL, negative_prompt TEXT NOT NULL,
        uses INTEGER NOT NULL, last_used_at INTEGER NOT NULL, UNIQUE (owner_id, prompt, negative_prompt)
      );
      CREATE INDEX prompt_history_owner ON prompt_history(owner_id, last_used_at DESC);
      CREATE TABLE presets (
        id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, name TEXT NOT NULL, params TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (owner_id, name)
      );
    `,
  },
  {
    version: 7,
    // admission reads these counts on every request: kept by triggers in the same transaction as the task row,
    // so they are exact and cost one small-table read instead of a scan of every queued task
    name: 'queue counters per owner and type',
    sql: `
      CREATE TABLE queue_counts (
        owner_id TEXT NOT NULL, type TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (owner_id, type)
      ) WITHOUT ROWID;
      INSERT INTO queue_counts (owner_id, type, n)
        SELECT owner_id, type, COUNT(*) FROM tasks WHERE status = 'queued' GROUP BY owner_id, type;
      CREATE TRIGGER queue_counts_insert AFTER INSERT ON tasks WHEN NEW.status = 'queued' BEGIN
        INSERT INTO queue_counts (owner_id, type, n) VALUES (NEW.owner_id, NEW.type, 1)
          ON CONFLICT (owner_id, type) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER queue_counts_leave AFTER UPDATE OF status ON tasks
        WHEN OLD.status = 'queued' AND NEW.status <> 'queued' BEGIN
        UPDATE queue_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND type = OLD.type;
      END;
      CREATE TRIGGER queue_counts_enter AFTER UPDATE OF status ON tasks
        WHEN OLD.status <> 'queued' AND NEW.status = 'queued' BEGIN
        INSERT INTO queue_counts (owner_id, type, n) VALUES (NEW.owner_id, NEW.type, 1)
          ON CONFLICT (owner_id, type) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER queue_counts_delete AFTER DELETE ON tasks WHEN OLD.status = 'queued' BEGIN
        UPDATE queue_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND type = OLD.type;
      END;
      CREATE INDEX tasks_status_type_created ON tasks(status, type, created_at);
    `,
  },
  // 8 is taken by another branch; versions apply in any order, each once
  {
    version: 9,
    name: 'LoRAs: the files each backend holds, the operator catalog',
    sql: `
      ALTER TABLE accounts ADD COLUMN loras TEXT NOT NULL DEFAULT '[]';
      CREATE TABLE lora_catalog (
        name TEXT PRIMARY KEY, file TEXT NOT NULL, role_files TEXT NOT NULL DEFAULT '{}', family TEXT NOT NULL,
        title TEXT NOT NULL, description TEXT NOT NULL, trigger_words TEXT NOT NULL,
        access TEXT NOT NULL CHECK (access IN ('everyone','users','admins')), users TEXT NOT NULL,
        sha256 TEXT, source_url TEXT, default_strength REAL NOT NULL, preview_key TEXT,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
      );
    `,
  },
];

export function migrate(db: Database.Database): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  let latest = 0;
  for (const m of MIGRATIONS) {
    latest = Math.max(latest, m.version);
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      insert.run(m.version, m.name, Date.now());
    })();
  }
  return latest;
}
