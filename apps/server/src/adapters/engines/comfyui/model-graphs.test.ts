// Graphs the models really run (review of the templates against the models' own workflows and the
// packs' sources): each test here fails on the templates shipped before that review.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MODELS, resolveGeneration, type GenerateRequest, type Mode, type ModelId } from '@mediagen/contract';
import { describe, expect, it } from 'vitest';
import { validateTemplate } from './graph-validation.ts';
import { packDefinitions, referenceCatalog, SIMULATOR_DATA_DIR } from './reference-node-definitions.ts';
import { bindWorkflow, ignoredParams } from './workflow-binding.ts';
import { DEFAULT_WORKFLOWS_DIR, loadTemplates, templateName, type ApiGraph } from './workflow-templates.ts';

const set = loadTemplates();
const catalog = referenceCatalog();
const NAMES = { reference: 'ref.png', first: 'first.png', last: 'last.png' };

function bound(model: ModelId, mode: Mode, extra: Partial<GenerateRequest> = {}): ApiGraph {
  const req: GenerateRequest = {
    type: MODELS[model].type,
    model,
    mode,
    prompt: 'a lantern in the rain',
    width: 832,
    height: 480,
    seed: 5,
    ...(mode === 'first_last_frame'
      ? { first_frame_image: 'asset:a', last_frame_image: 'asset:b' }
      : ['i2v', 'img2img', 'arbitrary_frame'].includes(mode)
        ? { reference_image: 'asset:a' }
        : {}),
    ...extra,
  };
  return bindWorkflow(
    set.get(model, mode),
    resolveGeneration(req, () => 1),
    NAMES,
    { filenamePrefix: 'x' },
  ).graph;
}
const nodes = (g: ApiGraph, cls: string): Array<[string, Record<string, unknown>]> =>
  Object.entries(g)
    .filter(([, n]) => n.class_type === cls)
    .map(([id, n]) => [id, n.inputs]);
const only = (g: ApiGraph, cls: string): [string, Record<string, unknown>] => {
  const found = nodes(g, cls);
  expect(found, cls).toHaveLength(1);
  return found[0]!;
};
/** What a link points at: [class, inputs]. */
const at = (g: ApiGraph, link: unknown): [string, Record<string, unknown>] => {
  const [id] = link as [string, number];
  return [g[id]!.class_type, g[id]!.inputs];
};

describe('Phr00t Mega (a VACE text-to-video checkpoint) runs every mode through WanVaceToVideo', () => {
  const IMAGE_CHANNEL_NODES = ['WanImageToVideo', 'WanFirstLastFrameToVideo'];

  it('no template feeds it through nodes that need image channels (ComfyUI would drop the images)', () => {
    for (const mode of MODELS.phr00t.modes) {
      const g = bound('phr00t', mode);
      for (const cls of IMAGE_CHANNEL_NODES) expect(nodes(g, cls), `phr00t.${mode} uses ${cls}`).toEqual([]);
      const [vaceId] = only(g, 'WanVaceToVideo');
      const [, sampler] = only(g, 'KSampler');
      expect([sampler.positive, sampler.negative, sampler.latent_image]).toEqual([
        [vaceId, 0],
        [vaceId, 1],
        [vaceId, 2],
      ]);
      // the latent frames a reference image would add are trimmed after sampling
      const [trimId, trim] = only(g, 'TrimVideoLatent');
      expect(trim.trim_amount).toEqual([vaceId, 3]);
      expect(only(g, 'VAEDecode')[1].samples).toEqual([trimId, 0]);
    }
    const [, t2v] = only(bound('phr00t', 't2v'), 'WanVaceToVideo');
    expect([t2v.control_video, t2v.control_masks, t2v.strength]).toEqual([undefined, undefined, 1]);
  });

  it('i2v: the start image is the one-frame control video, kept by a one-frame 0 mask; strength = reference_strength', () => {
    const g = bound('phr00t', 'i2v', { reference_strength: 0.85, num_frames: 33 });
    const [, vace] = only(g, 'WanVaceToVideo');
    expect(at(g, vace.control_video)).toEqual(['LoadImage', { image: 'ref.png' }]);
    expect(at(g, vace.control_masks)).toEqual(['SolidMask', { value: 0, width: 832, height: 480 }]);
    expect([vace.strength, vace.length, vace.width, vace.height]).toEqual([0.85, 33, 832, 480]);
    expect(
      ignoredParams(
        set.get('phr00t', 'i2v'),
        resolveGeneration({ ...reqOf('i2v'), reference_strength: 0.85 }, () => 1),
      ).map((i) => i.param),
    ).not.toContain('reference_strength');
    // the seed guide's default strength when the request sets none
    expect(only(bound('phr00t', 'i2v'), 'WanVaceToVideo')[1].strength).toBe(0.9);
  });

  it('first_last_frame: [first, N−2 grey, last] with the mask [0, 1 × (N−2), 0]', () => {
    const n = 33;
    const g = bound('phr00t', 'first_last_frame', { num_frames: n, reference_strength: 1 });
    const [, vace] = only(g, 'WanVaceToVideo');
    expect(vace.strength).toBe(1);
    const [videoCls, video] = at(g, vace.control_video);
    expect(videoCls).toBe('ImageBatch');
    const [, head] = at(g, video.image1);
    expect([at(g, head.image1), at(g, head.image2), at(g, video.image2)]).toEqual([
      ['LoadImage', { image: 'first.png' }],
      ['EmptyImage', { width: 832, height: 480, batch_size: n - 2, color: 0x7f7f7f }],
      ['LoadImage', { image: 'last.png' }],
    ]);
    const [maskCls, mask] = at(g, vace.control_masks);
    expect([maskCls, mask.channel]).toEqual(['ImageToMask', 'red']);
    const [, maskBatch] = at(g, mask.image);
    const [, maskHead] = at(g, maskBatch.image1);
    expect([at(g, maskHead.image1), at(g, maskHead.image2), at(g, maskBatch.image2)]).toEqual([
      ['EmptyImage', { width: 832, height: 480, batch_size: 1, color: 0 }],
      ['EmptyImage', { width: 832, height: 480, batch_size: n - 2, color: 0xffffff }],
      ['EmptyImage', { width: 832, height: 480, batch_size: 1, color: 0 }],
    ]);
  });
});

const reqOf = (mode: Mode): GenerateRequest => ({
  type: 'video',
  model: 'phr00t',
  mode,
  prompt: 'p',
  width: 512,
  height: 512,
  seed: 1,
  reference_image: 'asset:a',
});

describe('AniSora', () => {
  it('t2v conditions on grey frames with an all-unknown mask (WanFirstLastFrameToVideo given no images), not a zero latent', () => {
    const g = bound('anisora', 't2v');
    expect(nodes(g, 'WanImageToVideo')).toEqual([]);
    const [id, flf] = only(g, 'WanFirstLastFrameToVideo');
    expect([flf.start_image, flf.end_image]).toEqual([undefined, undefined]);
    for (const [, s] of nodes(g, 'KSamplerAdvanced'))
      expect([s.positive, s.negative]).toEqual([
        [id, 0],
        [id, 1],
      ]);
  });

  it('arbitrary_frame: a node whose definition the pinned (bundled) pack really has, validated against it', () => {
    const t = set.get('anisora', 'arbitrary_frame');
    expect(validateTemplate(t, catalog)).toEqual([]);
    const [, key] = only(
      bound('anisora', 'arbitrary_frame', { num_frames: 81, reference_frame_index: 20 }),
      'MediaGenWanKeyframeToVideo',
    );
    expect([key.frame_index, key.image]).toEqual([16, ['20', 0]]); // AniSora snaps halves to the even multiple of 8
    expect(nodes(bound('anisora', 'arbitrary_frame'), 'WanMultiFrameRefToVideo')).toEqual([]);
    const req = { ...reqOf('arbitrary_frame'), model: 'anisora' as const, reference_strength: 0.7 };
    expect(
      ignoredParams(
        t,
        resolveGeneration(req, () => 1),
      ).map((i) => i.param),
    ).toEqual(['reference_strength']);
  });

  it("the bundled pack's definitions were generated from its current source (regenerate after editing the node)", () => {
    const bundled = packDefinitions().find((p) => p.pack === 'comfyui_mediagen')!;
    const dir = path.join(DEFAULT_WORKFLOWS_DIR, set.manifest.packs.comfyui_mediagen!.bundled!);
    const h = crypto.createHash('sha256');
    for (const f of fs
      .readdirSync(dir)
      .filter((x) => x.endsWith('.py') && !x.startsWith('test_'))
      .sort())
      h.update(Buffer.concat([Buffer.from(`${f}\0`), fs.readFileSync(path.join(dir, f)), Buffer.from('\0')]));
    expect(
      bundled.source_sha256,
      'python3 apps/simulator/scripts/extract_node_definitions.py … (see workflows/README.md)',
    ).toBe(h.digest('hex'));
  });
});

describe('Pony score-tag prefix', () => {
  it('is on by default, off on request', () => {
    const text = (g: ApiGraph): unknown => nodes(g, 'CLIPTextEncode')[0]![1].text;
    expect(text(bound('pony', 'txt2img', { width: 1024, height: 1024 }))).toBe(
      'score_9, score_8_up, score_7_up, a lantern in the rain',
    );
    expect(text(bound('pony', 'img2img', { width: 1024, height: 1024, score_prefix: false }))).toBe(
      'a lantern in the rain',
    );
  });
});

describe('manifest: a backend an operator can prepare', () => {
  const core = new Set(
    Object.keys(JSON.parse(fs.readFileSync(path.join(SIMULATOR_DATA_DIR, 'object_info.json'), 'utf8')) as object),
  );

  it('every node class is core 0.3.64 or comes from a declared pack pinned in the manifest', () => {
    for (const t of set.templates) {
      for (const node of Object.values(t.graph)) {
        if (core.has(node.class_type)) continue;
        const decl = t.customNodes.find((c) => c.class === node.class_type);
        expect(decl, `${templateName(t)}: ${node.class_type}`).toBeDefined();
        const pack = set.manifest.packs[decl!.pack]!;
        expect(pack.nodes).toContain(node.class_type);
        expect(pack.bundled ?? pack.commit, decl!.pack).toBeTruthy();
      }
    }
  });

  it('the simulator validates against each pack as generated at its pinned commit', () => {
    const defs = packDefinitions();
    for (const [name, pack] of Object.entries(set.manifest.packs)) {
      const d = defs.find((p) => p.pack === name);
      expect(d, name).toBeDefined();
      expect([d!.repository ?? undefined, d!.commit ?? undefined]).toEqual([pack.repository, pack.commit]);
      for (const n of pack.nodes) expect(d!.nodes[n], `${name}.${n}`).toBeDefined();
    }
  });

  it('every model file has a folder, a size and a source; checksums are full SHA-256 where given', () => {
    for (const t of set.templates)
      for (const f of t.modelFiles) {
        const m = set.manifest.files.find((x) => x.folder === f.folder && x.file === f.file);
        expect(m, `${templateName(t)}: ${f.folder}/${f.file}`).toBeDefined();
        expect(m!.url).toMatch(/^https:\/\//);
      }
    expect(
      set.manifest.files
        .filter((f) => f.sha256)
        .map((f) => f.file)
        .sort(),
    ).toEqual(['flux1-dev-Q8_0.gguf', 'ponyDiffusionV6XL_v6StartWithThisOne.safetensors', 'wan_2.1_vae.safetensors']);
  });

  it('a template that uses a pack the manifest does not declare is refused at load', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-manifest-'));
    try {
      const flux = JSON.parse(fs.readFileSync(path.join(DEFAULT_WORKFLOWS_DIR, 'flux.txt2img.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      fs.writeFileSync(path.join(dir, 'flux.txt2img.json'), JSON.stringify(flux));
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ packs: {}, files: [] }));
      expect(() => loadTemplates(dir)).toThrow(
        /uses CheckpointLoaderNF4 from pack ComfyUI_bitsandbytes_NF4, which manifest\.json does not declare/,
      );
      fs.writeFileSync(path.join(dir, 'manifest.json'), '{ "packs": { "x": { "nodes": [] } } }');
      expect(() => loadTemplates(dir)).toThrow(/manifest\.json is invalid/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('template variants', () => {
  it('WORKFLOW_VARIANTS picks the variant per mode and falls back to default; an unknown variant is a start-up error', () => {
    const gguf = loadTemplates(DEFAULT_WORKFLOWS_DIR, { flux: 'gguf' });
    expect(gguf.get('flux', 'txt2img').variant).toBe('gguf');
    expect(gguf.get('pony', 'txt2img').variant).toBe('default');
    expect(() => loadTemplates(DEFAULT_WORKFLOWS_DIR, { flux: 'fp8' })).toThrow(
      /WORKFLOW_VARIANTS selects flux:fp8, but no workflow template has variant "fp8" for flux \(available: default, gguf\)/,
    );
    expect(() => loadTemplates(DEFAULT_WORKFLOWS_DIR, { pony: 'gguf' })).toThrow(/available: default\)/);
  });
});
