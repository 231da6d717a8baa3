import { afterEach, describe, expect, it } from 'vitest';
import type { ResolvedGeneration } from '@mediagen/contract';
import { IMAGE_REQUEST } from '#test/factories.ts';
import { pngStandInBase64 } from '#test/fakes/image-stand-ins.ts';
import { createServiceKit, type ServiceKit } from '#test/fakes/service-kit.ts';

let kit: ServiceKit;
afterEach(() => kit.close());

async function setUp() {
  kit = createServiceKit();
  await kit.addAccount({ name: 'gpu-a', loras: ['ink.safetensors', 'motion_h.safetensors'] });
  await kit.addAccount({ name: 'gpu-b', loras: ['ink.safetensors'] });
  const user = await kit.addUser();
  const other = await kit.addUser({ id: 'user-2', name: 'other' });
  return { user, other, ctx: kit.context(user) };
}

describe('LorasService: the catalog', () => {
  it('create stores a 256 px preview; the user list filters by family and access and says where each is', async () => {
    const { user, other } = await setUp();
    const ink = await kit.loras.create({
      name: 'ink',
      file: 'ink.safetensors',
      family: 'sdxl',
      trigger_words: ['ink wash'],
      preview_image: `data:image/png;base64,${pngStandInBase64(600, 400)}`,
    });
    expect(ink.preview_url).toBe('/api/admin/loras/ink/preview');
    expect(kit.media.calls).toContain('normalizeImage 256x256 png');
    expect(ink.backends.map((b) => [b.name, b.holds]).sort()).toEqual([
      ['gpu-a', true],
      ['gpu-b', true],
    ]);
    await kit.loras.create({
      name: 'mine',
      file: 'mine.safetensors',
      family: 'sdxl',
      access: 'users',
      users: [other.id],
    });
    await kit.loras.create({ name: 'wan', file: 'motion_h.safetensors', family: 'wan' });
    const list = await kit.loras.list(user.id, 'pony');
    expect(list.items.map((i) => [i.name, [...i.available_on].sort()])).toEqual([['ink', ['gpu-a', 'gpu-b']]]);
    expect(list.items[0]?.preview_url).toBe('/api/loras/ink/preview');
    expect((await kit.loras.list(other.id, 'pony')).items.map((i) => i.name)).toEqual(['ink', 'mine']);
    expect((await kit.loras.list(user.id, undefined)).items.map((i) => i.name)).toEqual(['ink', 'wan']);
    // a private LoRA's preview is not found for someone not listed
    await expect(kit.loras.preview(user.id, 'mine')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('422 for access "users" without users, a non-image preview, a script without a source; 409 for a taken name', async () => {
    await setUp();
    await expect(
      kit.loras.create({ name: 'x', file: 'x.safetensors', family: 'sdxl', access: 'users' }),
    ).rejects.toMatchObject({ code: 'validation_error' });
    await expect(
      kit.loras.create({ name: 'x', file: 'x.safetensors', family: 'sdxl', preview_image: 'bm90IGFuIGltYWdl' }),
    ).rejects.toMatchObject({ code: 'validation_error' });
    await kit.loras.create({ name: 'x', file: 'x.safetensors', family: 'sdxl' });
    await expect(kit.loras.create({ name: 'x', file: 'y.safetensors', family: 'sdxl' })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(kit.loras.setupScript('x')).rejects.toMatchObject({ code: 'validation_error' });
    await kit.loras.patch('x', { source_url: 'https://example.com/x', sha256: 'a'.repeat(64) });
    const script = await kit.loras.setupScript('x');
    expect(script).toContain(`echo '${'a'.repeat(64)}  '"$target.part" | sha256sum -c -`);
    const cat = await kit.loras.catalog();
    expect(cat.unlisted.map((u) => ({ ...u, accounts: [...u.accounts].sort() }))).toEqual([
      { file: 'ink.safetensors', accounts: ['gpu-a', 'gpu-b'] },
      { file: 'motion_h.safetensors', accounts: ['gpu-a'] },
    ]);
  });
});

describe('GenerationService with LoRAs', () => {
  it('resolves them into the task, appends trigger words only when asked, and routes by held files', async () => {
    const { ctx } = await setUp();
    await kit.loras.create({ name: 'ink', file: 'ink.safetensors', family: 'sdxl', trigger_words: ['ink wash'] });
    await kit.loras.create({ name: 'ghost', file: 'ghost.safetensors', family: 'sdxl' });
    const reply = await kit.generation.submit(
      ctx,
      { ...IMAGE_REQUEST, loras: [{ name: 'ink', strength: 0.6, add_trigger_words: true }] },
      { uploads: [], preferWait: 0 },
    );
    const id = (reply.body as { task_id: string }).task_id;
    const params: ResolvedGeneration | undefined = (await kit.store.tasks.get(id))?.params;
    expect(params?.prompt).toBe(`${IMAGE_REQUEST.prompt}, ink wash`);
    expect(params?.loras).toEqual([{ name: 'ink', file: 'ink.safetensors', strength: 0.6, family: 'sdxl' }]);
    const summaries = await kit.store.tasks.queuedSummaries();
    expect(summaries.find((s) => s.id === id)?.loraFiles).toEqual(['ink.safetensors']);
    await expect(
      kit.generation.submit(
        ctx,
        { ...IMAGE_REQUEST, loras: [{ name: 'ghost', strength: 1 }] },
        { uploads: [], preferWait: 0 },
      ),
    ).rejects.toMatchObject({ code: 'no_backend_available', details: [{ path: 'loras.0.name' }] });
  });
});
