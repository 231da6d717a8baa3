import type { TaskEvent } from '@mediagen/contract';

export interface TaskEventEnvelope {
  ownerId: string;
  event: TaskEvent;
  /** published on another gateway (counters count an event once, where it happened) */
  remote?: boolean;
}

/**
 * Task events fanned out to SSE streams, waiters and views. One gateway: in process. Several gateways:
 * an adapter that also carries events between instances (PostgreSQL LISTEN/NOTIFY), so a stream on any
 * instance sees a job that runs on another.
 */
export interface TaskEventBus {
  publish(ownerId: string, event: TaskEvent): void;
  /** one task's events; one shared subscription per task however many listeners it has */
  subscribe(taskId: string, fn: (e: TaskEvent) => void): () => void;
  /** every task of one owner (the per-user stream) */
  subscribeOwner(ownerId: string, fn: (e: TaskEvent) => void): () => void;
  subscribeAll(fn: (e: TaskEventEnvelope) => void): () => void;
  close(): Promise<void>;
}
