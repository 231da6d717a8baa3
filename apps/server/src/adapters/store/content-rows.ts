// Rows of the content tables as both SQL adapters read them (SQLite migration 8, PostgreSQL migration 3).
import type { ModelId } from '@mediagen/contract';
import type { QuarantineRecord, UserContentSettings } from '#ports/content-store.ts';

/** `sfw` is an INTEGER 0/1 on SQLite and a BOOLEAN on PostgreSQL */
export interface SettingsRow {
  user_id: string;
  sfw: number | boolean;
  retention_days: number | null;
}
export interface QuarantineRow {
  id: string;
  task_id: string;
  owner_id: string;
  model: string;
  type: 'image' | 'video';
  rule: string;
  scores: string;
  files: string;
  thumbnail: string | null;
  created_at: number;
}

export const contentSettings = (userId: string, r: SettingsRow | undefined): UserContentSettings => ({
  userId,
  sfw: r?.sfw === 1 || r?.sfw === true,
  retentionDays: r?.retention_days ?? null,
});

export const quarantine = (r: QuarantineRow): QuarantineRecord => ({
  id: r.id,
  taskId: r.task_id,
  ownerId: r.owner_id,
  model: r.model as ModelId,
  type: r.type,
  rule: r.rule,
  // written by this adapter, so read back without a schema
  scores: JSON.parse(r.scores) as QuarantineRecord['scores'],
  files: JSON.parse(r.files) as QuarantineRecord['files'],
  thumbnail: r.thumbnail,
  createdAt: r.created_at,
});
