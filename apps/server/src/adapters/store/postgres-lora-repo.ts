import type pg from 'pg';
import type { LoraStore } from '#ports/lora-store.ts';
import { LORA_COLUMNS, LORA_JSON_FIELDS, loraFromRow, type LoraRow } from './lora-rows.ts';
import { pgText } from './postgres-db.ts';

/** The LoRA catalog on PostgreSQL (table lora_catalog, PostgreSQL migration 2). */
export function createPostgresLoraRepo(pool: pg.Pool): LoraStore {
  return {
    async list() {
      return (await pool.query<LoraRow>('SELECT * FROM lora_catalog ORDER BY name')).rows.map(loraFromRow);
    },
    async get(name) {
      const r = (await pool.query<LoraRow>('SELECT * FROM lora_catalog WHERE name = $1', [name])).rows[0];
      return r ? loraFromRow(r) : undefined;
    },
    async insert(r) {
      const res = await pool.query(
        `INSERT INTO lora_catalog (name, file, role_files, family, title, description, trigger_words, access,
          users, sha256, source_url, default_strength, preview_key, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (name) DO NOTHING`,
        [
          r.name,
          r.file,
          JSON.stringify(r.roleFiles),
          r.family,
          pgText(r.title),
          pgText(r.description),
          JSON.stringify(r.triggerWords),
          r.access,
          JSON.stringify(r.users),
          r.sha256,
          r.sourceUrl,
          r.defaultStrength,
          r.previewKey,
          r.createdAt,
          r.updatedAt,
        ],
      );
      return res.rowCount === 1;
    },
    async update(name, patch) {
      const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as Array<
        [keyof typeof LORA_COLUMNS, unknown]
      >;
      const values: unknown[] = [name];
      const sets = entries.map(([k, v]) => {
        values.push(LORA_JSON_FIELDS.has(k) ? JSON.stringify(v) : typeof v === 'string' ? pgText(v) : v);
        return `${LORA_COLUMNS[k]} = $${values.length}`;
      });
      const sql = `UPDATE lora_catalog SET ${sets.length > 0 ? sets.join(', ') : 'name = name'} WHERE name = $1`;
      return (await pool.query(sql, values)).rowCount === 1;
    },
    async delete(name) {
      return (await pool.query('DELETE FROM lora_catalog WHERE name = $1', [name])).rowCount === 1;
    },
  };
}
