import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ResolvedLora } from '@mediagen/contract';
import type { LoraRecord } from '#ports/lora-store.ts';
import type { Store } from '#ports/store.ts';
import { accountRecord, resolvedParams, taskRecord } from './factories.ts';

export function loraRecord(overrides: Partial<LoraRecord> = {}): LoraRecord {
  return {
    name: 'style',
    file: 'style.safetensors',
    roleFiles: {},
    family: 'sdxl',
    title: 'Style',
    description: '',
    triggerWords: [],
    access: 'everyone',
    users: [],
    sha256: null,
    sourceUrl: null,
    defaultStrength: 1,
    previewKey: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

const resolved = (name: string): ResolvedLora => ({ name, file: `${name}.safetensors`, strength: 0.5, family: 'sdxl' });

/** The Store contract for the LoRA parts (called by describeStoreContract in store-contract.ts). */
export function describeLoraStoreContract(open: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('catalog: insert (names unique), get, list by name, partial update, delete', async () => {
    const b = loraRecord({
      name: 'b',
      roleFiles: { low_noise: 'b_low.safetensors' },
      family: 'wan',
      triggerWords: ['neon', 'кот'],
      access: 'users',
      users: ['u1', 'u2'],
      sha256: 'a'.repeat(64),
      sourceUrl: 'https://example.invalid/b',
      defaultStrength: 0.75,
      previewKey: 'loras/b.png',
    });
    const a = loraRecord({ name: 'a' });
    expect(await store.loras.insert(b)).toBe(true);
    expect(await store.loras.insert(a)).toBe(true);
    expect(await store.loras.insert({ ...a, file: 'other.safetensors' })).toBe(false);
    expect(await store.loras.get('b')).toEqual(b);
    expect(await store.loras.get('nope')).toBeUndefined();
    expect((await store.loras.list()).map((r) => r.name)).toEqual(['a', 'b']);
    expect(
      await store.loras.update('b', { triggerWords: [], previewKey: null, title: undefined, updatedAt: 2_000 }),
    ).toBe(true);
    expect(await store.loras.get('b')).toEqual({ ...b, triggerWords: [], previewKey: null, updatedAt: 2_000 });
    expect(await store.loras.update('nope', { title: 'x' })).toBe(false);
    expect(await store.loras.delete('a')).toBe(true);
    expect(await store.loras.delete('a')).toBe(false);
    expect((await store.loras.list()).map((r) => r.name)).toEqual(['b']);
  });

  it('accounts keep the LoRA files their last health check listed', async () => {
    const a = accountRecord({ loras: ['x.safetensors', 'sub/y.safetensors'] });
    await store.accounts.insert(a);
    expect((await store.accounts.get(a.id))?.loras).toEqual(['x.safetensors', 'sub/y.safetensors']);
    expect(await store.accounts.update(a.id, { loras: [] })).toBe(true);
    expect((await store.accounts.get(a.id))?.loras).toEqual([]);
  });

  it('queued summaries name the LoRA files a job needs (role files too); none when it has none', async () => {
    const pair: ResolvedLora = { ...resolved('pair'), role_files: { low_noise: 'pair_low.safetensors' } };
    await store.tasks.insert({ task: taskRecord({ id: 'plain', createdAt: 1 }) });
    await store.tasks.insert({
      task: taskRecord({ id: 'with', createdAt: 2, params: { ...resolvedParams(), loras: [resolved('a'), pair] } }),
    });
    // a prompt may hold U+0000 or a lone surrogate (PostgreSQL's jsonb refuses both): the queue must still read
    const prompt = 'a boat\u0000 on a lake \ud800';
    await store.tasks.insert({
      task: taskRecord({ id: 'nul', createdAt: 3, params: { ...resolvedParams(), prompt, loras: [resolved('a')] } }),
    });
    const [plain, withLoras, nul] = await store.tasks.queuedSummaries();
    expect(plain?.loraFiles).toBeUndefined();
    expect(withLoras?.loraFiles?.sort()).toEqual(['a.safetensors', 'pair.safetensors', 'pair_low.safetensors']);
    expect(nul?.loraFiles).toEqual(['a.safetensors']);
    expect((await store.tasks.get('nul'))?.params.prompt).toBe(prompt);
    expect(
      (await store.tasks.list({ ownerId: 'user-1', statuses: ['queued'], limit: 10, lora: 'a' }))
        .map((t) => t.id)
        .sort(),
    ).toEqual(['nul', 'with']);
  });

  it('tasks.list filters by a LoRA name', async () => {
    const done = { status: 'completed' as const };
    await store.tasks.insert({
      task: taskRecord({ id: 't1', ...done, params: { ...resolvedParams(), loras: [resolved('a')] } }),
    });
    await store.tasks.insert({
      task: taskRecord({ id: 't2', ...done, params: { ...resolvedParams(), loras: [resolved('b'), resolved('a')] } }),
    });
    await store.tasks.insert({ task: taskRecord({ id: 't3', ...done }) });
    const list = async (lora: string): Promise<string[]> =>
      (await store.tasks.list({ ownerId: 'user-1', statuses: ['completed'], limit: 10, lora })).map((t) => t.id).sort();
    expect(await list('a')).toEqual(['t1', 't2']);
    expect(await list('b')).toEqual(['t2']);
    expect(await list('c')).toEqual([]);
  });
}
