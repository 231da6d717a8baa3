import type Database from 'better-sqlite3';
import type { Store } from '#ports/store.ts';
import { likeWord } from './store-rows.ts';
import { prompt, preset, type PromptRow, type PresetRow } from './workspace-rows.ts';

export function createSqlitePromptRepo(
  db: Database.Database,
  q: (sql: string) => Database.Statement,
): Store['prompts'] {
  const upsert = q(`INSERT INTO prompt_history (id, owner_id, prompt, negative_prompt, uses, last_used_at)
    VALUES (@id, @ownerId, @prompt, @negativePrompt, 1, @at)
    ON CONFLICT (owner_id, prompt, negative_prompt) DO UPDATE SET uses = uses + 1, last_used_at = excluded.last_used_at`);
  const trim = q(`DELETE FROM prompt_history WHERE owner_id = @ownerId AND id NOT IN
    (SELECT id FROM prompt_history WHERE owner_id = @ownerId ORDER BY last_used_at DESC, id DESC LIMIT @keep)`);
  const record = db.transaction(
    (
      prompts: ReadonlyArray<{ id: string; ownerId: string; prompt: string; negativePrompt: string; at: number }>,
      keep: number,
    ) => {
      for (const p of prompts) upsert.run(p);
      for (const ownerId of new Set(prompts.map((p) => p.ownerId))) trim.run({ ownerId, keep });
    },
  );
  return {
    async record(prompts, keep) {
      record(prompts, keep);
    },
    async list(ownerId, words, limit) {
      const where = ['owner_id = @ownerId'];
      const values: Record<string, unknown> = { ownerId, limit };
      words.forEach((w, i) => {
        where.push(`(mg_lower(prompt) LIKE @w${i} ESCAPE '\\' OR mg_lower(negative_prompt) LIKE @w${i} ESCAPE '\\')`);
        values[`w${i}`] = likeWord(w.toLowerCase());
      });
      const rows = q(
        `SELECT * FROM prompt_history WHERE ${where.join(' AND ')} ORDER BY last_used_at DESC, id DESC LIMIT @limit`,
      ).all(values) as PromptRow[];
      return rows.map(prompt);
    },
    async delete(ownerId, id) {
      return q('DELETE FROM prompt_history WHERE id = ? AND owner_id = ?').run(id, ownerId).changes === 1;
    },
  };
}

export function createSqlitePresetRepo(q: (sql: string) => Database.Statement): Store['presets'] {
  return {
    async list(ownerId) {
      return (
        q('SELECT * FROM presets WHERE owner_id = ? ORDER BY name COLLATE NOCASE, id').all(ownerId) as PresetRow[]
      ).map(preset);
    },
    async save(p) {
      q(`INSERT INTO presets (id, owner_id, name, params, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (owner_id, name) DO UPDATE SET params = excluded.params, updated_at = excluded.updated_at`).run(
        p.id,
        p.ownerId,
        p.name,
        JSON.stringify(p.params),
        p.createdAt,
        p.updatedAt,
      );
      const row = q('SELECT * FROM presets WHERE owner_id = ? AND name = ?').get(p.ownerId, p.name) as PresetRow;
      return preset(row);
    },
    async delete(ownerId, id) {
      return q('DELETE FROM presets WHERE id = ? AND owner_id = ?').run(id, ownerId).changes === 1;
    },
  };
}
