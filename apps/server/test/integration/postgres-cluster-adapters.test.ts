import type { TaskEvent } from '@mediagen/contract';
import type pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannelSignals } from '#adapters/cluster/channel-signals.ts';
import type { MessageChannel } from '#adapters/cluster/message-channel.ts';
import { createPostgresMessageChannel } from '#adapters/cluster/postgres-message-channel.ts';
import { createPostgresPreviewFrames } from '#adapters/cluster/postgres-preview-frames.ts';
import { createPostgresWindowCounter } from '#adapters/cluster/postgres-window-counter.ts';
import { createClusterTaskBus } from '#adapters/events/cluster-task-bus.ts';
import { createInProcessTaskBus } from '#adapters/events/in-process-task-bus.ts';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import { migratePostgres } from '#adapters/store/postgres-migrations.ts';
import { openPostgresStore } from '#adapters/store/postgres-store.ts';
import type { ClusterSignal } from '#ports/cluster-signals.ts';
import type { TaskEventEnvelope } from '#ports/task-event-bus.ts';
import { endingsSince } from '../../src/cluster-wiring.ts';
import { taskRecord, userRecord } from '../factories.ts';
import { freshDatabase } from '../test-databases.ts';
import { waitFor } from '../test-server.ts';

// The cluster adapters on a real PostgreSQL: two "gateways" are two sets of adapters on one database.
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

async function database(): Promise<{ url: string; pool: pg.Pool }> {
  const url = await freshDatabase('cluster');
  const pool = openPostgresPool(url, 4);
  cleanup.push(() => pool.end());
  await migratePostgres(pool);
  return { url, pool };
}

function channel(url: string, pool: pg.Pool, instanceId: string): MessageChannel {
  const c = createPostgresMessageChannel({ url, pool, instanceId, log, backoffMs: 50 });
  cleanup.push(() => c.close());
  return c;
}

describe('PostgreSQL cluster adapters', () => {
  it('task events cross gateways in order, a result past the NOTIFY limit included; never echoed', async () => {
    const { url, pool } = await database();
    const [ca, cb] = [channel(url, pool, 'a'), channel(url, pool, 'b')];
    const a = createClusterTaskBus({ local: createInProcessTaskBus(), channel: ca, log });
    const b = createClusterTaskBus({ local: createInProcessTaskBus(), channel: cb, log });
    await Promise.all([ca.ready(), cb.ready()]);
    const seenA: TaskEventEnvelope[] = [];
    const seenB: TaskEventEnvelope[] = [];
    a.subscribeAll((e) => seenA.push(e));
    b.subscribeAll((e) => seenB.push(e));
    const big = 'a lighthouse on a cliff '.repeat(2000); // ~48 KB
    const events: TaskEvent[] = [
      { event: 'progress', data: { task_id: 't1', status: 'queued', progress: 0, stage: 'queued' } },
      { event: 'failed', data: { task_id: 't1', error: big, code: 'internal', retriable: false } },
      { event: 'cancelled', data: { task_id: 't2' } },
    ];
    for (const e of events) {
      a.publish('owner', e);
      // separate turns: separate messages, so the spilled one sits between two notified ones
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => seenB.length === 3, 5000, 10);
    expect(seenB.map((e) => e.event)).toEqual(events);
    expect(seenB.every((e) => e.remote === true && e.ownerId === 'owner')).toBe(true);
    expect(seenA).toHaveLength(3); // its own, once each
    const spilled = await pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM cluster_messages');
    expect(spilled.rows[0]?.n).toBe(1); // only the large one went through the table
  });

  it('signals reach the other gateway and not the sender', async () => {
    const { url, pool } = await database();
    const [ca, cb] = [channel(url, pool, 'a'), channel(url, pool, 'b')];
    const a = createChannelSignals(ca, log);
    const b = createChannelSignals(cb, log);
    await Promise.all([ca.ready(), cb.ready()]);
    const onA: ClusterSignal[] = [];
    const onB: ClusterSignal[] = [];
    a.on((s) => onA.push(s));
    b.on((s) => onB.push(s));
    a.send({ kind: 'cancel', taskId: 't1' });
    a.send({ kind: 'auth-forget', userId: 'alice' });
    await waitFor(() => onB.length === 2, 5000, 10);
    expect(onB).toEqual([
      { kind: 'cancel', taskId: 't1' },
      { kind: 'auth-forget', userId: 'alice' },
    ]);
    expect(onA).toEqual([]);
  });

  it("the cluster's pool commits without waiting for the WAL flush; the store's pool keeps the server's setting", async () => {
    const { url, pool } = await database();
    const ephemeral = openPostgresPool(url, 1, { ephemeral: true });
    cleanup.push(() => ephemeral.end());
    const setting = async (p: pg.Pool) =>
      (
        await p.query<{ setting: string; source: string }>(
          `SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'`,
        )
      ).rows[0];
    expect(await setting(ephemeral)).toEqual({ setting: 'off', source: 'client' });
    expect((await setting(pool))?.source).not.toBe('client');
  });

  it('a task ending announced while a listener was away reaches its gateway when it comes back (catch-up)', async () => {
    const { url, pool } = await database();
    const store = await openPostgresStore(openPostgresPool(url, 2));
    cleanup.push(() => store.close());
    await store.users.insert(userRecord({ id: 'u1' }));
    await store.tasks.insert({ task: taskRecord({ id: 't1', ownerId: 'u1', status: 'queued' }) });
    const a = createClusterTaskBus({ local: createInProcessTaskBus(), channel: channel(url, pool, 'a'), log });
    const bChannel = channel(url, pool, 'b');
    const b = createClusterTaskBus({
      local: createInProcessTaskBus(),
      channel: bChannel,
      log,
      catchUp: (since) => endingsSince(store, since),
    });
    cleanup.push(
      () => a.close(),
      () => b.close(),
    );
    await bChannel.ready();
    const seen: TaskEvent[] = [];
    b.subscribe('t1', (e) => seen.push(e));
    // b's listening connection dies; the task ends on a and is announced while b is away (it reconnects after 50 ms)
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    await store.tasks.update('t1', { status: 'cancelled', finishedAt: Date.now() });
    a.publish('u1', { event: 'cancelled', data: { task_id: 't1' } });
    await waitFor(() => seen.length > 0, 10_000, 20);
    expect(seen[0]).toEqual({ event: 'cancelled', data: { task_id: 't1' } });
  });

  it('the listener comes back after its connection is killed, and says so (resync)', async () => {
    const { url, pool } = await database();
    const a = channel(url, pool, 'a');
    const b = channel(url, pool, 'b');
    let resyncs = 0;
    const lost: number[] = [];
    b.onResync((lostAt) => {
      resyncs += 1;
      lost.push(lostAt);
    });
    const got: string[] = [];
    b.subscribe('mediagen_test', (p) => got.push(p));
    await b.ready(); // and late subscriptions (after the connection is up) are listened to before ready resolves
    const late: string[] = [];
    b.subscribe('mediagen_late', (p) => late.push(p));
    await b.ready();
    a.send('mediagen_late', 'hello');
    await waitFor(() => late.includes('hello'), 5000, 10);
    const killedAt = Date.now();
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    await waitFor(() => resyncs >= 1, 10_000, 20);
    // the resync says from when messages were missed: the loss, not the reconnect
    expect(lost[0]).toBeGreaterThanOrEqual(killedAt);
    expect(lost[0]).toBeLessThanOrEqual(Date.now());
    a.send('mediagen_test', 'after');
    await waitFor(() => got.includes('after'), 5000, 10);
  });

  it('a spilled message that cannot be read back counts as missed: the receiver resyncs from when it arrived', async () => {
    const { url, pool } = await database();
    // the spill row vanishes as soon as it is written: the receiver is told an id it can no longer read
    await pool.query(`
      CREATE FUNCTION vanish() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN DELETE FROM cluster_messages WHERE id = NEW.id; RETURN NULL; END $$;
      CREATE TRIGGER vanish AFTER INSERT ON cluster_messages FOR EACH ROW EXECUTE FUNCTION vanish();`);
    const a = channel(url, pool, 'a');
    const b = channel(url, pool, 'b');
    const lost: number[] = [];
    b.onResync((lostAt) => lost.push(lostAt));
    const got: string[] = [];
    b.subscribe('mediagen_test', (p) => got.push(p));
    await Promise.all([a.ready(), b.ready()]);
    const sentAt = Date.now();
    a.send('mediagen_test', 'x'.repeat(20_000)); // past the NOTIFY limit: spilled
    a.send('mediagen_test', 'small');
    await waitFor(() => got.includes('small'), 5000, 10);
    expect(got).toEqual(['small']);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeGreaterThanOrEqual(sentAt);
  });

  it('preview frames: a late write never replaces a newer frame; delete removes it', async () => {
    const { pool } = await database();
    const frames = createPostgresPreviewFrames(pool, log);
    cleanup.push(async () => frames.close());
    await frames.put('t1', { image: Buffer.from([1, 2, 3]), mime: 'image/jpeg', seq: 2 });
    await frames.put('t1', { image: Buffer.from([9]), mime: 'image/png', seq: 1 });
    expect(await frames.get('t1')).toEqual({ image: Buffer.from([1, 2, 3]), mime: 'image/jpeg', seq: 2 });
    await frames.delete('t1');
    expect(await frames.get('t1')).toBeUndefined();
  });

  it('rate windows: concurrent hits from two gateways get distinct places in one total', async () => {
    const { pool } = await database();
    const a = createPostgresWindowCounter(pool, log);
    const b = createPostgresWindowCounter(pool, log);
    cleanup.push(async () => (a.close(), b.close()));
    const hits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit(i % 4 < 2 ? 'user:alice' : 'user:bob', 60_000)),
    );
    const alice = hits.filter((_, i) => i % 4 < 2).sort((x, y) => x - y);
    const bob = hits.filter((_, i) => i % 4 >= 2).sort((x, y) => x - y);
    expect(alice).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(bob).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await a.hit('user:alice', 120_000)).toBe(1); // the next window starts afresh
  });

  it('rate windows: two gateways hitting many keys in opposite orders at once never deadlock', async () => {
    const { pool } = await database();
    const a = createPostgresWindowCounter(pool, log);
    const b = createPostgresWindowCounter(pool, log);
    cleanup.push(async () => (a.close(), b.close()));
    const keys = Array.from({ length: 30 }, (_, i) => `user:${String(i).padStart(2, '0')}`);
    for (let round = 0; round < 30; round++) {
      const hits = await Promise.all([
        ...keys.map((k) => a.hit(k, 60_000)),
        ...[...keys].reverse().map((k) => b.hit(k, 60_000)),
      ]);
      expect(hits.length).toBe(60);
    }
    expect(await a.hit('user:00', 60_000)).toBe(61);
  });
});
