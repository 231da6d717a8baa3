import type { TaskStage } from '@mediagen/contract';
import type { TaskEventBus } from '#ports/task-event-bus.ts';

/**
 * The latest progress of each running task as its events report it (on any gateway, once the bus carries
 * events between them), so a status read agrees with the event stream instead of the last throttled write.
 */
export class LiveProgress {
  private readonly latest = new Map<string, { progress: number; stage: TaskStage }>();
  private readonly off: () => void;

  constructor(bus: TaskEventBus) {
    this.off = bus.subscribeAll(({ event }) => {
      const id = event.data.task_id;
      if (event.event === 'progress' && event.data.status === 'running') {
        this.latest.set(id, { progress: event.data.progress, stage: event.data.stage });
      } else if (event.event !== 'preview') {
        this.latest.delete(id);
      }
    });
  }

  get(taskId: string): { progress: number; stage: TaskStage } | undefined {
    return this.latest.get(taskId);
  }

  close(): void {
    this.off();
  }
}
