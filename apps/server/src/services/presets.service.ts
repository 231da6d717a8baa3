import crypto from 'node:crypto';
import type { Preset, PresetSave } from '@mediagen/contract';
import { AppError, notFound } from '#domain/app-error.ts';
import type { PresetRecord, Store } from '#ports/store.ts';

const MAX_PRESETS = 200;

const view = (p: PresetRecord): Preset => ({
  id: p.id,
  name: p.name,
  params: p.params,
  created_at: new Date(p.createdAt).toISOString(),
  updated_at: new Date(p.updatedAt).toISOString(),
});

/** Named presets per user, kept on the server; the list is also the export format. */
export class PresetsService {
  constructor(private readonly d: { store: Store; now: () => number }) {}

  async list(ownerId: string): Promise<{ items: Preset[] }> {
    return { items: (await this.d.store.presets.list(ownerId)).map(view) };
  }

  async save(ownerId: string, p: PresetSave): Promise<Preset> {
    const existing = await this.d.store.presets.list(ownerId);
    if (existing.length >= MAX_PRESETS && !existing.some((e) => e.name === p.name)) {
      throw new AppError('conflict', `At most ${MAX_PRESETS} presets; delete one first`);
    }
    const now = this.d.now();
    return view(
      await this.d.store.presets.save({
        id: crypto.randomUUID(),
        ownerId,
        name: p.name,
        params: p.params,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  async import(ownerId: string, presets: readonly PresetSave[]): Promise<{ items: Preset[] }> {
    for (const p of presets) await this.save(ownerId, p);
    return this.list(ownerId);
  }

  async remove(ownerId: string, id: string): Promise<void> {
    if (!(await this.d.store.presets.delete(ownerId, id))) throw notFound('Preset');
  }
}
