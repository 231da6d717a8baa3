// The lora_catalog table's row as both SQL adapters read it (SQLite migration 9, PostgreSQL migration 2).
import { zLoraAccess, zLoraFamily } from '@mediagen/contract';
import type { LoraRecord } from '#ports/lora-store.ts';

export interface LoraRow {
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

export const loraFromRow = (r: LoraRow): LoraRecord => ({
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

export const LORA_COLUMNS: Record<keyof Omit<LoraRecord, 'name' | 'createdAt'>, string> = {
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
export const LORA_JSON_FIELDS = new Set(['roleFiles', 'triggerWords', 'users']);
