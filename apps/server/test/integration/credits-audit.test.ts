import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/ports/engine.ts';
import { FakeEngine } from '../fake-engine.ts';
import { ADMIN_KEY, Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';
import { databaseEnvFor } from '../test-databases.ts';

const engine = new FakeEngine();
let server: TestServer;
let admin: Client;
const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse',
  width: 512,
  height: 512,
  seed: 1,
  steps: 10,
};

beforeAll(async () => {
  server = await startTestServer({ overrides: { engine }, env: { CREDITS_ENABLED: 'true' } });
  admin = new Client(server.url);
  await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await admin.get('/api/health'))).accounts.ready === 1 || undefined,
  );
});
afterAll(async () => server?.close());

async function user(credits: number): Promise<{ id: string; c: Client }> {
  const u = await json<{ id: string; access_key: string; credits: number }>(
    await admin.post('/api/admin/users', { name: `u${credits}`, credits }),
  );
  expect(u.credits).toBe(credits);
  return { id: u.id, c: new Client(server.url, { 'x-api-key': u.access_key }) };
}

const end = (c: Client, id: string) =>
  waitFor(async () => {
    const s = await json<{ status: string }>(await c.get(`/api/status/${id}`));
    return ['completed', 'failed', 'cancelled'].includes(s.status) ? s : undefined;
  });

describe('credits', () => {
  it('balance after completed, failed and cancelled jobs equals grants minus real charges, to the unit', async () => {
    const { id: uid, c } = await user(1000);
    await admin.post(`/api/admin/users/${uid}/credits`, { amount: 500 });
    const charges: number[] = [];
    // two completed jobs with known GPU time (steps × stepMs = executionMs)
    for (const [steps, stepMs] of [
      [3, 600],
      [2, 1300],
    ] as const) {
      engine.behaviour = () => ({ steps, stepMs });
      const id = (await json<{ task_id: string }>(await c.post('/api/generate', PONY))).task_id;
      expect((await end(c, id)).status).toBe('completed');
      charges.push(Math.ceil((steps * stepMs) / 1000));
    }
    engine.behaviour = () => ({ steps: 1, stepMs: 5, fail: new EngineError('backend_error', 'boom', false) });
    const failed = (await json<{ task_id: string }>(await c.post('/api/generate', PONY))).task_id;
    expect((await end(c, failed)).status).toBe('failed');
    engine.behaviour = () => ({ steps: 1, stepMs: 10, hang: true });
    const cancelled = (await json<{ task_id: string }>(await c.post('/api/generate', PONY))).task_id;
    await waitFor(async () =>
      (await json(await c.get(`/api/status/${cancelled}`))).status === 'running' ? true : undefined,
    );
    await c.post(`/api/cancel/${cancelled}`);
    expect((await end(c, cancelled)).status).toBe('cancelled');
    engine.behaviour = () => ({ steps: 4, stepMs: 20 });
    await waitFor(async () => {
      const l = await json<{ balance: number; items: Array<{ kind: string }> }>(
        await admin.get(`/api/admin/users/${uid}/ledger`),
      );
      return l.items.filter((i) => i.kind === 'release').length === 4 ? l : undefined;
    });
    const ledger = await json<{
      balance: number;
      items: Array<{ kind: string; amount: number; taskId: string | null }>;
    }>(await admin.get(`/api/admin/users/${uid}/ledger`));
    expect(ledger.balance).toBe(1500 - charges.reduce((a, b) => a + b, 0));
    expect(
      ledger.items
        .filter((i) => i.kind === 'charge')
        .map((i) => -i.amount)
        .sort(),
    ).toEqual([...charges].sort());
    // the balance the user sees (session info) is the ledger's
    const browser = new Client(server.url);
    await browser.post('/api/auth/session', { access_key: c.headers['x-api-key'] });
    const session = await json<{ user: { credits: number } }>(await browser.get('/api/auth/session'));
    expect(session.user.credits).toBe(ledger.balance);
  });

  it('402 insufficient_credits when the balance cannot cover the estimate; nothing is queued', async () => {
    const { c } = await user(2);
    const res = await c.post('/api/generate', { ...PONY, steps: 30 });
    expect(res.status).toBe(402);
    expect((await json(res)).code).toBe('insufficient_credits');
    expect((await json<{ items: unknown[] }>(await c.get('/api/gallery'))).items).toEqual([]);
  });

  it('the ledger is append-only', async () => {
    const { id } = await user(10);
    const postgres = (await databaseEnvFor(server.dataDir)).DATABASE_URL;
    if (postgres) {
      const c = new pg.Client({ connectionString: postgres });
      await c.connect();
      try {
        await expect(c.query('UPDATE credit_ledger SET amount = 1 WHERE user_id = $1', [id])).rejects.toThrow(
          /append-only/,
        );
        await expect(c.query('DELETE FROM credit_ledger WHERE user_id = $1', [id])).rejects.toThrow(/append-only/);
      } finally {
        await c.end();
      }
      return;
    }
    const db = (await import('better-sqlite3')).default(`${server.dataDir}/mediagen.db`);
    try {
      expect(() => db.prepare('UPDATE credit_ledger SET amount = 1 WHERE user_id = ?').run(id)).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM credit_ledger WHERE user_id = ?').run(id)).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });
});

describe('audit log', () => {
  it('records admin actions and login attempts: who, what, when', async () => {
    const before = Date.now();
    await new Client(server.url).post('/api/admin/session', undefined, { 'x-admin-key': 'wrong-key-0000000000' });
    const u = await json<{ id: string }>(await admin.post('/api/admin/users', { name: 'audited' }));
    await admin.del(`/api/admin/users/${u.id}`);
    const log = await json<{
      items: Array<{ actor: string; action: string; target: string | null; status: number; at: string }>;
    }>(await admin.get('/api/admin/audit'));
    expect(log.items[0]).toMatchObject({ action: 'DELETE /api/admin/users/:id', target: u.id, status: 204 });
    expect(log.items[0]?.actor).toMatch(/^admin-session:[0-9a-f]{12}$/);
    expect(log.items.some((e) => e.action === 'admin login' && e.status === 401)).toBe(true);
    // when: during this test (a causal bound on the record, not a speed limit)
    expect(Date.parse(log.items[0]!.at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(log.items[0]!.at)).toBeLessThanOrEqual(Date.now());
    expect((await new Client(server.url).get('/api/admin/audit')).status).toBe(401);
  });
});
