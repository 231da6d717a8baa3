// What crosses gateway instances besides the per-account leases: task events, signals, live preview frames and
// rate-limit windows. One gateway (SQLite, or PostgreSQL without others): in process. PostgreSQL: the adapters
// over LISTEN/NOTIFY and the tables of PostgreSQL migration 5 (docs/adr/0012-events-across-gateways.md).
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { createChannelSignals } from '#adapters/cluster/channel-signals.ts';
import { createPostgresMessageChannel } from '#adapters/cluster/postgres-message-channel.ts';
import { createPostgresPreviewFrames } from '#adapters/cluster/postgres-preview-frames.ts';
import { createPostgresWindowCounter } from '#adapters/cluster/postgres-window-counter.ts';
import { createSingleInstanceSignals } from '#adapters/cluster/single-instance-signals.ts';
import { createClusterTaskBus } from '#adapters/events/cluster-task-bus.ts';
import { createInProcessTaskBus } from '#adapters/events/in-process-task-bus.ts';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import { taskEventFor } from '#domain/task-lifecycle.ts';
import type { ClusterSignals } from '#ports/cluster-signals.ts';
import type { SharedWindowCounter } from '#ports/rate-counter.ts';
import type { Store } from '#ports/store.ts';
import type { TaskEventBus, TaskEventEnvelope } from '#ports/task-event-bus.ts';
import { LivePreviews } from '#services/live-previews.ts';

export interface ClusterWiring {
  bus: TaskEventBus;
  signals: ClusterSignals;
  /** the live preview frames: in memory, and with several gateways also where the others read them */
  previews: LivePreviews;
  /** several gateways: rate-limit windows counted across all of them */
  rateCounter?: SharedWindowCounter;
  /** the link to the other gateways came back after a loss: events sent meanwhile were missed */
  onResync(fn: () => void): void;
  /** resolves once events from the other gateways are received */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** the most endings one catch-up re-reads (the latest ones) */
const CATCH_UP_MAX = 1000;

/** The endings of tasks since a time, as the events their streams and waiters look for. */
export async function endingsSince(store: Pick<Store, 'tasks'>, since: number): Promise<TaskEventEnvelope[]> {
  const out: TaskEventEnvelope[] = [];
  for (const row of (await store.tasks.finishedSince(since)).slice(-CATCH_UP_MAX)) {
    const t = await store.tasks.get(row.id);
    if (t) out.push({ ownerId: t.ownerId, event: taskEventFor(t) });
  }
  return out;
}

export function createClusterWiring(
  postgresUrl: string | undefined,
  log: Logger,
  store: Pick<Store, 'tasks'>,
): ClusterWiring {
  if (!postgresUrl) {
    const bus = createInProcessTaskBus();
    const signals = createSingleInstanceSignals();
    return {
      bus,
      signals,
      previews: new LivePreviews({ bus }),
      onResync: () => undefined,
      ready: async () => undefined,
      async close() {
        await bus.close();
        await signals.close();
      },
    };
  }
  const clusterLog = log.child({ component: 'cluster' });
  // apart from the store's pool: event traffic never waits behind queries, nor they behind it
  // every write on it is ephemeral: rate-limit windows, preview frames, spilled messages read back at once
  const pool = openPostgresPool(postgresUrl, 4, { ephemeral: true });
  const channel = createPostgresMessageChannel({
    url: postgresUrl,
    pool,
    instanceId: crypto.randomUUID().replaceAll('-', ''),
    log: clusterLog,
  });
  const bus = createClusterTaskBus({
    local: createInProcessTaskBus(),
    channel,
    log: clusterLog,
    catchUp: (since) => endingsSince(store, since),
  });
  const signals = createChannelSignals(channel, clusterLog);
  const previews = createPostgresPreviewFrames(pool, clusterLog);
  const counter = createPostgresWindowCounter(pool, clusterLog);
  return {
    bus,
    signals,
    previews: new LivePreviews({
      bus,
      shared: previews,
      onError: (err) => clusterLog.warn({ err }, 'could not share a preview frame'),
    }),
    rateCounter: counter,
    onResync: (fn) => void channel.onResync(fn),
    ready: () => channel.ready(),
    async close() {
      await bus.close();
      await signals.close();
      previews.close();
      counter.close();
      await channel.close();
      await pool.end().catch(() => undefined);
    },
  };
}
