import type pg from 'pg';

/**
 * PostgreSQL's own versioned, append-only migrations (SQLite's are in migrations.ts). Never edit a shipped one:
 * add the next. Times are epoch milliseconds (BIGINT), JSON is kept as text exactly as written, and ids compare
 * byte-wise (COLLATE "C") so cursors and ordering agree with SQLite whatever the database's locale.
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'initial: the schema of SQLite migrations 1–6',
    sql: `
      CREATE TABLE users (
        id TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT UNIQUE, credits BIGINT,
        created_at BIGINT NOT NULL, deleted_at BIGINT
      );
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('user','admin')),
        user_id TEXT REFERENCES users(id), expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE INDEX sessions_expires ON sessions(expires_at);
      CREATE TABLE tasks (
        id TEXT COLLATE "C" PRIMARY KEY, owner_id TEXT COLLATE "C" NOT NULL, status TEXT NOT NULL, stage TEXT NOT NULL,
        progress DOUBLE PRECISION NOT NULL DEFAULT 0, type TEXT NOT NULL, model TEXT NOT NULL, mode TEXT NOT NULL,
        params TEXT NOT NULL, prompt_search TEXT NOT NULL DEFAULT '', estimated_seconds DOUBLE PRECISION NOT NULL,
        account_id TEXT, prompt_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, error_code TEXT,
        retriable BOOLEAN, result TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
        started_at BIGINT, finished_at BIGINT, gpu_ms BIGINT,
        starred BOOLEAN NOT NULL DEFAULT FALSE, trashed_at BIGINT, priority INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX tasks_owner_created ON tasks(owner_id, created_at DESC, id DESC);
      CREATE INDEX tasks_status_created ON tasks(status, created_at, id);
      CREATE INDEX tasks_queued ON tasks(priority DESC, created_at, id) WHERE status = 'queued';
      CREATE INDEX tasks_finished ON tasks(finished_at) WHERE finished_at IS NOT NULL;
      CREATE INDEX tasks_trashed ON tasks(trashed_at) WHERE trashed_at IS NOT NULL;
      CREATE TABLE idempotency (
        owner_id TEXT NOT NULL, key TEXT NOT NULL, task_id TEXT NOT NULL, request_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL, PRIMARY KEY (owner_id, key)
      );
      CREATE INDEX idempotency_task ON idempotency(task_id);
      CREATE TABLE assets (
        id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, task_id TEXT, kind TEXT NOT NULL, idx INTEGER NOT NULL DEFAULT 0,
        path TEXT NOT NULL, mime TEXT NOT NULL, width INTEGER, height INTEGER, bytes BIGINT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX assets_task ON assets(task_id, kind, idx);
      CREATE INDEX assets_owner ON assets(owner_id);
      CREATE TABLE accounts (
        id TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, base_url TEXT NOT NULL, lane TEXT NOT NULL,
        models TEXT NOT NULL, auth_token TEXT, status TEXT NOT NULL, status_reason TEXT,
        vram_total DOUBLE PRECISION, vram_free DOUBLE PRECISION, last_checked_at BIGINT, created_at BIGINT NOT NULL,
        readiness TEXT, warnings TEXT NOT NULL DEFAULT '[]'
      );
      CREATE TABLE durations (
        model TEXT PRIMARY KEY, units DOUBLE PRECISION NOT NULL, seconds DOUBLE PRECISION NOT NULL, jobs INTEGER NOT NULL
      );
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE credit_ledger (
        id BIGSERIAL PRIMARY KEY, user_id TEXT NOT NULL, task_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('grant','reserve','release','charge')),
        amount BIGINT NOT NULL, balance_after BIGINT NOT NULL, created_at BIGINT NOT NULL
      );
      CREATE INDEX credit_ledger_user ON credit_ledger(user_id, id);
      CREATE INDEX credit_ledger_task ON credit_ledger(task_id);
      CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT, status INTEGER NOT NULL, ip TEXT
      );
      -- append-only: rows are never changed or removed, whoever asks (a trigger, not only a permission)
      CREATE FUNCTION mg_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$;
      CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledger
        FOR EACH ROW EXECUTE FUNCTION mg_refuse_change();
      CREATE TRIGGER credit_ledger_no_truncate BEFORE TRUNCATE ON credit_ledger
        FOR EACH STATEMENT EXECUTE FUNCTION mg_refuse_change();
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION mg_refuse_change();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION mg_refuse_change();

      CREATE TABLE webhook_accounts (
        user_id TEXT PRIMARY KEY, secret TEXT, secret_created_at BIGINT, previous_secret TEXT,
        previous_secret_until BIGINT, default_url TEXT,
        default_events TEXT NOT NULL DEFAULT '["completed","failed","cancelled"]', updated_at BIGINT NOT NULL
      );
      CREATE TABLE webhook_subscriptions (
        task_id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
        settled BOOLEAN NOT NULL DEFAULT FALSE, created_at BIGINT NOT NULL
      );
      CREATE INDEX webhook_subscriptions_unsettled ON webhook_subscriptions(settled, created_at);
      CREATE TABLE webhook_outbox (
        id TEXT COLLATE "C" PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE, task_id TEXT NOT NULL, owner_id TEXT NOT NULL,
        event TEXT NOT NULL, url TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','sending','delivered','failed')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT,
        last_error TEXT, last_status INTEGER, finished_at BIGINT
      );
      CREATE INDEX webhook_outbox_due ON webhook_outbox(status, next_attempt_at);
      CREATE INDEX webhook_outbox_task ON webhook_outbox(task_id, created_at);
      CREATE INDEX webhook_outbox_created ON webhook_outbox(created_at);
      CREATE TABLE webhook_deliveries (
        id BIGSERIAL PRIMARY KEY, message_id TEXT COLLATE "C" NOT NULL, task_id TEXT NOT NULL, attempt INTEGER NOT NULL,
        at BIGINT NOT NULL, duration_ms BIGINT NOT NULL, response_status INTEGER, error TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('delivered','retry','failed'))
      );
      CREATE INDEX webhook_deliveries_message ON webhook_deliveries(message_id, id);

      CREATE TABLE prompt_history (
        id TEXT COLLATE "C" PRIMARY KEY, owner_id TEXT NOT NULL, prompt TEXT NOT NULL, negative_prompt TEXT NOT NULL,
        search_text TEXT NOT NULL, uses INTEGER NOT NULL, last_used_at BIGINT NOT NULL,
        UNIQUE (owner_id, prompt, negative_prompt)
      );
      CREATE INDEX prompt_history_owner ON prompt_history(owner_id, last_used_at DESC);
      CREATE TABLE presets (
        id TEXT COLLATE "C" PRIMARY KEY, owner_id TEXT NOT NULL, name TEXT NOT NULL, params TEXT NOT NULL,
        created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (owner_id, name)
      );
    `,
  },
  {
    version: 2,
    name: 'LoRAs: the files each backend holds, the operator catalog (SQLite migration 9)',
    sql: `
      ALTER TABLE accounts ADD COLUMN loras TEXT NOT NULL DEFAULT '[]';
      CREATE TABLE lora_catalog (
        name TEXT COLLATE "C" PRIMARY KEY, file TEXT NOT NULL, role_files TEXT NOT NULL DEFAULT '{}',
        family TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, trigger_words TEXT NOT NULL,
        access TEXT NOT NULL CHECK (access IN ('everyone','users','admins')), users TEXT NOT NULL,
        sha256 TEXT, source_url TEXT, default_strength DOUBLE PRECISION NOT NULL, preview_key TEXT,
        created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'content and data: per-user content settings, quarantine of withheld outputs (SQLite migration 8)',
    sql: `
      CREATE TABLE user_content_settings (
        user_id TEXT COLLATE "C" PRIMARY KEY, sfw BOOLEAN NOT NULL DEFAULT FALSE, retention_days INTEGER,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE quarantine (
        id TEXT COLLATE "C" PRIMARY KEY, task_id TEXT NOT NULL, owner_id TEXT COLLATE "C" NOT NULL,
        model TEXT COLLATE "C" NOT NULL, type TEXT NOT NULL, rule TEXT NOT NULL, scores TEXT NOT NULL,
        files TEXT NOT NULL, thumbnail TEXT, created_at BIGINT NOT NULL
      );
      CREATE INDEX quarantine_created ON quarantine(created_at DESC, id);
      CREATE INDEX quarantine_owner ON quarantine(owner_id);
      CREATE INDEX assets_owner_created ON assets(owner_id, created_at);
    `,
  },
  {
    version: 4,
    name: 'several gateways: live instances and per-account leases (ADR 0011)',
    sql: `
      CREATE TABLE gateway_instances (
        id TEXT PRIMARY KEY, started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL
      );
      CREATE TABLE account_leases (
        account_id TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE, instance_id TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX account_leases_instance ON account_leases(instance_id);
    `,
  },
  // 4 is the per-account leases of the runtime work (issue #15); this one is the state gateways share besides them
  {
    version: 5,
    name: 'several gateways: oversized cross-instance messages, live preview frames, shared rate-limit windows',
    sql: `
      CREATE TABLE cluster_messages (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL, created_at BIGINT NOT NULL);
      CREATE INDEX cluster_messages_created ON cluster_messages(created_at);
      CREATE TABLE task_previews (
        task_id TEXT COLLATE "C" PRIMARY KEY, seq INTEGER NOT NULL, mime TEXT NOT NULL, image BYTEA NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE rate_windows (
        key TEXT COLLATE "C" NOT NULL, window_start BIGINT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (key, window_start)
      );
      CREATE INDEX rate_windows_start ON rate_windows(window_start);
    `,
  },
  {
    // admission counted the queued rows (COUNT(*)) several times per request, so it slowed as the queue grew
    version: 6,
    name: 'queue counters per owner and type, kept by a trigger (SQLite migration 7)',
    sql: `
      CREATE TABLE queue_counts (
        owner_id TEXT NOT NULL, type TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (owner_id, type)
      );
      INSERT INTO queue_counts (owner_id, type, n)
        SELECT owner_id, type, COUNT(*) FROM tasks WHERE status = 'queued' GROUP BY owner_id, type;
      CREATE FUNCTION queue_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          IF OLD.status = 'queued' AND (TG_OP = 'DELETE' OR NEW.status <> 'queued') THEN
            UPDATE queue_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND type = OLD.type;
          END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          IF NEW.status = 'queued' AND (TG_OP = 'INSERT' OR OLD.status <> 'queued') THEN
            INSERT INTO queue_counts (owner_id, type, n) VALUES (NEW.owner_id, NEW.type, 1)
              ON CONFLICT (owner_id, type) DO UPDATE SET n = queue_counts.n + 1;
          END IF;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER queue_counts_track AFTER INSERT OR DELETE OR UPDATE OF status ON tasks
        FOR EACH ROW EXECUTE FUNCTION queue_counts_track();
      CREATE INDEX tasks_queued_type_created ON tasks(type, created_at) WHERE status = 'queued';
    `,
  },
];

/** Any instance may start first: the migrations run under one advisory lock, each in its own transaction. */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock(726001)');
    await c.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    let latest = 0;
    for (const m of POSTGRES_MIGRATIONS) {
      latest = Math.max(latest, m.version);
      if (applied.has(m.version)) continue;
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK');
        throw err;
      }
    }
    return latest;
  } finally {
    await c.query('SELECT pg_advisory_unlock(726001)').catch(() => undefined);
    c.release();
  }
}
