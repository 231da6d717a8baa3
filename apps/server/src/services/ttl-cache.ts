/**
 * A bounded cache with a time to live: when full, the entry stored longest ago goes first (a hit does not reorder
 * the map — on the hottest routes that re-insertion cost more than the rare extra miss). For reads on the hot path
 * (who a key or a session belongs to) whose source of truth stays the store.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(private readonly o: { max: number; ttlMs: number; now: () => number }) {}

  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= this.o.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.o.now() + this.o.ttlMs });
    while (this.entries.size > this.o.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drop every entry whose value matches (e.g. all of one user's keys and sessions). */
  deleteWhere(test: (value: V) => boolean): void {
    for (const [k, e] of this.entries) if (test(e.value)) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
