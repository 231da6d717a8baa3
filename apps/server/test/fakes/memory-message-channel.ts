import type { MessageChannel } from '#adapters/cluster/message-channel.ts';

/**
 * Gateways joined as PostgreSQL would join them, in memory: what one endpoint sends reaches every other endpoint
 * (on a later microtask, in order), never the sender. `sent` records every message for tests that count them.
 */
export class MemoryMessageHub {
  readonly sent: Array<{ topic: string; payload: string }> = [];
  private readonly endpoints = new Set<{
    topics: Map<string, Set<(p: string) => void>>;
    resync: Set<(lostAt: number) => void>;
  }>();

  endpoint(): MessageChannel & { resync(lostAt: number): void } {
    const me = {
      topics: new Map<string, Set<(p: string) => void>>(),
      resync: new Set<(lostAt: number) => void>(),
    };
    this.endpoints.add(me);
    return {
      send: (topic, payload) => {
        this.sent.push({ topic, payload });
        for (const e of this.endpoints) {
          if (e === me) continue;
          queueMicrotask(() => {
            for (const fn of [...(e.topics.get(topic) ?? [])]) fn(payload);
          });
        }
      },
      subscribe(topic, fn) {
        let set = me.topics.get(topic);
        if (!set) me.topics.set(topic, (set = new Set()));
        set.add(fn);
        return () => set.delete(fn);
      },
      onResync(fn) {
        me.resync.add(fn);
        return () => me.resync.delete(fn);
      },
      resync(lostAt) {
        for (const fn of [...me.resync]) fn(lostAt);
      },
      ready: async () => undefined,
      close: async () => {
        this.endpoints.delete(me);
      },
    };
  }
}
