import type Database from 'better-sqlite3';
import { zLoraAccess, zLoraFamily } from '@mediagen/contract';
import type { LoraRecord, LoraStore } from '#ports/lora-store.ts';

interface LoraRow {
  name: string;
  file: string;
  role_files: string;
  family: string;
  title: string;
  description: string;
  trigger_words: string;
  access: string;
  users: string;
  sha256: string | null;
  source_url: string | null;
  default_strength: number;
  preview_key: string | null;
  created_at: number;
  updated_at: number;
}

const fromRow = (r: LoraRow): LoraRecord => ({
  name: r.name,
  file: r.file,
  roleFiles: JSON.parse(r.role_files) as Record<string, string>,
  family: zLoraFamily.parse(r.family),
  title: r.title,
  description: r.description,
  triggerWords: JSON.parse(r.trigger_words) as string[],
  access: zLoraAccess.parse(r.access),
  users: JSON.parse(r.users) as string[],
  sha256: r.sha256,
  sourceUrl: r.source_url,
  defaultStrength: r.default_strength,
  previewKey: r.preview_key,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const COLUMNS: Record<keyof Omit<LoraRecord, 'name' | 'createdAt'>, string> = {
  file: 'file',
  roleFiles: 'role_files',
  family: 'family',
  title: 'title',
  description: 'description',
  triggerWords: 'trigger_words',
  access: 'access',
  users: 'users',
  sha256: 'sha256',
  sourceUrl: 'source_url',
  defaultStrength: 'default_strength',
  previewKey: 'preview_key',
  updatedAt: 'updated_at',
};
const JSON_FIELDS = new Set(['roleFiles', 'triggerWords', 'users']);

/** The LoRA catalog on SQLite (table lora_catalog, migration 9). */
export function createSqliteLoraRepo(q: (sql: string) => Database.Statement): LoraStore {
  return {
    async list() {
      return (q('SELECT * FROM lora_catalog ORDER BY name').all() as LoraRow[]).map(fromRow);
    },
    async get(name) {
      const r = q('SELECT * FROM lora_catalog WHERE name = ?').get(name) as LoraRow | undefined;
      return r ? fromRow(r) : undefined;
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
        [keyof typeof COLUMNS, unknown]
      >;
      const sets = entries.map(([k]) => `${COLUMNS[k]} = ?`);
      const values = entries.map(([k, v]) => (JSON_FIELDS.has(k) ? JSON.stringify(v) : v));
      const sql = `UPDATE lora_catalog SET ${sets.length > 0 ? sets.join(', ') : 'name = name'} WHERE name = ?`;
      return q(sql).run(...values, name).changes === 1;
    },
    async delete(name) {
      return q('DELETE FROM lora_catalog WHERE name = ?').run(name).changes === 1;
    },
  };
}
