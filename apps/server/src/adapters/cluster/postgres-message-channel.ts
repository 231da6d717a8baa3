import pg from 'pg';
import type { Logger } from 'pino';
import type { MessageChannel } from './message-channel.ts';

/** NOTIFY payloads must stay under 8000 bytes; this leaves room for the sender's id and the marker. */
const INLINE_MAX_BYTES = 7800;
const QUEUE_MAX = 10_000;
/** spilled payloads are read within milliseconds; a row this old has been read by everyone who will */
const SPILL_KEEP_MS = 5 * 60_000;

export interface PostgresMessageChannelOptions {
  url: string;
  /** for NOTIFY and the spill table (a small pool of the cluster adapters) */
  pool: pg.Pool;
  /** this process: its own messages come back to it and are dropped by this id */
  instanceId: string;
  log: Logger;
  now?: () => number;
  /** first reconnect delay; doubles up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
}

interface Outgoing {
  topic: string;
  payload: string;
}

/**
 * LISTEN/NOTIFY on one dedicated connection (reconnected with backoff; a lost database never crashes the process),
 * NOTIFY through the pool one message at a time (so they leave in order). A payload past NOTIFY's 8000-byte limit
 * is written to `cluster_messages` and its row id is notified instead; receivers read it back before delivering
 * anything that came after it, so order holds.
 */
export function createPostgresMessageChannel(o: PostgresMessageChannelOptions): MessageChannel {
  const now = o.now ?? Date.now;
  const topics = new Map<string, Set<(payload: string) => void>>();
  const resyncs = new Set<(lostAt: number) => void>();
  /** when the listening connection was lost (the start of what a resync must re-read) */
  let lostAt: number | undefined;
  const outbox: Outgoing[] = [];
  let sending: Promise<void> | undefined;
  let client: pg.Client | undefined;
  let connected = false;
  let everConnected = false;
  let closed = false;
  let backoff = o.backoffMs ?? 250;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let sendFailing = false;
  // received messages in order; a spilled one is read back before the ones behind it are delivered
  const inbox: Array<{ topic: string; body: string; at: number }> = [];
  let draining = false;
  let markReady: () => void = () => undefined;
  const readyOnce = new Promise<void>((resolve) => (markReady = resolve));
  /** LISTENs issued after the connection came up (a topic subscribed late) */
  let listening: Promise<unknown> = Promise.resolve();

  const deliver = (topic: string, payload: string): void => {
    for (const fn of [...(topics.get(topic) ?? [])]) {
      try {
        fn(payload);
      } catch (err) {
        o.log.error({ err, topic }, 'a cluster message handler failed');
      }
    }
  };

  /**
   * A message that could not be read is one missed, as during a lost connection: the resync re-reads what it may
   * have carried (a task's ending, say), so nothing here waits on it for ever.
   */
  const missed = (m: { topic: string; at: number }, err: unknown, msg: string): void => {
    o.log.warn({ err, topic: m.topic }, `${msg}; re-reading what it may have carried`);
    for (const fn of [...resyncs]) fn(m.at);
  };

  const drainInbox = async (): Promise<void> => {
    if (draining) return;
    draining = true;
    try {
      while (inbox.length > 0) {
        const m = inbox[0];
        if (!m) break;
        if (m.body.startsWith('@')) {
          try {
            const r = await o.pool.query<{ payload: string }>('SELECT payload FROM cluster_messages WHERE id = $1', [
              m.body.slice(1),
            ]);
            const row = r.rows[0];
            if (row) deliver(m.topic, row.payload);
            else missed(m, undefined, 'a spilled cluster message is gone before it was read');
          } catch (err) {
            missed(m, err, 'could not read a spilled cluster message');
          }
        } else {
          deliver(m.topic, m.body.slice(1));
        }
        inbox.shift();
      }
    } finally {
      draining = false;
    }
  };

  const onNotification = (n: pg.Notification): void => {
    const p = n.payload;
    if (!p) return;
    const sep = p.indexOf(':');
    if (sep < 0 || p.slice(0, sep) === o.instanceId) return; // our own echo: already acted on here
    inbox.push({ topic: n.channel, body: p.slice(sep + 1), at: now() });
    void drainInbox();
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, o.maxBackoffMs ?? 10_000);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
    reconnectTimer.unref();
  };

  const lost = (c: pg.Client, err?: Error): void => {
    if (client !== c) return;
    client = undefined;
    const was = connected;
    connected = false;
    if (was) lostAt ??= now();
    c.end().catch(() => undefined);
    if (closed) return;
    if (was) o.log.warn({ err }, 'cluster listener connection lost; reconnecting');
    scheduleReconnect();
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString: o.url });
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', onNotification);
    try {
      await c.connect();
      for (const topic of topics.keys()) await c.query(`LISTEN ${pg.escapeIdentifier(topic)}`);
    } catch (err) {
      o.log.warn({ err, retryInMs: backoff }, 'cluster listener could not connect; retrying');
      lost(c, err instanceof Error ? err : undefined);
      return;
    }
    if (client !== c || closed) return;
    connected = true;
    backoff = o.backoffMs ?? 250;
    if (everConnected) {
      o.log.info('cluster listener reconnected');
      const since = lostAt ?? now();
      lostAt = undefined;
      for (const fn of [...resyncs]) fn(since);
    }
    everConnected = true;
    markReady();
  }

  const sendOne = async (m: Outgoing): Promise<void> => {
    let body = `=${m.payload}`;
    if (Buffer.byteLength(m.payload) > INLINE_MAX_BYTES) {
      const r = await o.pool.query<{ id: string }>(
        'INSERT INTO cluster_messages (payload, created_at) VALUES ($1, $2) RETURNING id::text AS id',
        [m.payload, now()],
      );
      body = `@${r.rows[0]?.id ?? ''}`;
    }
    await o.pool.query('SELECT pg_notify($1, $2)', [m.topic, `${o.instanceId}:${body}`]);
  };

  const drainOutbox = async (): Promise<void> => {
    while (outbox.length > 0) {
      const m = outbox.shift();
      if (!m) break;
      try {
        await sendOne(m);
        if (sendFailing) o.log.info('cluster messages are sent again');
        sendFailing = false;
      } catch (err) {
        // the other instances miss this one; they re-read state when their own connection comes back
        if (!sendFailing) o.log.warn({ err, topic: m.topic }, 'could not send a cluster message');
        sendFailing = true;
      }
    }
  };

  const kick = (): void => {
    sending ??= drainOutbox().finally(() => {
      sending = undefined;
      if (outbox.length > 0 && !closed) kick();
    });
  };

  const sweep = setInterval(() => {
    o.pool
      .query('DELETE FROM cluster_messages WHERE created_at < $1', [now() - SPILL_KEEP_MS])
      .catch((err: unknown) => o.log.debug({ err }, 'could not sweep old cluster messages'));
  }, 60_000);
  sweep.unref();

  void connect();

  return {
    send(topic, payload) {
      if (closed) return;
      if (outbox.length >= QUEUE_MAX) {
        outbox.shift();
        o.log.warn('cluster message queue full; dropping the oldest');
      }
      outbox.push({ topic, payload });
      kick();
    },
    subscribe(topic, fn) {
      let set = topics.get(topic);
      if (!set) {
        set = new Set();
        topics.set(topic, set);
        if (connected && client) {
          const c = client;
          listening = listening.then(() =>
            c.query(`LISTEN ${pg.escapeIdentifier(topic)}`).catch((err: unknown) => {
              o.log.warn({ err, topic }, 'LISTEN failed');
            }),
          );
        }
      }
      set.add(fn);
      return () => set.delete(fn);
    },
    ready: () => readyOnce.then(() => listening).then(() => undefined),
    onResync(fn) {
      resyncs.add(fn);
      return () => resyncs.delete(fn);
    },
    async close() {
      // what is queued still leaves (a cancel sent just before a shutdown, say), then the connection ends
      while (sending) await sending;
      closed = true;
      clearInterval(sweep);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
