// Rows of the prompt history and presets tables as both SQL adapters read them, and their records.
import type { PresetRecord, PromptRecord } from '#ports/store.ts';

export interface PromptRow {
  id: string;
  owner_id: string;
  prompt: string;
  negative_prompt: string;
  uses: number;
  last_used_at: number;
}
export interface PresetRow {
  id: string;
  owner_id: string;
  name: string;
  params: string;
  created_at: number;
  updated_at: number;
}

export const prompt = (r: PromptRow): PromptRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  prompt: r.prompt,
  negativePrompt: r.negative_prompt,
  uses: r.uses,
  lastUsedAt: r.last_used_at,
});
export const preset = (r: PresetRow): PresetRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  params: JSON.parse(r.params) as Record<string, unknown>,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Prompt history (the newest N per user) on SQLite; mg_lower is registered by the task repo. */
