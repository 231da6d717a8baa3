import { zTaskEvent, type TaskEvent } from '@mediagen/contract';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MessageChannel } from '#adapters/cluster/message-channel.ts';
import type { TaskEventBus, TaskEventEnvelope } from '#ports/task-event-bus.ts';
import type { LocalTaskBus } from './in-process-task-bus.ts';

export const TASK_EVENTS_TOPIC = 'mediagen_task_events';
/** one message carries the events of one flush while they fit one NOTIFY; a larger single event goes alone */
const BATCH_MAX_BYTES = 7000;

const zWire = z.array(z.object({ o: z.string(), e: zTaskEvent }));

export interface ClusterTaskBusOptions {
  local: LocalTaskBus;
  channel: MessageChannel;
  log: Logger;
  /** live progress and previews leave at most this often per task, the latest of each (default 100 ms) */
  coalesceMs?: number;
  /**
   * After the listener was away: the current-state events of tasks that ended since then (read from the store), so a
   * stream or a `Prefer: wait` on this gateway does not wait forever for an ending it missed.
   */
  catchUp?: (since: number) => Promise<TaskEventEnvelope[]>;
}

/** how far before the loss a catch-up reads: finish times come from the other gateways' clocks */
const CATCH_UP_MARGIN_MS = 30_000;

/** Running progress and preview frames: frequent, and only the latest matters to anyone. */
function coalescible(e: TaskEvent): boolean {
  return e.event === 'preview' || (e.event === 'progress' && e.data.status === 'running');
}

/**
 * The task bus of several gateways: every event fans out here at once, and reaches the other instances over the
 * message channel (PostgreSQL NOTIFY). State changes leave on the next turn, in order; running progress and
 * previews are coalesced to the latest per task every `coalesceMs` (a stage change still sends the last report
 * of the stage before it, so listeners that look for a stage see it). Events from the others fan out here with
 * `remote: true`.
 */
export function createClusterTaskBus(o: ClusterTaskBusOptions): TaskEventBus {
  const every = o.coalesceMs ?? 100;
  /** ready to leave, in publish order */
  const ready: TaskEventEnvelope[] = [];
  /** the latest coalescible event per task and kind, waiting for the timer */
  const latest = new Map<string, TaskEventEnvelope>();
  let timer: NodeJS.Timeout | undefined;
  let soon = false;

  const flush = (): void => {
    soon = false;
    if (timer) clearTimeout(timer);
    timer = undefined;
    ready.push(...latest.values());
    latest.clear();
    let batch: string[] = [];
    let bytes = 0;
    const send = (): void => {
      if (batch.length > 0) o.channel.send(TASK_EVENTS_TOPIC, `[${batch.join(',')}]`);
      batch = [];
      bytes = 0;
    };
    for (const e of ready.splice(0)) {
      const item = JSON.stringify({ o: e.ownerId, e: e.event });
      const size = Buffer.byteLength(item) + 1;
      if (bytes + size > BATCH_MAX_BYTES) send();
      batch.push(item);
      bytes += size;
    }
    send();
  };

  const flushSoon = (): void => {
    if (soon) return;
    soon = true;
    setImmediate(flush);
  };

  /** what waits for the timer of this task leaves before a new event of it (its order holds) */
  const release = (taskId: string): void => {
    for (const key of [`${taskId}:progress`, `${taskId}:preview`]) {
      const e = latest.get(key);
      if (e) {
        latest.delete(key);
        ready.push(e);
      }
    }
  };

  const off = o.channel.subscribe(TASK_EVENTS_TOPIC, (payload) => {
    let parsed: z.infer<typeof zWire>;
    try {
      parsed = zWire.parse(JSON.parse(payload));
    } catch (err) {
      o.log.warn({ err }, 'ignored a malformed task event from another gateway');
      return;
    }
    for (const { o: ownerId, e: event } of parsed) o.local.deliver({ ownerId, event, remote: true });
  });
  const catchUp = o.catchUp;
  const offResync = catchUp
    ? o.channel.onResync((lostAt) => {
        catchUp(lostAt - CATCH_UP_MARGIN_MS).then(
          (missed) => {
            for (const e of missed) o.local.deliver({ ...e, remote: true });
          },
          (err: unknown) =>
            o.log.warn({ err }, 'could not re-read the task endings missed while the listener was away'),
        );
      })
    : () => undefined;

  return {
    publish(ownerId, event) {
      o.local.publish(ownerId, event);
      const env: TaskEventEnvelope = { ownerId, event };
      const id = event.data.task_id;
      if (!coalescible(event)) {
        release(id);
        ready.push(env);
        flushSoon();
        return;
      }
      const key = `${id}:${event.event}`;
      const prev = latest.get(key);
      if (
        prev?.event.event === 'progress' &&
        event.event === 'progress' &&
        (prev.event.data.stage !== event.data.stage || prev.event.data.status !== event.data.status)
      ) {
        latest.delete(key);
        ready.push(prev);
      }
      latest.set(key, env);
      if (!timer) {
        timer = setTimeout(flush, every);
        timer.unref();
      }
    },
    subscribe: (taskId, fn) => o.local.subscribe(taskId, fn),
    subscribeOwner: (ownerId, fn) => o.local.subscribeOwner(ownerId, fn),
    subscribeAll: (fn) => o.local.subscribeAll(fn),
    async close() {
      flush();
      off();
      offResync();
      await o.local.close();
    },
  };
}
