import type { ServerResponse } from 'node:http';

/** Open event streams: one shared timer pings them all (no timer per client), and shutdown ends them. */
export class SseHub {
  private readonly streams = new Set<ServerResponse>();
  private readonly perKey = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pingMs = 15_000) {}

  /** Streams open for one key (a user). */
  count(key: string): number {
    return this.perKey.get(key) ?? 0;
  }

  add(res: ServerResponse, key: string): () => void {
    this.streams.add(res);
    this.perKey.set(key, this.count(key) + 1);
    let left = false;
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const s of this.streams) s.write(': ping\n\n');
      }, this.pingMs);
      this.timer.unref();
    }
    return () => {
      if (left) return;
      left = true;
      const n = this.count(key) - 1;
      if (n > 0) this.perKey.set(key, n);
      else this.perKey.delete(key);
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
    this.perKey.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
