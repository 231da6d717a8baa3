import type Database from 'better-sqlite3';
import type { LoraStore } from '#ports/lora-store.ts';
import { LORA_COLUMNS, LORA_JSON_FIELDS, loraFromRow, type LoraRow } from './lora-rows.ts';

/** The LoRA catalog on SQLite (table lora_catalog, migration 9). */
export function createSqliteLoraRepo(q: (sql: string) => Database.Statement): LoraStore {
  return {
    async list() {
      return (q('SELECT * FROM lora_catalog ORDER BY name').all() as LoraRow[]).map(loraFromRow);
    },
    async get(name) {
      const r = q('SELECT * FROM lora_catalog WHERE name = ?').get(name) as LoraRow | undefined;
      return r ? loraFromRow(r) : undefined;
    },
    async insert(r) {
      const res =
        q(`INSERT INTO lora_catalog (name, file, role_files, family, title, description, trigger_words, access,
          users, sha256, source_url, default_strength, preview_key, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO NOTHING`).run(
          r.name,
          r.file,
          JSON.stringify(r.roleFiles),
          r.family,
          r.title,
          r.description,
          JSON.stringify(r.triggerWords),
          r.access,
          JSON.stringify(r.users),
          r.sha256,
          r.sourceUrl,
          r.defaultStrength,
          r.previewKey,
          r.createdAt,
          r.updatedAt,
        );
      return res.changes === 1;
    },
    async update(name, patch) {
      const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as Array<
        [keyof typeof LORA_COLUMNS, unknown]
      >;
      const sets = entries.map(([k]) => `${LORA_COLUMNS[k]} = ?`);
      const values = entries.map(([k, v]) => (LORA_JSON_FIELDS.has(k) ? JSON.stringify(v) : v));
      const sql = `UPDATE lora_catalog SET ${sets.length > 0 ? sets.join(', ') : 'name = name'} WHERE name = ?`;
      return q(sql).run(...values, name).changes === 1;
    },
    async delete(name) {
      return q('DELETE FROM lora_catalog WHERE name = ?').run(name).changes === 1;
    },
  };
}
