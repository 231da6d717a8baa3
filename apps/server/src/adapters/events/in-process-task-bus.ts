import type { TaskEvent } from '@mediagen/contract';
import type { TaskEventBus, TaskEventEnvelope } from '#ports/task-event-bus.ts';

type Listener<T> = (e: T) => void;

/** Listeners by key, without EventEmitter's per-emit array copies and listener-count warnings. */
class Fanout<T> {
  private readonly byKey = new Map<string, Set<Listener<T>>>();

  add(key: string, fn: Listener<T>): () => void {
    let set = this.byKey.get(key);
    if (!set) {
      set = new Set();
      this.byKey.set(key, set);
    }
    set.add(fn);
    return () => {
      const s = this.byKey.get(key);
      if (!s) return;
      s.delete(fn);
      if (s.size === 0) this.byKey.delete(key);
    };
  }

  emit(key: string, e: T): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const fn of [...set]) fn(e);
  }
}

/** The in-process bus, and `deliver` for an event that another gateway published (the cluster bus calls it). */
export type LocalTaskBus = TaskEventBus & { deliver(e: TaskEventEnvelope): void };

/** The single-gateway bus: synchronous fan-out inside the process. */
export function createInProcessTaskBus(): LocalTaskBus {
  const tasks = new Fanout<TaskEvent>();
  const owners = new Fanout<TaskEvent>();
  const all = new Set<Listener<TaskEventEnvelope>>();
  const deliver = (e: TaskEventEnvelope): void => {
    tasks.emit(e.event.data.task_id, e.event);
    owners.emit(e.ownerId, e.event);
    for (const fn of [...all]) fn(e);
  };
  return {
    deliver,
    publish: (ownerId, event) => deliver({ ownerId, event }),
    subscribe: (taskId, fn) => tasks.add(taskId, fn),
    subscribeOwner: (ownerId, fn) => owners.add(ownerId, fn),
    subscribeAll(fn) {
      all.add(fn);
      return () => all.delete(fn);
    },
    async close() {},
  };
}
