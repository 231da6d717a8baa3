import type pg from 'pg';
import { zLoraAccess, zLoraFamily } from '@mediagen/contract';
import type { LoraRecord, LoraStore } from '#ports/lora-store.ts';
import { pgText } from './postgres-db.ts';

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

/** The LoRA catalog on PostgreSQL (table lora_catalog, PostgreSQL migration 2). */
export function createPostgresLoraRepo(pool: pg.Pool): LoraStore {
  return {
    async list() {
      return (await pool.query<LoraRow>('SELECT * FROM lora_catalog ORDER BY name')).rows.map(fromRow);
    },
    async get(name) {
      const r = (await pool.query<LoraRow>('SELECT * FROM lora_catalog WHERE name = $1', [name])).rows[0];
      return r ? fromRow(r) : undefined;
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
        [keyof typeof COLUMNS, unknown]
      >;
      const values: unknown[] = [name];
      const sets = entries.map(([k, v]) => {
        values.push(JSON_FIELDS.has(k) ? JSON.stringify(v) : typeof v === 'string' ? pgText(v) : v);
        return `${COLUMNS[k]} = $${values.length}`;
      });
      const sql = `UPDATE lora_catalog SET ${sets.length > 0 ? sets.join(', ') : 'name = name'} WHERE name = $1`;
      return (await pool.query(sql, values)).rowCount === 1;
    },
    async delete(name) {
      return (await pool.query('DELETE FROM lora_catalog WHERE name = $1', [name])).rowCount === 1;
    },
  };
}
