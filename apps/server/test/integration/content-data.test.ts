// Content and data end to end on a real gateway (SQLite, disk, sharp): the storage report, retention, a user's
// export and erasure (nothing of the user left under DATA_DIR), and the copy taken before migrations.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiskFileStore } from '#adapters/files/disk-file-store.ts';
import { backupIfMigrationsPending } from '#adapters/store/sqlite-backup.ts';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';
import { Retention } from '#worker/retention.ts';
import { FakeEngine } from '../fake-engine.ts';
import { openGatewayDatabase, openGatewayStore } from '../gateway-database.ts';
import { ADMIN_KEY, Client, json, startTestServer, tempDir, waitFor, type TestServer } from '../test-server.ts';

const engine = new FakeEngine();
let server: TestServer;
let admin: Client;
const DAY = 86_400_000;

const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse on a cliff at dawn',
  width: 512,
  height: 512,
  seed: 42,
};

async function newUser(name: string): Promise<{ client: Client; key: string; id: string }> {
  const res = await admin.post('/api/admin/users', { name, credits: 500 });
  const { access_key, id } = await json<{ access_key: string; id: string }>(res);
  return { client: new Client(server.url, { 'x-api-key': access_key }), key: access_key, id };
}

async function done(c: Client, body: unknown): Promise<string> {
  const res = await c.post('/api/generate', body);
  expect(res.status).toBe(202);
  const id = (await json<{ task_id: string }>(res)).task_id;
  await waitFor(async () => ((await json(await c.get(`/api/status/${id}`))).status === 'completed' ? true : undefined));
  return id;
}

/** Every file under DATA_DIR, relative. */
function walk(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** Files of these tasks and assets: media/<task>/…, quarantine/<task>/…, assets/<asset>.png */
function filesOf(root: string, ids: readonly string[]): string[] {
  return walk(root).filter((f) => ids.some((id) => f.includes(id)));
}

beforeAll(async () => {
  server = await startTestServer({ overrides: { engine }, env: { CREDITS_ENABLED: 'true' } });
  admin = new Client(server.url);
  await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await admin.get('/api/health'))).accounts.ready === 1 || undefined,
  );
});
afterAll(async () => {
  await server?.close();
});

describe('export and erasure', () => {
  it('exports the gallery as a zip with the parameters', async () => {
    const { client } = await newUser('exporter');
    const id = await done(client, PONY);
    const res = await client.get('/api/account/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(zip).sort()).toEqual(['gallery.json', `media/${id}/0.png`]);
    const manifest = JSON.parse(Buffer.from(zip['gallery.json']!).toString('utf8')) as {
      items: Array<{ task_id: string; parameters: { prompt: string; seed: number } }>;
    };
    expect(manifest.items).toEqual([
      expect.objectContaining({ task_id: id, parameters: expect.objectContaining({ prompt: PONY.prompt, seed: 42 }) }),
    ]);
  });

  it("'delete my data' leaves no file of the user under DATA_DIR, ends sessions, keeps the ledger and audits", async () => {
    const alice = await newUser('alice-erase');
    const bob = await newUser('bob-keeps');
    const png = fs.readFileSync(path.join(server.dataDir, 'media', await done(alice.client, PONY), '0.png'));
    const img2img = await done(alice.client, {
      ...PONY,
      mode: 'img2img',
      reference_image: `data:image/png;base64,${png.toString('base64')}`,
    });
    const aliceTasks = [
      ...(await json<{ items: Array<{ task_id?: string; id?: string }> }>(await alice.client.get('/api/gallery')))
        .items,
    ].map((i) => String(i.task_id ?? i.id));
    expect(aliceTasks).toContain(img2img);
    const bobTask = await done(bob.client, PONY);
    const session = new Client(server.url);
    expect((await session.post('/api/auth/session', { access_key: alice.key })).status).toBe(200);
    const db = await openGatewayDatabase(server.dataDir);
    const rows = await db.query<{ id: string; path: string }>('SELECT id, path FROM assets WHERE owner_id = ?', [
      alice.id,
    ]);
    await db.close();
    const aliceFiles = rows.map((r) => r.path);
    expect(aliceFiles.some((p) => p.startsWith('assets/'))).toBe(true); // the reference
    const aliceIds = [...aliceTasks, ...rows.map((r) => r.id)];
    expect(filesOf(server.dataDir, aliceIds).length).toBeGreaterThanOrEqual(5);

    expect((await alice.client.post('/api/account/erase', { confirm: 'nope' })).status).toBe(400);
    const erased = await alice.client.post('/api/account/erase', { confirm: 'delete my data' });
    expect(erased.status).toBe(200);
    expect(await json(erased)).toMatchObject({ tasks: 2 });

    expect(filesOf(server.dataDir, aliceIds)).toEqual([]);
    expect(walk(server.dataDir).filter((f) => aliceFiles.includes(f))).toEqual([]);
    expect(filesOf(server.dataDir, [bobTask]).length).toBeGreaterThan(0);
    expect((await json<{ items: unknown[] }>(await alice.client.get('/api/gallery'))).items).toEqual([]);
    expect((await session.get('/api/gallery')).status).toBe(401);
    const ledger = await json<{ items: unknown[] }>(await admin.get(`/api/admin/users/${alice.id}/ledger`));
    expect(ledger.items.length).toBeGreaterThan(0);
    const audit = JSON.stringify(await json(await admin.get('/api/admin/audit?limit=100')));
    expect(audit).toContain('account.erased tasks=2');
    expect(audit).not.toContain('lighthouse');
  });

  it('deleting a user (admin) erases their files too', async () => {
    const carol = await newUser('carol-deleted');
    const id = await done(carol.client, PONY);
    expect(filesOf(server.dataDir, [id]).length).toBeGreaterThan(0);
    expect((await admin.del(`/api/admin/users/${carol.id}`)).status).toBe(204);
    expect(filesOf(server.dataDir, [id])).toEqual([]);
  });
});

describe('storage report and retention', () => {
  it('reports bytes per user and per model with the oldest item', async () => {
    const { client, id } = await newUser('storage-user');
    await done(client, PONY);
    const report = await json<{
      total_bytes: number;
      oldest_at: string | null;
      users: Array<{ user_id: string; bytes: number; files: number }>;
      models: Array<{ model: string; bytes: number }>;
    }>(await admin.get('/api/admin/storage'));
    expect(report.total_bytes).toBeGreaterThan(0);
    expect(report.oldest_at).not.toBeNull();
    expect(report.users.find((u) => u.user_id === id)).toMatchObject({ files: 2 });
    expect(report.models.find((m) => m.model === 'pony')?.bytes).toBeGreaterThan(0);
  });

  it('deletes outputs, thumbnails and references older than the limit, and nothing younger', async () => {
    const { client, id: userId } = await newUser('retention-user');
    const old = await done(client, PONY);
    const young = await done(client, { ...PONY, seed: 7 });
    const other = await newUser('retention-other');
    const othersOld = await done(other.client, PONY);
    // age two jobs by 10 days in the database (a second connection; the gateway keeps running)
    const db = await openGatewayDatabase(server.dataDir);
    for (const id of [old, othersOld]) {
      await db.query('UPDATE tasks SET created_at = created_at - ? WHERE id = ?', [10 * DAY, id]);
      await db.query('UPDATE assets SET created_at = created_at - ? WHERE task_id = ?', [10 * DAY, id]);
    }
    await db.close();
    expect((await admin.patch(`/api/admin/users/${userId}`, { retention_days: 7 })).status).toBe(200);
    const store = await openGatewayStore(server.dataDir);
    try {
      // no RETENTION_DAYS: only the user with an override loses anything
      const r = await new Retention({
        store,
        files: createDiskFileStore(server.dataDir),
        days: undefined,
        now: Date.now,
      }).run();
      expect(r.tasks).toBe(1);
    } finally {
      await store.close();
    }
    expect(filesOf(server.dataDir, [old])).toEqual([]);
    expect(filesOf(server.dataDir, [young]).length).toBe(2);
    expect(filesOf(server.dataDir, [othersOld]).length).toBe(2);
    expect((await client.get(`/api/results/${old}`)).status).toBe(404);
    expect((await client.get(`/api/results/${young}`)).status).toBe(200);
  });
});

describe('backup before migrations', () => {
  it('copies an existing database that has migrations to run, and nothing otherwise', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mediagen.db');
    expect(await backupIfMigrationsPending(file, path.join(dir, 'backups'))).toBeUndefined();
    const store = openSqliteStore(file);
    await store.close();
    expect(await backupIfMigrationsPending(file, path.join(dir, 'backups'))).toBeUndefined();
    const db = new Database(file);
    db.prepare('DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)').run();
    db.close();
    const copy = await backupIfMigrationsPending(file, path.join(dir, 'backups'));
    expect(copy?.file).toMatch(/backups\/mediagen-v\d+-.+\.db$/);
    expect(fs.existsSync(copy!.file)).toBe(true);
  });
});
