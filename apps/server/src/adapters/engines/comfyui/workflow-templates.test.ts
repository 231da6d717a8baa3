import { MODELS, MODEL_LIST, resolveGeneration, type GenerateRequest, type Mode, type ModelId } from '@mediagen/contract';
import { describe, expect, it } from 'vitest';
import { validateGraph } from '../../../../../simulator/src/graph-validation.ts';
import { loadCatalog, loadModelFiles } from '../../../../../simulator/src/node-catalog.ts';
import { bindWorkflow, ignoredParams } from './workflow-binding.ts';
import { templateRequirements } from './template-requirements.ts';
import { loadTemplates } from './workflow-templates.ts';

const templates = loadTemplates();
// real ComfyUI 0.3.64 node definitions + the declared custom packs, loader lists filled with the template files
const catalog = loadCatalog(loadModelFiles());
const COMMON = ['prompt', 'negative_prompt', 'width', 'height', 'seed', 'batch_size', 'output_format'];
const IMAGE_FIELD: Record<string, string> = { reference: 'reference_image', first: 'first_frame_image', last: 'last_frame_image' };

function request(model: ModelId, mode: Mode, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  const m = MODELS[model];
  const base: GenerateRequest = { type: m.type, model, mode, prompt: 'a red fox in snow', width: 768, height: 512, seed: 1234, ...extra };
  if (mode === 'first_last_frame') return { first_frame_image: 'asset:a', last_frame_image: 'asset:b', ...base };
  if (['i2v', 'img2img', 'arbitrary_frame'].includes(mode)) return { reference_image: 'asset:a', ...base };
  return base;
}

const files = { reference: 'ref.png', first: 'first.png', last: 'last.png' };

describe('workflow templates', () => {
  it('ship one template per model × mode (plus the Flux GGUF variants)', () => {
    for (const m of MODEL_LIST) for (const mode of m.modes) expect(templates.get(m.id, mode).mode).toBe(mode);
    expect(templates.templates.filter((t) => t.variant === 'gguf').map((t) => t.mode).sort()).toEqual(['img2img', 'txt2img']);
  });

  for (const t of templates.templates) {
    const name = `${t.model}.${t.mode}${t.variant === 'default' ? '' : `.${t.variant}`}`;
    it(`${name} validates against ComfyUI 0.3.64 node definitions`, () => {
      const custom = new Set(t.customNodes.map((c) => c.class));
      for (const node of Object.values(t.graph)) {
        const core = catalog[node.class_type]?.python_module;
        if (typeof core === 'string' && core.startsWith('custom_nodes.')) expect(custom.has(node.class_type), `${node.class_type} must be declared`).toBe(true);
      }
      const p = resolveGeneration(request(t.model, t.mode), () => 1);
      const { graph } = bindWorkflow(t, p, files, { filenamePrefix: 'mediagen/test' });
      const r = validateGraph(graph, catalog, { inputFileExists: () => true });
      expect(r.ok ? [] : r.node_errors).toEqual([]);
    });

    it(`${name}: every field the model accepts is bound, handled, declared unsupported or not applicable`, () => {
      const accounted = new Set<string>([
        ...t.bindings.map((b) => ('image' in b ? IMAGE_FIELD[b.image]! : b.field)),
        ...t.handledByGateway.map((h) => h.param),
        ...t.unsupported.map((u) => u.param),
        ...t.notApplicable.map((u) => u.param),
      ]);
      // `vae` is settled by the contract (the model's own VAE, else reported in ignored_params)
      const fields = [...COMMON, ...MODELS[t.model].params.filter((p) => p !== 'vae')];
      expect(fields.filter((f) => !accounted.has(f))).toEqual([]);
      for (const u of t.unsupported) expect(u.reason.length).toBeGreaterThan(10);
    });
  }
});

describe('binding', () => {
  const bound = (model: ModelId, mode: Mode, extra: Partial<GenerateRequest> = {}) => {
    const t = templates.get(model, mode);
    return { t, ...bindWorkflow(t, resolveGeneration(request(model, mode, extra), () => 1), files, { filenamePrefix: 'x/y' }) };
  };
  const inputsOf = (g: Record<string, { class_type: string; inputs: Record<string, unknown> }>, cls: string) =>
    Object.values(g).filter((n) => n.class_type === cls).map((n) => n.inputs);

  it('pony: seed, steps, cfg, sampler mapping, clip skip, size, batch', () => {
    const { graph } = bound('pony', 'txt2img', { steps: 40, cfg_scale: 7.5, sampler: 'DPM++ 2M Karras', clip_skip: 2, batch_size: 3 });
    expect(inputsOf(graph, 'KSampler')[0]).toMatchObject({ seed: 1234, steps: 40, cfg: 7.5, sampler_name: 'dpmpp_2m', scheduler: 'karras' });
    expect(inputsOf(graph, 'CLIPSetLastLayer')[0]).toMatchObject({ stop_at_clip_layer: -2 });
    expect(inputsOf(graph, 'EmptyLatentImage')[0]).toMatchObject({ width: 768, height: 512, batch_size: 3 });
    expect(inputsOf(graph, 'SaveImage')[0]).toMatchObject({ filename_prefix: 'x/y' });
    expect(bound('pony', 'txt2img', { sampler: 'Euler a' }).graph['6']?.inputs).toMatchObject({ sampler_name: 'euler_ancestral', scheduler: 'normal' });
  });

  it('pony img2img: reference upload and denoise', () => {
    const { graph } = bound('pony', 'img2img', { denoising_strength: 0.55 });
    expect(inputsOf(graph, 'LoadImage')[0]).toMatchObject({ image: 'ref.png' });
    expect(inputsOf(graph, 'KSampler')[0]).toMatchObject({ denoise: 0.55 });
  });

  it('flux: FluxGuidance carries guidance_scale, KSampler cfg stays 1; negative prompt reported', () => {
    const { graph, ignored } = bound('flux', 'txt2img', { guidance_scale: 4.5, negative_prompt: 'blurry' });
    expect(inputsOf(graph, 'FluxGuidance')[0]).toMatchObject({ guidance: 4.5 });
    expect(inputsOf(graph, 'KSampler')[0]).toMatchObject({ cfg: 1, sampler_name: 'euler', scheduler: 'simple' });
    expect(ignored.map((i) => i.param)).toEqual(['negative_prompt']);
    expect(bound('flux', 'txt2img').ignored).toEqual([]);
  });

  it('anisora: motion score in the prompt text, two experts split at step 3, frames and fps', () => {
    const { graph } = bound('anisora', 't2v', { motion_score: 2.5, num_frames: 50, fps: 24 });
    expect(inputsOf(graph, 'CLIPTextEncode')[0]?.text).toBe('a red fox in snow aesthetic score: 5.5. motion score: 2.5. There is no text in the video.');
    const [high, low] = inputsOf(graph, 'KSamplerAdvanced');
    expect(high).toMatchObject({ noise_seed: 1234, steps: 8, start_at_step: 0, end_at_step: 3, add_noise: 'enable' });
    expect(low).toMatchObject({ noise_seed: 1234, steps: 8, start_at_step: 3, add_noise: 'disable' });
    expect(inputsOf(graph, 'WanImageToVideo')[0]).toMatchObject({ length: 57, width: 768, height: 512 });
    expect(inputsOf(graph, 'CreateVideo')[0]).toMatchObject({ fps: 24 });
  });

  it('anisora arbitrary_frame: keyframe index and strength reach the keyframe node', () => {
    const { graph } = bound('anisora', 'arbitrary_frame', { num_frames: 81, reference_frame_index: 37, reference_strength: 0.8 });
    expect(inputsOf(graph, 'WanMultiFrameRefToVideo')[0]).toMatchObject({ ref_positions: '40', ref_strength: 0.8, ref_images: ['20', 0] });
  });

  it('phr00t: lighting_variant picks the checkpoint file; unsupported params are reported only when set', () => {
    const t = templates.get('phr00t', 'i2v');
    const map = t.bindings.find((b) => !('image' in b) && b.field === 'lighting_variant');
    expect(map && !('image' in map) && typeof map.map === 'object').toBe(true);
    const { graph, ignored } = bound('phr00t', 'i2v', { lighting_variant: 'high_noise', reference_strength: 0.9, negative_prompt: 'static' });
    expect(inputsOf(graph, 'CheckpointLoaderSimple')[0]?.ckpt_name).toBe('wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors');
    expect(ignored.map((i) => i.param).sort()).toEqual(['negative_prompt', 'reference_strength']);
    expect(ignoredParams(t, resolveGeneration(request('phr00t', 'i2v'), () => 1))).toEqual([]);
  });

  it('the template is never mutated', () => {
    const t = templates.get('pony', 'txt2img');
    const before = JSON.stringify(t.graph);
    bound('pony', 'txt2img', { steps: 12 });
    expect(JSON.stringify(t.graph)).toBe(before);
  });

  it('requirements list node classes and model files (incl. files a binding may choose)', () => {
    const req = templateRequirements(templates.forModels(['flux', 'anisora']));
    expect(req.nodeClasses).toEqual(expect.arrayContaining(['CheckpointLoaderNF4', 'FluxGuidance', 'UNETLoader', 'WanMultiFrameRefToVideo']));
    expect(req.modelFiles.map((f) => f.file)).toEqual(expect.arrayContaining(['flux1-dev-bnb-nf4-v2.safetensors', 'umt5_xxl_fp8_e4m3fn_scaled.safetensors']));
    expect(req.nodeClasses).not.toContain('UnetLoaderGGUF');
  });
});
