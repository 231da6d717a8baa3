import type { PresetRecord, PromptRecord, Store } from '#ports/store.ts';

const clone = <T>(v: T): T => structuredClone(v);
const byRecent = (a: PromptRecord, b: PromptRecord): number =>
  b.lastUsedAt - a.lastUsedAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

/** Prompt history in memory: the SQLite adapter's upsert-by-text, newest-N trim and word search. */
export function createMemoryPromptRepo(): Store['prompts'] {
  const rows = new Map<string, PromptRecord>();
  const keyOf = (p: { ownerId: string; prompt: string; negativePrompt: string }): string =>
    JSON.stringify([p.ownerId, p.prompt, p.negativePrompt]);
  return {
    async record(prompts, keep) {
      for (const p of prompts) {
        const prior = [...rows.values()].find((r) => keyOf(r) === keyOf(p));
        if (prior) {
          prior.uses += 1;
          prior.lastUsedAt = p.at;
        } else {
          rows.set(p.id, {
            id: p.id,
            ownerId: p.ownerId,
            prompt: p.prompt,
            negativePrompt: p.negativePrompt,
            uses: 1,
            lastUsedAt: p.at,
          });
        }
      }
      for (const ownerId of new Set(prompts.map((p) => p.ownerId))) {
        const mine = [...rows.values()].filter((r) => r.ownerId === ownerId).sort(byRecent);
        for (const r of mine.slice(keep)) rows.delete(r.id);
      }
    },
    async list(ownerId, words, limit) {
      return [...rows.values()]
        .filter(
          (r) =>
            r.ownerId === ownerId &&
            words.every((w) => `${r.prompt}\n${r.negativePrompt}`.toLowerCase().includes(w.toLowerCase())),
        )
        .sort(byRecent)
        .slice(0, limit)
        .map(clone);
    },
    async delete(ownerId, id) {
      const r = rows.get(id);
      if (r?.ownerId !== ownerId) return false;
      return rows.delete(id);
    },
  };
}

/** Presets in memory: one per owner and name (saving a name again replaces its settings, keeping its id). */
export function createMemoryPresetRepo(): Store['presets'] {
  const rows = new Map<string, PresetRecord>();
  return {
    async list(ownerId) {
      return [...rows.values()]
        .filter((p) => p.ownerId === ownerId)
        .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || (a.id < b.id ? -1 : 1))
        .map(clone);
    },
    async save(p) {
      const prior = [...rows.values()].find((r) => r.ownerId === p.ownerId && r.name === p.name);
      if (prior) {
        prior.params = clone(p.params);
        prior.updatedAt = p.updatedAt;
        return clone(prior);
      }
      rows.set(p.id, clone(p));
      return clone(p);
    },
    async delete(ownerId, id) {
      const r = rows.get(id);
      if (r?.ownerId !== ownerId) return false;
      return rows.delete(id);
    },
  };
}
