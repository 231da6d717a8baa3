import {
  MODELS,
  resolveGeneration,
  type GenerateRequest,
  type ModelId,
  type Mode,
  type ResolvedLora,
} from '@mediagen/contract';
import { describe, expect, it } from 'vitest';
import { validateGraph, validateTemplate } from './graph-validation.ts';
import { chainFile } from './lora-chains.ts';
import { referenceCatalog } from './reference-node-definitions.ts';
import { bindWorkflow, ignoredParams } from './workflow-binding.ts';
import {
  DEFAULT_WORKFLOWS_DIR,
  loadTemplates,
  templateName,
  type ApiGraph,
  type WorkflowTemplate,
} from './workflow-templates.ts';

// real ComfyUI 0.3.64 definitions + the pinned packs (LoraLoader: model, clip, lora_name, strength_model, strength_clip)
const catalog = referenceCatalog();
const set = loadTemplates();
const gguf = loadTemplates(DEFAULT_WORKFLOWS_DIR, { flux: 'gguf' });
const NAMES = { reference: 'ref.png', first: 'first.png', last: 'last.png' };

const lora = (name: string, strength: number, extra: Partial<ResolvedLora> = {}): ResolvedLora => ({
  name,
  file: `${name}.safetensors`,
  strength,
  family: 'sdxl',
  ...extra,
});
const FOUR = [lora('a', 0.8), lora('b', -2, { strength_clip: 2 }), lora('c', 2), lora('d', 0.35)];

function params(model: ModelId, mode: Mode, loras: ResolvedLora[]) {
  const req: GenerateRequest = {
    type: MODELS[model].type,
    model,
    mode,
    prompt: 'a fox',
    width: 512,
    height: 512,
    seed: 7,
    ...(mode === 'first_last_frame' ? { first_frame_image: 'asset:a', last_frame_image: 'asset:b' } : {}),
    ...(['i2v', 'img2img', 'arbitrary_frame'].includes(mode) ? { reference_image: 'asset:a' } : {}),
  };
  return { ...resolveGeneration(req, () => 1), loras };
}
const bind = (t: WorkflowTemplate, loras: ResolvedLora[]): ApiGraph =>
  bindWorkflow(t, params(t.model, t.mode, loras), NAMES, { filenamePrefix: 'x' }).graph;
const nodes = (g: ApiGraph, cls: string) => Object.entries(g).filter(([, n]) => n.class_type === cls);

describe('every template with a loras block, bound with four LoRAs, validates against the real node definitions', () => {
  const all = [...set.templates, ...gguf.templates.filter((t) => t.variant === 'gguf')];
  for (const t of new Set(all)) {
    if (!t.loras) continue;
    it(templateName(t), () => {
      expect(validateTemplate(t, catalog)).toEqual([]);
      const g = bind(t, FOUR);
      const declared = new Set([...t.modelFiles.map((f) => f.file), ...FOUR.map((l) => l.file)]);
      const images = new Set(t.bindings.flatMap((b) => ('image' in b ? [`${b.node}|${b.input}`] : [])));
      expect(
        validateGraph(g, catalog, { declaredModelFiles: declared, skipInput: (n, i) => images.has(`${n}|${i}`) }),
      ).toEqual([]);
      const loraNodes = [...nodes(g, 'LoraLoader'), ...nodes(g, 'LoraLoaderModelOnly')];
      expect(loraNodes).toHaveLength(FOUR.length * (t.loras?.chains.length ?? 0));
      // fresh ids, none reused from the template
      for (const [id] of loraNodes) expect(t.graph[id]).toBeUndefined();
      // nothing still reads a chain's source output except the chain's first node
      for (const c of t.loras?.chains ?? []) {
        const readers = Object.entries(g).filter(([, n]) =>
          Object.values(n.inputs).some((v) => JSON.stringify(v) === JSON.stringify(c.model)),
        );
        expect(readers.map(([, n]) => n.class_type)).toEqual([c.clip ? 'LoraLoader' : 'LoraLoaderModelOnly']);
      }
      // without LoRAs the graph is the template's
      expect(Object.keys(bind(t, [])).sort()).toEqual(Object.keys(t.graph).sort());
    });
  }
});

describe('LoRA chains per model', () => {
  it('pony: two LoraLoader nodes in request order between the checkpoint and its consumers, with the strengths', () => {
    const t = set.get('pony', 'txt2img');
    const g = bind(t, [lora('style', 0.7), lora('detail', -0.5, { strength_clip: 1.25 })]);
    const [first, second] = nodes(g, 'LoraLoader');
    expect(first?.[1].inputs).toEqual({
      model: ['1', 0],
      clip: ['1', 1],
      lora_name: 'style.safetensors',
      strength_model: 0.7,
      strength_clip: 0.7,
    });
    expect(second?.[1].inputs).toEqual({
      model: [first?.[0], 0],
      clip: [first?.[0], 1],
      lora_name: 'detail.safetensors',
      strength_model: -0.5,
      strength_clip: 1.25,
    });
    const end = second?.[0];
    expect(nodes(g, 'KSampler')[0]?.[1].inputs.model).toEqual([end, 0]);
    expect(nodes(g, 'CLIPSetLastLayer')[0]?.[1].inputs.clip).toEqual([end, 1]);
  });

  it('anisora: each LoRA patches both experts; a LoRA pair loads its role file per expert', () => {
    const t = set.get('anisora', 'i2v');
    const pair = lora('motion', 0.9, {
      family: 'wan',
      file: 'motion_high.safetensors',
      role_files: { low_noise: 'motion_low.safetensors' },
    });
    const g = bind(t, [pair]);
    const loaders = nodes(g, 'LoraLoaderModelOnly').map(([, n]) => n.inputs);
    expect(loaders).toEqual([
      { model: ['1', 0], lora_name: 'motion_high.safetensors', strength_model: 0.9 },
      { model: ['2', 0], lora_name: 'motion_low.safetensors', strength_model: 0.9 },
    ]);
    const [high, low] = nodes(g, 'LoraLoaderModelOnly').map(([id]) => id);
    expect(nodes(g, 'ModelSamplingSD3').map(([, n]) => n.inputs.model)).toEqual([
      [high, 0],
      [low, 0],
    ]);
    expect(chainFile(lora('one', 1), { role: 'low_noise' })).toBe('one.safetensors');
  });

  it('phr00t: LoraLoader on model and CLIP of the all-in-one checkpoint', () => {
    const g = bind(set.get('phr00t', 't2v'), [lora('w', 1, { family: 'wan' })]);
    const [[id]] = nodes(g, 'LoraLoader') as [[string, unknown]];
    expect(nodes(g, 'ModelSamplingSD3')[0]?.[1].inputs.model).toEqual([id, 0]);
    expect(nodes(g, 'CLIPTextEncode').map(([, n]) => n.inputs.clip)).toEqual([
      [id, 1],
      [id, 1],
    ]);
  });

  it('flux: the gguf variant takes LoRAs model-only (a strength_clip is reported); NF4 reports them ignored', () => {
    const t = gguf.get('flux', 'txt2img');
    const p = params('flux', 'txt2img', [lora('f', 1, { family: 'flux', strength_clip: 0.5 })]);
    const { graph, ignored } = bindWorkflow(t, p, {}, { filenamePrefix: 'x' });
    expect(nodes(graph, 'LoraLoaderModelOnly')).toHaveLength(1);
    expect(ignored.map((i) => i.param)).toContain('loras.strength_clip');
    const nf4 = set.get('flux', 'txt2img');
    const plain = params('flux', 'txt2img', [lora('f', 1, { family: 'flux' })]);
    expect(ignoredParams(nf4, plain)).toEqual([expect.objectContaining({ param: 'loras' })]);
    expect(JSON.stringify(bindWorkflow(nf4, plain, {}, { filenamePrefix: 'x' }).graph)).not.toContain('Lora');
    expect(ignoredParams(nf4, params('flux', 'txt2img', []))).toEqual([]);
  });

  it('a chain must start at a MODEL (and CLIP) output, of a node the graph has', () => {
    const t = structuredClone(set.get('pony', 'txt2img'));
    t.loras = { chains: [{ model: ['1', 2], clip: ['1', 0] }] };
    expect(validateTemplate(t, catalog).map((p) => p.message)).toEqual([
      'a LoRA chain takes output 2 as MODEL, but it is VAE',
      'a LoRA chain takes output 0 as CLIP, but it is MODEL',
    ]);
  });
});
