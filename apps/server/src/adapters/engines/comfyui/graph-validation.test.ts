import { describe, expect, it } from 'vitest';
import { assessBackend } from './backend-health.ts';
import {
  comboOptions,
  formatProblem,
  parseNodeCatalog,
  validateGraph,
  validateTemplate,
  type NodeCatalog,
} from './graph-validation.ts';
import { coreCatalog, referenceCatalog } from './reference-node-definitions.ts';
import { loadTemplates, type ApiGraph } from './workflow-templates.ts';

const core = coreCatalog();
const custom = referenceCatalog();
const set = loadTemplates();

const pony = (): ApiGraph => structuredClone(set.get('pony', 'txt2img').graph);
const messages = (g: ApiGraph, files = new Set(['ponyDiffusionV6XL_v6StartWithThisOne.safetensors'])): string[] =>
  validateGraph(g, core, { declaredModelFiles: files, rejectUnknownInputs: true }).map(formatProblem);

/** A backend catalogue with its loader lists filled, as a real install answers. */
function backendCatalog(files: Record<string, string[]>, drop: string[] = []): NodeCatalog {
  const all = structuredClone({ ...core, ...custom }) as Record<
    string,
    { input: { required?: Record<string, unknown[]> } }
  >;
  for (const [key, list] of Object.entries(files)) {
    const [cls, input] = key.split('.') as [string, string];
    const spec = all[cls]?.input.required?.[input];
    if (spec) spec[0] = list;
  }
  for (const d of drop) delete all[d];
  return parseNodeCatalog(all).catalog;
}

describe('validateGraph', () => {
  it('accepts a shipped graph and reads both combo forms', () => {
    expect(messages(pony())).toEqual([]);
    expect(comboOptions(core.KSampler?.input.required?.scheduler)).toContain('beta');
    expect(comboOptions(core.SaveVideo?.input.required?.format)).toEqual(['auto', 'mp4']);
    expect(comboOptions(core.KSampler?.input.required?.steps)).toBeUndefined();
  });

  it('finds unknown classes, missing inputs, bad links, ranges, combos and undeclared model files', () => {
    const g = pony();
    g['6']!.inputs.steps = 0;
    g['6']!.inputs.cfg = 'high';
    g['6']!.inputs.sampler_name = 'euler_b';
    g['6']!.inputs.seed = 1.5;
    delete g['6']!.inputs.negative;
    g['7']!.inputs.samples = ['3', 0]; // CONDITIONING into LATENT
    g['7']!.inputs.vae = ['1', 7];
    g['8']!.inputs.images = ['42', 0];
    g['2']!.inputs.stop_at_clip_layer = -30;
    g['2']!.inputs.clip_layer = 1;
    g['3']!.inputs.clip = 'CLIP';
    g['9'] = { class_type: 'NoSuchNode', inputs: {} };
    g['1']!.inputs.ckpt_name = 'other.safetensors';
    const found = messages(g);
    expect(found).toEqual(
      expect.arrayContaining([
        'node 6 (KSampler) input steps: 0 is below the minimum 1',
        'node 6 (KSampler) input cfg: expects a number, got "high"',
        expect.stringMatching(/^node 6 \(KSampler\) input sampler_name: "euler_b" is not one of \[euler, /),
        'node 6 (KSampler) input seed: expects an integer, got 1.5',
        'node 6 (KSampler) input negative: required input missing',
        'node 7 (VAEDecode) input samples: expects LATENT but node 3 output 0 is CONDITIONING',
        'node 7 (VAEDecode) input vae: links to output 7 of node 1 (CheckpointLoaderSimple), which has 3 outputs',
        'node 8 (SaveImage) input images: links to node 42, which is not in the graph',
        'node 2 (CLIPSetLastLayer) input stop_at_clip_layer: -30 is below the minimum -24',
        'node 2 (CLIPSetLastLayer) input clip_layer: the node has no such input',
        'node 3 (CLIPTextEncode) input clip: expects a link to a CLIP output, got the literal "CLIP"',
        'node 9 (NoSuchNode): unknown node class',
        'node 1 (CheckpointLoaderSimple) input ckpt_name: model file "other.safetensors" is not among the template\'s declared modelFiles',
      ]),
    );
  });

  it('needs an output node, checks V3 combos, and skips run-time inputs', () => {
    const g = pony();
    delete g['8'];
    expect(messages(g)).toContain('node -: the graph has no output node, so ComfyUI would run nothing');
    const video = structuredClone(set.get('phr00t', 't2v').graph);
    video['14']!.inputs.format = 'webm';
    video['20'] = { class_type: 'LoadImage', inputs: { image: 'not-uploaded-yet.png' } };
    const problems = validateGraph(video, core, {
      declaredModelFiles: new Set(['wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors']),
      skipInput: (n) => n === '20',
    }).map(formatProblem);
    expect(problems).toEqual(['node 14 (SaveVideo) input format: "webm" is not one of [auto, mp4]']);
  });

  it('keeps well-formed catalogue entries from an untrusted peer and drops the rest', () => {
    const { catalog, malformed } = parseNodeCatalog({
      Good: { input: { required: { x: ['INT', {}] } }, output: ['LATENT'] },
      Bad: { input: { required: 'nope' } },
      Worse: 7,
    });
    expect(Object.keys(catalog)).toEqual(['Good']);
    expect(malformed.sort()).toEqual(['Bad', 'Worse']);
    expect(parseNodeCatalog([]).malformed).toEqual(['(not an object)']);
  });

  it('checks template declarations: custom nodes and model files', () => {
    const t = structuredClone(set.get('flux', 'txt2img'));
    t.customNodes = [];
    t.modelFiles.push({ folder: 'vae', file: 'unused.safetensors' });
    const found = validateTemplate(t, { ...core, ...custom }).map(formatProblem);
    expect(found).toEqual([
      'node 1 (CheckpointLoaderNF4): a custom node class that customNodes does not declare',
      'node -: modelFiles declares vae/unused.safetensors, which no loader uses',
    ]);
  });
});

describe('assessBackend', () => {
  const templates = set.selected(['pony', 'flux', 'anisora', 'phr00t']);
  const allFiles = {
    'CheckpointLoaderSimple.ckpt_name': [
      'ponyDiffusionV6XL_v6StartWithThisOne.safetensors',
      'wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors',
    ],
    'CheckpointLoaderNF4.ckpt_name': ['flux1-dev-bnb-nf4-v2.safetensors'],
    'UNETLoader.unet_name': [
      'Wan2_2-I2V_AniSoraV3_2_HIGH_14B_fp8_e4m3fn_scaled_KJ.safetensors',
      'Wan2_2-I2V_AniSoraV3_2_LOW_14B_fp8_e4m3fn_scaled_KJ.safetensors',
    ],
    'CLIPLoader.clip_name': ['umt5_xxl_fp8_e4m3fn_scaled.safetensors'],
    'VAELoader.vae_name': ['wan_2.1_vae.safetensors', 'pixel_space'],
  };

  it('passes a backend that has every node and file', () => {
    expect(assessBackend(templates, backendCatalog(allFiles))).toEqual({
      missingNodes: [],
      missingModels: [],
      incompatible: [],
    });
  });

  it('names missing classes with their pack and missing files with their folder', () => {
    const files = { ...allFiles, 'CheckpointLoaderSimple.ckpt_name': ['wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors'] };
    const a = assessBackend(templates, backendCatalog(files, ['CheckpointLoaderNF4', 'MediaGenWanKeyframeToVideo']));
    expect(a.missingNodes).toEqual(['CheckpointLoaderNF4', 'MediaGenWanKeyframeToVideo']);
    // the NF4 loader is missing, and its checkpoint too: both are named (no other loader lists it)
    expect(a.missingModels.sort()).toEqual([
      'checkpoints/flux1-dev-bnb-nf4-v2.safetensors',
      'checkpoints/ponyDiffusionV6XL_v6StartWithThisOne.safetensors',
    ]);
    expect(a.incompatible).toEqual([]);
    expect(a.reason).toMatch(
      /^missing node classes: CheckpointLoaderNF4 \(install ComfyUI_bitsandbytes_NF4\), MediaGenWanKeyframeToVideo \(install comfyui_mediagen\); missing model files: /,
    );
    // a missing loader whose file another loader lists: only the class is missing
    const listed = assessBackend(
      templates,
      backendCatalog(
        {
          ...allFiles,
          'CheckpointLoaderSimple.ckpt_name': [
            ...allFiles['CheckpointLoaderSimple.ckpt_name'],
            'flux1-dev-bnb-nf4-v2.safetensors',
          ],
        },
        ['CheckpointLoaderNF4'],
      ),
    );
    expect([listed.missingNodes, listed.missingModels]).toEqual([['CheckpointLoaderNF4'], []]);
  });

  it('reports node versions whose inputs differ from the templates', () => {
    const cat = structuredClone(backendCatalog(allFiles)) as Record<
      string,
      { input: { required?: Record<string, unknown[]> } }
    >;
    cat.KSampler!.input.required!.scheduler = [['normal', 'karras']]; // an old ComfyUI without beta/simple
    const a = assessBackend(set.selected(['phr00t'], ['t2v']), cat as NodeCatalog);
    expect(a.incompatible).toEqual([
      expect.stringMatching(
        /^phr00t\.t2v: node 6 \(KSampler\) input scheduler: "beta" is not one of \[normal, karras\]/,
      ),
    ]);
    expect(a.reason).toMatch(/node definitions differ from the workflow templates/);
  });
});
