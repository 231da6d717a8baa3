import type { ServerResponse } from 'node:http';

/** Open event streams: one shared timer pings them all (no timer per client), and shutdown ends them. */
export class SseHub {
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pingMs = 15_000) {}

  add(res: ServerResponse): () => void {
    this.streams.add(res);
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const s of this.streams) s.write(': ping\n\n');
      }, this.pingMs);
      this.timer.unref();
    }
    return () => {
      this.streams.delete(res);
      if (this.streams.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  get size(): number {
    return this.streams.size;
  }

  /** End every stream (graceful shutdown: clients reconnect to another gateway or after the restart). */
  closeAll(): void {
    for (const s of this.streams) s.end();
    this.streams.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
