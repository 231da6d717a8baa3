import { EventEmitter } from 'node:events';
import type { TaskEvent } from '@mediagen/contract';

/** In-process fan-out of task events to SSE streams and waiters (Prefer: wait). */
export class TaskEvents {
  private readonly emitter = new EventEmitter();
  private readonly previews = new Map<string, { image: Buffer; mime: string; seq: number }>();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: TaskEvent): void {
    this.emitter.emit(event.data.task_id, event);
    this.emitter.emit('*', event);
  }

  subscribe(taskId: string, fn: (e: TaskEvent) => void): () => void {
    this.emitter.on(taskId, fn);
    return () => this.emitter.off(taskId, fn);
  }

  subscribeAll(fn: (e: TaskEvent) => void): () => void {
    this.emitter.on('*', fn);
    return () => this.emitter.off('*', fn);
  }

  setPreview(taskId: string, image: Buffer, mime: string): number {
    const seq = (this.previews.get(taskId)?.seq ?? 0) + 1;
    this.previews.set(taskId, { image, mime, seq });
    return seq;
  }

  preview(taskId: string): { image: Buffer; mime: string; seq: number } | undefined {
    return this.previews.get(taskId);
  }

  dropPreview(taskId: string): void {
    this.previews.delete(taskId);
  }
}
