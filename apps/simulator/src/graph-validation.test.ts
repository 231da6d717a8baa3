import { describe, expect, it } from 'vitest';
import { validateGraph, type Graph, type ValidationResult } from './graph-validation.ts';
import { listModelFolder, loadCatalog, loadModelFiles } from './node-catalog.ts';
import { imageGraph } from '../test/sim-test-client.ts';

const models = loadModelFiles();
const catalog = loadCatalog(models);
const validate = (g: unknown, files: string[] = []): ValidationResult =>
  validateGraph(g, catalog, { inputFileExists: (f) => files.includes(f) });
const errorsOf = (r: ValidationResult, node: string): string[] => r.node_errors[node]?.errors.map((e) => e.type) ?? [];
const clone = (g: Graph): Graph => JSON.parse(JSON.stringify(g)) as Graph;

describe('validateGraph', () => {
  it('accepts a minimal txt2img graph and lists its outputs', () => {
    const r = validate(imageGraph());
    expect(r).toMatchObject({ ok: true, outputs: ['9'], node_errors: {} });
  });

  it('top-level errors: invalid_prompt (unknown class / no class_type), prompt_no_outputs', () => {
    const unknown = { ...imageGraph(), '99': { class_type: 'NoSuchNode', inputs: {} } };
    const r1 = validate(unknown);
    expect(r1).toMatchObject({
      ok: false,
      error: { type: 'invalid_prompt', details: "Node ID '#99'" },
      node_errors: {},
    });
    expect(validate({ '1': { inputs: {} } })).toMatchObject({
      ok: false,
      error: { type: 'invalid_prompt', message: expect.stringMatching(/missing the class_type/) },
    });
    const g = imageGraph();
    delete (g as Record<string, unknown>)['9'];
    expect(validate(g)).toMatchObject({ ok: false, error: { type: 'prompt_no_outputs' } });
  });

  it('per-input errors carry ComfyUI types, and the top error is prompt_outputs_failed_validation', () => {
    const g = clone(imageGraph());
    delete g['3']!.inputs.cfg; // required_input_missing
    g['3']!.inputs.steps = 0; // value_smaller_than_min
    g['3']!.inputs.sampler_name = 'euler_b'; // value_not_in_list (V1 list)
    g['5']!.inputs.width = 99999; // value_bigger_than_max
    g['5']!.inputs.height = 'tall'; // invalid_input_type
    g['8']!.inputs.vae = ['4', 1]; // return_type_mismatch: CLIP into VAE
    g['6']!.inputs.clip = ['4']; // bad_linked_input
    const r = validate(g);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.type).toBe('prompt_outputs_failed_validation');
    expect(errorsOf(r, '3').sort()).toEqual(['required_input_missing', 'value_not_in_list', 'value_smaller_than_min']);
    expect(errorsOf(r, '5').sort()).toEqual(['invalid_input_type', 'value_bigger_than_max']);
    expect(errorsOf(r, '8')).toEqual(['return_type_mismatch']);
    expect(errorsOf(r, '6')).toEqual(['bad_linked_input']);
    expect(r.node_errors['3']).toMatchObject({ class_type: 'KSampler', dependent_outputs: ['9'] });
    const mismatch = r.node_errors['8']!.errors[0]!;
    expect(mismatch.details).toBe('vae, received_type(CLIP) mismatch input_type(VAE)');
    const notInList = r.node_errors['3']!.errors.find((e) => e.type === 'value_not_in_list')!;
    expect(notInList.details).toBe("sampler_name: 'euler_b' not in (list of length 42)");
  });

  it('V3 COMBO options are enforced (stricter than ComfyUI)', () => {
    const g = {
      '1': { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      '2': { class_type: 'CreateVideo', inputs: { images: ['1', 0], fps: 16 } },
      '3': { class_type: 'SaveVideo', inputs: { video: ['2', 0], filename_prefix: 'v', format: 'mkv', codec: 'h264' } },
    };
    const r = validate(g, ['a.png']);
    expect(errorsOf(r, '3')).toEqual(['value_not_in_list']);
    expect(r.ok ? '' : r.error.details).toBe("Value not in list: format: 'mkv' not in ['auto', 'mp4']");
  });

  it('links to a missing node: exception_during_validation on the output, …_inner_ on an ancestor', () => {
    const g = clone(imageGraph());
    g['9']!.inputs.images = ['77', 0];
    const r = validate(g);
    expect(errorsOf(r, '9')).toEqual(['exception_during_validation']);
    expect(r.node_errors['9']!.errors[0]!.details).toBe("'77'");
    const g2 = clone(imageGraph());
    g2['8']!.inputs.samples = ['77', 0];
    expect(errorsOf(validate(g2), '8')).toEqual(['exception_during_inner_validation']);
  });

  it('LoadImage must name an uploaded file (custom_validation_failed)', () => {
    const g = {
      '1': { class_type: 'LoadImage', inputs: { image: 'missing.png' } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
    };
    const r = validate(g);
    expect(r.ok ? undefined : r.node_errors['1']?.errors[0]).toMatchObject({
      type: 'custom_validation_failed',
      details: 'image - Invalid image file: missing.png',
    });
    expect(validate(g, ['missing.png']).ok).toBe(true);
  });

  it('only output nodes and their ancestors are validated; other outputs still pass (200 with node_errors)', () => {
    const g = { ...clone(imageGraph()), '50': { class_type: 'KSampler', inputs: {} } };
    expect(validate(g)).toMatchObject({ ok: true, node_errors: {} });
    const two = { ...clone(imageGraph()), '60': { class_type: 'SaveImage', inputs: { images: ['8', 0] } } };
    const r = validate(two);
    expect(r).toMatchObject({ ok: true, outputs: ['9'] });
    expect(errorsOf(r, '60')).toEqual(['required_input_missing']);
  });

  it('converts literals like Python: numeric strings, big seeds, __value__', () => {
    const g = clone(imageGraph());
    g['3']!.inputs.steps = '12';
    g['3']!.inputs.seed = '18446744073709551615';
    g['5']!.inputs.width = { __value__: 320 };
    expect(validate(g).ok).toBe(true);
    expect(g['3']!.inputs).toMatchObject({ steps: 12, seed: '18446744073709551615' });
    expect(g['5']!.inputs.width).toBe(320);
  });

  it('rejects a literal where a link type is expected (stricter than ComfyUI)', () => {
    const g = clone(imageGraph());
    g['3']!.inputs.model = 'ponyDiffusionV6XL_v6StartWithThisOne.safetensors';
    expect(errorsOf(validate(g), '3')).toEqual(['invalid_input_type']);
  });
});

describe('node catalog', () => {
  it('fills loader combos with the simulated model files and declares the custom packs', () => {
    expect(catalog.CheckpointLoaderSimple!.input.required!.ckpt_name![0]).toContain(
      'ponyDiffusionV6XL_v6StartWithThisOne.safetensors',
    );
    expect(catalog.DualCLIPLoader!.input.required!.clip_name2![0]).toContain('t5xxl_fp8_e4m3fn.safetensors');
    expect(catalog.VAELoader!.input.required!.vae_name![0]).toEqual([
      'wan_2.1_vae.safetensors',
      'ae.safetensors',
      'pixel_space',
    ]);
    // .gguf files belong to the GGUF pack's loader only, as in a real install
    expect(catalog.UNETLoader!.input.required!.unet_name![0]).not.toContain('flux1-dev-Q8_0.gguf');
    expect(catalog.UnetLoaderGGUF!.input.required!.unet_name![0]).toEqual(['flux1-dev-Q8_0.gguf']);
    expect(catalog.CheckpointLoaderNF4!.input.required!.ckpt_name![0]).toContain('flux1-dev-bnb-nf4-v2.safetensors');
    for (const [cls, pack] of [
      ['CheckpointLoaderNF4', 'ComfyUI_bitsandbytes_NF4'],
      ['UnetLoaderGGUF', 'ComfyUI-GGUF'],
      ['MediaGenWanKeyframeToVideo', 'comfyui_mediagen'],
    ]) {
      expect(catalog[cls!]!.python_module).toBe(`custom_nodes.${pack}`);
    }
    expect(catalog.MediaGenWanKeyframeToVideo!.output).toEqual(['CONDITIONING', 'CONDITIONING', 'LATENT']);
    // the community pack is not installed: its node is an unknown class, as on a stock backend
    expect(catalog.WanMultiFrameRefToVideo).toBeUndefined();
    expect(listModelFolder(models, catalog, 'unet_gguf')).toEqual(['flux1-dev-Q8_0.gguf']);
    expect(listModelFolder(models, catalog, 'unet')).toBeUndefined();
  });

  it('can leave out nodes and model files (health-check tests)', () => {
    const lacking = loadCatalog(loadModelFiles(undefined, ['ae.safetensors']), ['UnetLoaderGGUF']);
    expect(lacking.UnetLoaderGGUF).toBeUndefined();
    expect(lacking.VAELoader!.input.required!.vae_name![0]).not.toContain('ae.safetensors');
  });
});
