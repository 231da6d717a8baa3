import type { LoraRecord, LoraStore } from '#ports/lora-store.ts';

/** The LoRA catalog in memory, with the SQLite adapter's semantics (names unique, reads are copies, by name). */
export function createMemoryLoraRepo(): LoraStore {
  const rows = new Map<string, LoraRecord>();
  return {
    async list() {
      return [...rows.values()]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((r) => structuredClone(r));
    },
    async get(name) {
      const r = rows.get(name);
      return r ? structuredClone(r) : undefined;
    },
    async insert(r) {
      if (rows.has(r.name)) return false;
      rows.set(r.name, structuredClone(r));
      return true;
    },
    async update(name, patch) {
      const r = rows.get(name);
      if (!r) return false;
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      rows.set(name, { ...r, ...structuredClone(defined) });
      return true;
    },
    async delete(name) {
      return rows.delete(name);
    },
  };
}
