import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '#adapters/store/postgres-store.ts';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import { POSTGRES_MIGRATIONS } from '#adapters/store/postgres-migrations.ts';
import { resolvedParams, taskRecord, userRecord } from '../factories.ts';
import { describeStoreContract } from '../store-contract.ts';
import { freshDatabase } from '../test-databases.ts';
import { ADMIN_KEY, Client, json, startTestServer, type TestServer } from '../test-server.ts';

// The PostgreSQL adapter against the Store contract, a fresh database per test.
describeStoreContract('PostgreSQL', async () => openPostgresStore(openPostgresPool(await freshDatabase('contract'))));

describe('PostgreSQL specifics', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const o of opened) await o.close();
  });

  it('the ledger and the audit log are append-only in the database itself (trigger), whoever connects', async () => {
    const url = await freshDatabase('append');
    const store = await openPostgresStore(openPostgresPool(url));
    opened.push(store);
    await store.users.insert({ id: 'u1', name: 'u', keyHash: null, credits: 0, createdAt: 1, deletedAt: null });
    await store.credits.apply({ userId: 'u1', taskId: null, kind: 'grant', amount: 5, at: 2 });
    await store.audit.append({ at: 3, actor: 'admin', action: 'user.create', target: 'u1', status: 201, ip: null });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (const sql of [
        'UPDATE credit_ledger SET amount = 1000',
        'DELETE FROM credit_ledger',
        'TRUNCATE credit_ledger',
        'UPDATE audit_log SET actor = $$x$$',
        'DELETE FROM audit_log',
        'TRUNCATE audit_log',
      ])
        await expect(c.query(sql), sql).rejects.toThrow(/append-only/);
      expect((await c.query('SELECT amount FROM credit_ledger')).rows).toEqual([{ amount: '5' }]);
    } finally {
      await c.end();
    }
  });

  it('text with U+0000 (PostgreSQL text cannot hold it) is kept as U+FFFD, not a failed request', async () => {
    const store = await openPostgresStore(openPostgresPool(await freshDatabase('nul')));
    opened.push(store);
    await store.users.insert(userRecord({ id: 'u1', name: 'a\u0000b' }));
    expect((await store.users.get('u1'))?.name).toBe('a\uFFFDb');
    const task = taskRecord({ id: 't1', ownerId: 'u1', params: resolvedParams({ prompt: 'a lake\u0000' }) });
    expect((await store.tasks.insert({ task })).ok).toBe(true);
    expect((await store.tasks.get('t1'))?.params.prompt).toBe('a lake\u0000'); // JSON keeps it as written
    await store.prompts.record([{ id: 'p1', ownerId: 'u1', prompt: 'a lake\u0000', negativePrompt: '', at: 1 }], 10);
    expect((await store.prompts.list('u1', ['lake'], 10)).map((p) => p.prompt)).toEqual(['a lake\uFFFD']);
  });

  it('migrations are versioned and run once, whichever of several instances starts first', async () => {
    const url = await freshDatabase('migrate');
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(openPostgresPool(url))));
    opened.push(...stores);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const versions = (await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'))
        .rows;
      expect(versions.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await c.end();
    }
  });

  it('DATABASE_URL=postgres://… runs the gateway on PostgreSQL: its records are in the database, no SQLite file', async () => {
    const url = await freshDatabase('gateway');
    let server: TestServer | undefined;
    try {
      server = await startTestServer({ env: { DATABASE_URL: url } });
      const admin = new Client(server.url);
      expect((await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY })).status).toBe(200);
      const res = await admin.post('/api/admin/users', { name: 'harbour' });
      expect(res.status).toBe(201);
      const { id } = await json<{ id: string }>(res);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        expect((await c.query('SELECT name FROM users WHERE id = $1', [id])).rows).toEqual([{ name: 'harbour' }]);
      } finally {
        await c.end();
      }
      expect(fs.existsSync(path.join(server.dataDir, 'mediagen.db'))).toBe(false);
    } finally {
      await server?.close();
    }
  });
});
