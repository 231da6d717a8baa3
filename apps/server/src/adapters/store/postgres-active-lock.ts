import pg from 'pg';

/** The advisory lock key of "the gateway that drives the GPUs" (per database). */
const ACTIVE_GATEWAY_LOCK = 726_002;

export interface ActiveGatewayLock {
  /** resolves once this process is the active gateway: at once, or when the active one is gone */
  acquire(): Promise<void>;
  release(): Promise<void>;
}

/**
 * One active gateway per database: this build schedules, drives the GPUs and streams progress in the memory of
 * one process, so a second gateway on the same database waits as a standby (a session advisory lock, blocking)
 * until the active one's connection ends (it stopped, crashed or lost the database), then takes over and
 * re-attaches the running prompts as after a restart. The lock lives as long as its connection: if that
 * connection is lost while active, `onLost` is called, and must stop this process from driving the GPUs.
 */
export function createPostgresActiveLock(
  url: string,
  o: { onWaiting: () => void; onLost: (err: Error) => void },
): ActiveGatewayLock {
  let client: pg.Client | undefined;
  let releasing = false;
  return {
    async acquire() {
      client = new pg.Client({ connectionString: url });
      const c = client;
      const lost = (err: Error): void => {
        if (!releasing) o.onLost(err);
      };
      c.on('error', lost);
      c.on('end', () => lost(new Error('the connection that holds the active-gateway lock ended')));
      await c.connect();
      const free = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [ACTIVE_GATEWAY_LOCK]);
      if (free.rows[0]?.ok) return;
      o.onWaiting();
      await c.query('SELECT pg_advisory_lock($1)', [ACTIVE_GATEWAY_LOCK]);
    },
    async release() {
      releasing = true;
      await client?.end().catch(() => undefined); // ending the session releases the lock
    },
  };
}
