import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MODELS,
  MODEL_LIST,
  resolveGeneration,
  type GenerateRequest,
  type Mode,
  type ModelId,
  type ResolvedGeneration,
} from '@mediagen/contract';
import { describe, expect, it } from 'vitest';
import { validateGraph, validateTemplate } from './graph-validation.ts';
import { referenceCatalog } from './reference-node-definitions.ts';
import { templateRequirements } from './template-requirements.ts';
import { accountedFields, bindWorkflow, ignoredParams, renderText } from './workflow-binding.ts';
import {
  DEFAULT_WORKFLOWS_DIR,
  TemplateError,
  loadTemplates,
  templateName,
  type ApiGraph,
  type WorkflowTemplate,
} from './workflow-templates.ts';

// real ComfyUI 0.3.64 definitions + the pinned packs' definitions generated from their sources
const catalog = referenceCatalog();
const set = loadTemplates();
// loras: every template takes them (a `loras` block) or declares them unsupported with a reason
const COMMON = ['prompt', 'negative_prompt', 'width', 'height', 'seed', 'batch_size', 'output_format', 'loras'];
const NAMES = { reference: 'ref.png', first: 'first.png', last: 'last.png' };

function request(model: ModelId, mode: Mode, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  const base: GenerateRequest = {
    type: MODELS[model].type,
    model,
    mode,
    prompt: 'a red fox in snow',
    width: 768,
    height: 512,
    seed: 1234,
    ...extra,
  };
  if (mode === 'first_last_frame') return { first_frame_image: 'asset:a', last_frame_image: 'asset:b', ...base };
  if (['i2v', 'img2img', 'arbitrary_frame'].includes(mode)) return { reference_image: 'asset:a', ...base };
  return base;
}
const resolved = (model: ModelId, mode: Mode, extra: Partial<GenerateRequest> = {}): ResolvedGeneration =>
  resolveGeneration(request(model, mode, extra), () => 1);
const bind = (t: WorkflowTemplate, p: ResolvedGeneration): ApiGraph =>
  bindWorkflow(t, p, NAMES, { filenamePrefix: 'mediagen/t1' }).graph;
const inputsOf = (g: ApiGraph, cls: string): Array<Record<string, unknown>> =>
  Object.values(g)
    .filter((n) => n.class_type === cls)
    .map((n) => n.inputs);
const one = (g: ApiGraph, cls: string): Record<string, unknown> => inputsOf(g, cls)[0] ?? {};

describe('shipped workflow templates', () => {
  it('cover every model × mode, default Flux is NF4, GGUF ships beside it', () => {
    for (const m of MODEL_LIST)
      for (const mode of m.modes) expect(set.find(m.id, mode), `${m.id}.${mode}`).toBeDefined();
    expect(set.missing()).toEqual([]);
    expect(
      set.templates
        .filter((t) => t.variant === 'gguf')
        .map(templateName)
        .sort(),
    ).toEqual(['flux.img2img.gguf', 'flux.txt2img.gguf']);
    expect(one(set.get('flux', 'txt2img').graph, 'CheckpointLoaderNF4').ckpt_name).toBe(
      'flux1-dev-bnb-nf4-v2.safetensors',
    );
    const gguf = loadTemplates(DEFAULT_WORKFLOWS_DIR, { flux: 'gguf' });
    expect(one(gguf.get('flux', 'img2img').graph, 'UnetLoaderGGUF').unet_name).toBe('flux1-dev-Q8_0.gguf');
    expect(one(gguf.get('flux', 'img2img').graph, 'DualCLIPLoader')).toMatchObject({
      clip_name1: 't5xxl_fp8_e4m3fn.safetensors',
      clip_name2: 'clip_l.safetensors',
      type: 'flux',
    });
    expect(gguf.get('pony', 'txt2img').variant).toBe('default');
  });

  for (const t of set.templates) {
    const name = templateName(t);
    describe(name, () => {
      it('validates against the ComfyUI 0.3.64 node definitions and its own declarations', () => {
        expect(validateTemplate(t, catalog)).toEqual([]);
        expect(t.notes.length).toBeGreaterThan(0);
      });

      it('stays valid once bound, at the edges of the accepted ranges', () => {
        const video = MODELS[t.model].type === 'video';
        const edges: Array<Partial<GenerateRequest>> = [
          { width: 512, height: 512, seed: 0, batch_size: 1, ...(video ? { num_frames: 16, fps: 8 } : { steps: 1 }) },
          {
            width: 1024,
            height: 1024,
            seed: 4294967295,
            batch_size: 4,
            ...(video ? { num_frames: 161, fps: 24 } : { steps: 150 }),
          },
        ];
        for (const edge of edges) {
          const extra: Partial<GenerateRequest> = { ...edge };
          if (t.model === 'pony')
            Object.assign(extra, {
              cfg_scale: edge.seed === 0 ? 1 : 20,
              clip_skip: edge.seed === 0 ? 1 : 4,
              denoising_strength: edge.seed === 0 ? 0 : 1,
            });
          if (t.model === 'flux') Object.assign(extra, { guidance_scale: edge.seed === 0 ? 1 : 10 });
          if (t.model === 'anisora')
            Object.assign(extra, { guidance_scale: edge.seed === 0 ? 1 : 2, motion_score: edge.seed === 0 ? 0 : 5 });
          const g = bind(t, resolved(t.model, t.mode, extra));
          const declared = new Set(t.modelFiles.map((f) => f.file));
          expect(
            validateGraph(g, catalog, {
              declaredModelFiles: declared,
              skipInput: (n, i) => (n === '20' || n === '21' ? i === 'image' : false),
            }),
          ).toEqual([]);
        }
      });

      it('accounts for every field the model accepts: bound, handled by the gateway, or unsupported with a reason', () => {
        const { bound, handled, unsupported } = accountedFields(t);
        const fields = [...COMMON, ...MODELS[t.model].params];
        expect(fields.filter((f) => !bound.has(f) && !handled.has(f) && !unsupported.has(f))).toEqual([]);
        for (const u of t.unsupported) expect(u.reason.length, u.param).toBeGreaterThan(30);
        if (t.batch === 'one_prompt_per_seed') expect(handled.has('batch_size')).toBe(true);
      });

      it('drops nothing silently: a changed field changes the graph or is reported', () => {
        const trial: Partial<Record<string, unknown>> = {
          negative_prompt: 'blurry',
          cfg_scale: 7.5,
          guidance_scale: t.model === 'anisora' ? 1.5 : 4.5,
          clip_skip: 3,
          num_frames: 33,
          fps: 24,
          motion_score: 4.2,
          reference_strength: 0.4,
          denoising_strength: 0.4,
          reference_frame_index: 40,
          sampler: 'DPM++ 2M Karras',
          seed: 99,
          width: 1024,
          height: 1024,
          batch_size: 3,
          steps: 17,
          prompt: 'another prompt',
        };
        const spec = MODELS[t.model];
        const base = bind(t, resolved(t.model, t.mode));
        for (const [field, value] of Object.entries(trial)) {
          if (!COMMON.includes(field) && !spec.params.includes(field as never)) continue;
          if (spec.fixed[field as keyof typeof spec.fixed] !== undefined) continue; // the contract refuses other values
          if (field === 'reference_frame_index' && t.mode !== 'arbitrary_frame') continue; // refused (422) elsewhere
          const p = resolved(t.model, t.mode, { [field]: value });
          const changed = JSON.stringify(bind(t, p)) !== JSON.stringify(base);
          const reported = [...p.ignored_params, ...ignoredParams(t, p)].some((i) => i.param === field);
          const handled = t.handledByGateway.some((h) => h.param === field);
          expect(changed || reported || handled, `${field} = ${String(value)}`).toBe(true);
        }
      });

      it('reports nothing for a request that sets nothing it cannot honour (but a value table with one outcome)', () => {
        // phr00t's lighting_variant maps both values to one checkpoint: the (default) value is reported
        const constant = t.model === 'phr00t' ? ['lighting_variant'] : [];
        expect(ignoredParams(t, resolved(t.model, t.mode)).map((i) => i.param)).toEqual(constant);
      });
    });
  }
});

describe('binding', () => {
  it('pony: seed, steps, cfg, sampler mapping, clip_skip → −clip_skip, size, batch, prefix', () => {
    const g = bind(
      set.get('pony', 'txt2img'),
      resolved('pony', 'txt2img', { steps: 40, cfg_scale: 7.5, sampler: 'DPM++ 2M Karras', batch_size: 3 }),
    );
    expect(one(g, 'KSampler')).toMatchObject({
      seed: 1234,
      steps: 40,
      cfg: 7.5,
      sampler_name: 'dpmpp_2m',
      scheduler: 'karras',
      denoise: 1,
    });
    expect(one(g, 'CLIPSetLastLayer').stop_at_clip_layer).toBe(-2);
    expect(one(g, 'EmptyLatentImage')).toEqual({ width: 768, height: 512, batch_size: 3 });
    expect(one(g, 'SaveImage').filename_prefix).toBe('mediagen/t1');
    const samplers = {
      Euler: ['euler', 'normal'],
      'Euler a': ['euler_ancestral', 'normal'],
      'DPM++ 2M': ['dpmpp_2m', 'normal'],
      'DPM++ SDE Karras': ['dpmpp_sde', 'karras'],
    } as const;
    for (const [sampler, [name, scheduler]] of Object.entries(samplers)) {
      expect(
        one(bind(set.get('pony', 'txt2img'), resolved('pony', 'txt2img', { sampler: sampler as 'Euler' })), 'KSampler'),
      ).toMatchObject({ sampler_name: name, scheduler });
    }
  });

  it('pony img2img: LoadImage gets the uploaded name, denoise = denoising_strength, RepeatLatentBatch = batch', () => {
    const g = bind(
      set.get('pony', 'img2img'),
      resolved('pony', 'img2img', { denoising_strength: 0.55, batch_size: 2 }),
    );
    expect(one(g, 'LoadImage').image).toBe('ref.png');
    expect(one(g, 'KSampler').denoise).toBe(0.55);
    expect(one(g, 'RepeatLatentBatch').amount).toBe(2);
  });

  it('flux: guidance → FluxGuidance, KSampler cfg stays 1, Euler → euler/simple; the negative prompt is reported', () => {
    const t = set.get('flux', 'txt2img');
    const p = resolved('flux', 'txt2img', { guidance_scale: 4.5, negative_prompt: 'blurry' });
    const { graph, ignored } = bindWorkflow(t, p, {}, { filenamePrefix: 'x' });
    expect(one(graph, 'FluxGuidance').guidance).toBe(4.5);
    expect(one(graph, 'KSampler')).toMatchObject({ cfg: 1, sampler_name: 'euler', scheduler: 'simple', steps: 25 });
    expect(ignored.map((i) => i.param)).toEqual(['negative_prompt']);
  });

  it('anisora: motion score with one decimal, two experts split at 3 of 8 on one seed, guidance → cfg, frames, fps', () => {
    const g = bind(
      set.get('anisora', 't2v'),
      resolved('anisora', 't2v', { motion_score: 2, num_frames: 50, fps: 24, guidance_scale: 1.5 }),
    );
    expect(inputsOf(g, 'CLIPTextEncode')[0]?.text).toBe(
      'a red fox in snow aesthetic score: 5.5. motion score: 2.0. There is no text in the video.',
    );
    const [high, low] = inputsOf(g, 'KSamplerAdvanced');
    expect(high).toMatchObject({
      noise_seed: 1234,
      steps: 8,
      cfg: 1.5,
      start_at_step: 0,
      end_at_step: 3,
      add_noise: 'enable',
      return_with_leftover_noise: 'enable',
      sampler_name: 'uni_pc',
      scheduler: 'simple',
    });
    expect(low).toMatchObject({ noise_seed: 1234, steps: 8, cfg: 1.5, start_at_step: 3, add_noise: 'disable' });
    expect(one(g, 'WanFirstLastFrameToVideo')).toMatchObject({ length: 57, width: 768, height: 512, batch_size: 1 });
    expect(one(g, 'CreateVideo').fps).toBe(24);
    expect(one(g, 'SaveVideo')).toMatchObject({ format: 'mp4', codec: 'h264', filename_prefix: 'mediagen/t1' });
    expect(inputsOf(g, 'ModelSamplingSD3').map((i) => i.shift)).toEqual([5, 5]);
  });

  it('anisora i2v / first_last_frame: images on LoadImage; the negative prompt is reported only at guidance 1', () => {
    const i2v = set.get('anisora', 'i2v');
    expect(one(bind(i2v, resolved('anisora', 'i2v')), 'WanImageToVideo').start_image).toEqual(['20', 0]);
    expect(ignoredParams(i2v, resolved('anisora', 'i2v', { negative_prompt: 'static' })).map((i) => i.param)).toEqual([
      'negative_prompt',
    ]);
    expect(ignoredParams(i2v, resolved('anisora', 'i2v', { negative_prompt: 'static', guidance_scale: 3 }))).toEqual(
      [],
    );
    expect(
      ignoredParams(i2v, resolved('anisora', 'i2v', { reference_strength: 0.5, denoising_strength: 0.3 }))
        .map((i) => i.param)
        .sort(),
    ).toEqual(['denoising_strength', 'reference_strength']);
    const flf = set.get('anisora', 'first_last_frame');
    const g = bind(flf, resolved('anisora', 'first_last_frame'));
    expect(inputsOf(g, 'LoadImage').map((i) => i.image)).toEqual(['first.png', 'last.png']);
    expect(one(g, 'WanFirstLastFrameToVideo')).toMatchObject({ start_image: ['20', 0], end_image: ['21', 0] });
    const both = resolveGeneration({ ...request('anisora', 'first_last_frame'), reference_image: 'asset:r' }, () => 1);
    expect(ignoredParams(flf, both).map((i) => i.param)).toEqual(['reference_image']);
    const standIn = resolveGeneration(
      {
        type: 'video',
        model: 'anisora',
        mode: 'first_last_frame',
        prompt: 'x',
        width: 512,
        height: 512,
        seed: 1,
        reference_image: 'asset:r',
        last_frame_image: 'asset:l',
      },
      () => 1,
    );
    expect(ignoredParams(flf, standIn)).toEqual([]);
  });

  it("anisora arbitrary_frame: MediaGen's keyframe node gets the snapped frame; reference_strength is always reported", () => {
    const t = set.get('anisora', 'arbitrary_frame');
    const inner = resolved('anisora', 'arbitrary_frame', {
      num_frames: 81,
      reference_frame_index: 37,
      reference_strength: 0.8,
    });
    expect(one(bind(t, inner), 'MediaGenWanKeyframeToVideo')).toMatchObject({
      frame_index: 40,
      image: ['20', 0],
      length: 81,
      width: 768,
      height: 512,
    });
    expect(ignoredParams(t, inner).map((i) => i.param)).toEqual(['reference_strength']);
    const last = resolved('anisora', 'arbitrary_frame', { num_frames: 81 });
    expect(one(bind(t, last), 'MediaGenWanKeyframeToVideo').frame_index).toBe(80);
    expect(ignoredParams(t, last)).toEqual([]);
    expect(t.customNodes).toEqual([{ class: 'MediaGenWanKeyframeToVideo', pack: 'comfyui_mediagen' }]);
  });

  it('phr00t: lighting_variant picks the checkpoint through the file map; 4 steps, cfg 1, euler_ancestral/beta', () => {
    const t = set.get('phr00t', 'i2v');
    const g = bind(t, resolved('phr00t', 'i2v', { lighting_variant: 'high_noise', num_frames: 30 }));
    expect(one(g, 'CheckpointLoaderSimple').ckpt_name).toBe('wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors');
    expect(one(g, 'KSampler')).toMatchObject({
      steps: 4,
      cfg: 1,
      sampler_name: 'euler_ancestral',
      scheduler: 'beta',
      seed: 1234,
    });
    expect(one(g, 'WanVaceToVideo')).toMatchObject({ length: 33, control_video: ['20', 0], strength: 0.9 });
    // both values map to one file today: reported, until an operator maps distinct files
    expect(ignoredParams(t, resolved('phr00t', 'i2v')).map((i) => i.param)).toEqual(['lighting_variant']);
    const custom = structuredClone(t);
    for (const b of custom.bindings)
      if ('field' in b && b.field === 'lighting_variant')
        b.map = { high_noise: 'aio-high.safetensors', low_noise: 'aio-low.safetensors' };
    expect(
      one(bind(custom, resolved('phr00t', 'i2v', { lighting_variant: 'high_noise' })), 'CheckpointLoaderSimple')
        .ckpt_name,
    ).toBe('aio-high.safetensors');
    expect(one(bind(custom, resolved('phr00t', 'i2v')), 'CheckpointLoaderSimple').ckpt_name).toBe(
      'aio-low.safetensors',
    );
    expect(ignoredParams(custom, resolved('phr00t', 'i2v'))).toEqual([]);
    expect(
      templateRequirements([custom])
        .modelFiles.map((f) => f.file)
        .sort(),
    ).toEqual(['aio-high.safetensors', 'aio-low.safetensors', 'wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors']);
    expect(
      ignoredParams(custom, resolved('phr00t', 'i2v', { negative_prompt: 'static', reference_strength: 0.9 })).map(
        (i) => i.param,
      ),
    ).toEqual(['negative_prompt']);
  });

  it('a video batch binds one seed per prompt; params the contract already reported are not repeated', () => {
    const t = set.get('phr00t', 't2v');
    const p = resolved('phr00t', 't2v', { batch_size: 3, reference_strength: 0.5 });
    expect(p.seeds).toEqual([1234, 1235, 1236]);
    expect(one(bindWorkflow(t, p, {}, { filenamePrefix: 'x', seed: 1236 }).graph, 'KSampler').seed).toBe(1236);
    expect(p.ignored_params.map((i) => i.param)).toEqual(['reference_strength']);
    expect(ignoredParams(t, p).map((i) => i.param)).toEqual(['lighting_variant']);
  });

  it('never mutates the template, and refuses a missing image or an unmapped value', () => {
    const t = set.get('pony', 'img2img');
    const before = JSON.stringify(t);
    bind(t, resolved('pony', 'img2img', { steps: 12, sampler: 'Euler' }));
    expect(JSON.stringify(t)).toBe(before);
    expect(() => bindWorkflow(t, resolved('pony', 'img2img'), {}, { filenamePrefix: 'x' })).toThrow(/reference_image/);
    const p = { ...resolved('pony', 'txt2img'), sampler: 'LMS' } as unknown as ResolvedGeneration;
    expect(() => bind(set.get('pony', 'txt2img'), p)).toThrow(/no mapping for sampler = LMS/);
  });

  it('renders text templates like Python format', () => {
    expect(renderText('{prompt} m {motion_score:.1f} {{x}}', { prompt: 'p', motion_score: 3 })).toBe('p m 3.0 {x}');
    expect(renderText('{a:.2f}', { a: 2.345 })).toBe('2.35');
  });
});

describe('requirements and loading', () => {
  it('requirements list node classes and the model files read off loader inputs', () => {
    const req = templateRequirements(set.selected(['flux', 'anisora']));
    expect(req.nodeClasses).toEqual(
      expect.arrayContaining([
        'CheckpointLoaderNF4',
        'FluxGuidance',
        'UNETLoader',
        'MediaGenWanKeyframeToVideo',
        'CreateVideo',
        'SaveVideo',
      ]),
    );
    expect(req.nodeClasses).not.toContain('UnetLoaderGGUF');
    expect(req.modelFiles).toEqual(
      expect.arrayContaining([
        { nodeClass: 'CheckpointLoaderNF4', input: 'ckpt_name', file: 'flux1-dev-bnb-nf4-v2.safetensors' },
        {
          nodeClass: 'UNETLoader',
          input: 'unet_name',
          file: 'Wan2_2-I2V_AniSoraV3_2_LOW_14B_fp8_e4m3fn_scaled_KJ.safetensors',
        },
        { nodeClass: 'CLIPLoader', input: 'clip_name', file: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors' },
        { nodeClass: 'VAELoader', input: 'vae_name', file: 'wan_2.1_vae.safetensors' },
      ]),
    );
    expect(templateRequirements(set.selected(['pony'], ['txt2img'])).nodeClasses).toEqual([
      'CLIPSetLastLayer',
      'CLIPTextEncode',
      'CheckpointLoaderSimple',
      'EmptyLatentImage',
      'KSampler',
      'SaveImage',
      'VAEDecode',
    ]);
  });

  it('an operator directory: bad shapes and broken references are refused with the file name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-'));
    const good = JSON.parse(fs.readFileSync(path.join(DEFAULT_WORKFLOWS_DIR, 'pony.txt2img.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    fs.writeFileSync(path.join(dir, 'pony.txt2img.json'), JSON.stringify(good));
    expect(loadTemplates(dir).find('pony', 'txt2img')).toBeDefined();
    expect(loadTemplates(dir).missing()).toContain('flux.txt2img');
    fs.writeFileSync(
      path.join(dir, 'broken.json'),
      JSON.stringify({ ...good, bindings: [{ field: 'seed', node: '99', input: 'seed' }] }),
    );
    expect(() => loadTemplates(dir)).toThrow(/broken\.json.*node 99/);
    fs.writeFileSync(
      path.join(dir, 'broken.json'),
      JSON.stringify({ ...good, bindings: [{ field: 'sede', node: '6', input: 'seed' }] }),
    );
    expect(() => loadTemplates(dir)).toThrow(TemplateError);
    fs.writeFileSync(path.join(dir, 'broken.json'), JSON.stringify(good));
    expect(() => loadTemplates(dir)).toThrow(/both define pony\.txt2img/);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(() => loadTemplates(path.join(dir, 'nope'))).toThrow(/cannot read the workflows directory/);
  });
});
