import type pg from 'pg';
import type { Store } from '#ports/store.ts';
import { pgText, transaction } from './postgres-db.ts';
import { searchText } from './postgres-task-repo.ts';
import { likeWord } from './store-rows.ts';
import { prompt, preset, type PromptRow, type PresetRow } from './workspace-rows.ts';

export function createPostgresPromptRepo(pool: pg.Pool): Store['prompts'] {
  return {
    async record(prompts, keep) {
      await transaction(pool, async (c) => {
        for (const p of prompts) {
          await c.query(
            `INSERT INTO prompt_history (id, owner_id, prompt, negative_prompt, search_text, uses, last_used_at)
              VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (owner_id, prompt, negative_prompt)
              DO UPDATE SET uses = prompt_history.uses + 1, last_used_at = excluded.last_used_at`,
            [
              p.id,
              p.ownerId,
              pgText(p.prompt),
              pgText(p.negativePrompt),
              searchText(`${p.prompt}\n${p.negativePrompt}`),
              p.at,
            ],
          );
        }
        for (const ownerId of new Set(prompts.map((p) => p.ownerId))) {
          await c.query(
            `DELETE FROM prompt_history WHERE owner_id = $1 AND id NOT IN
              (SELECT id FROM prompt_history WHERE owner_id = $1 ORDER BY last_used_at DESC, id DESC LIMIT $2)`,
            [ownerId, keep],
          );
        }
      });
    },
    async list(ownerId, words, limit) {
      const values: unknown[] = [ownerId];
      const where = ['owner_id = $1'];
      for (const w of words) {
        values.push(likeWord(searchText(w)));
        where.push(`search_text LIKE $${values.length}`);
      }
      values.push(limit);
      const r = await pool.query<PromptRow>(
        `SELECT * FROM prompt_history WHERE ${where.join(' AND ')} ORDER BY last_used_at DESC, id DESC LIMIT $${values.length}`,
        values,
      );
      return r.rows.map(prompt);
    },
    async delete(ownerId, id) {
      return (
        (await pool.query('DELETE FROM prompt_history WHERE id = $1 AND owner_id = $2', [id, ownerId])).rowCount === 1
      );
    },
  };
}

export function createPostgresPresetRepo(pool: pg.Pool): Store['presets'] {
  return {
    async list(ownerId) {
      // SQLite's NOCASE folds ASCII only; so does lower() under the "C" collation
      const r = await pool.query<PresetRow>(
        `SELECT * FROM presets WHERE owner_id = $1 ORDER BY lower(name COLLATE "C"), id`,
        [ownerId],
      );
      return r.rows.map(preset);
    },
    async save(p) {
      const r = await pool.query<PresetRow>(
        `INSERT INTO presets (id, owner_id, name, params, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
          ON CONFLICT (owner_id, name) DO UPDATE SET params = excluded.params, updated_at = excluded.updated_at
          RETURNING *`,
        [p.id, p.ownerId, pgText(p.name), JSON.stringify(p.params), p.createdAt, p.updatedAt],
      );
      return preset(r.rows[0] as PresetRow);
    },
    async delete(ownerId, id) {
      return (await pool.query('DELETE FROM presets WHERE id = $1 AND owner_id = $2', [id, ownerId])).rowCount === 1;
    },
  };
}
