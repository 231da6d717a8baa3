// Per-model readiness, launch warnings and the setup script, against catalogues shaped like real
// installs (no sockets: the catalogue is what /object_info would answer).
import { describe, expect, it } from 'vitest';
import { assessModels, launchWarnings } from './backend-health.ts';
import { summarizeHealth } from './backend-health-check.ts';
import { parseNodeCatalog, type NodeCatalog } from './graph-validation.ts';
import { corePlusPacksRaw } from './reference-node-definitions.ts';
import { setupScriptFor } from './setup-plan.ts';
import { loadTemplates } from './workflow-templates.ts';

const set = loadTemplates();
const ALL_FILES: Record<string, string[]> = {
  'CheckpointLoaderSimple.ckpt_name': [
    'ponyDiffusionV6XL_v6StartWithThisOne.safetensors',
    'wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors',
    'flux1-dev-bnb-nf4-v2.safetensors',
  ],
  'CheckpointLoaderNF4.ckpt_name': ['flux1-dev-bnb-nf4-v2.safetensors'],
  'UNETLoader.unet_name': [
    'Wan2_2-I2V_AniSoraV3_2_HIGH_14B_fp8_e4m3fn_scaled_KJ.safetensors',
    'Wan2_2-I2V_AniSoraV3_2_LOW_14B_fp8_e4m3fn_scaled_KJ.safetensors',
  ],
  'CLIPLoader.clip_name': ['umt5_xxl_fp8_e4m3fn_scaled.safetensors'],
  'VAELoader.vae_name': ['wan_2.1_vae.safetensors', 'pixel_space'],
};

/** A backend's catalogue: some files listed by the loaders, some classes absent. */
function backend(files: Record<string, string[]>, drop: string[] = []): NodeCatalog {
  const all = structuredClone(corePlusPacksRaw()) as Record<
    string,
    { input: { required?: Record<string, unknown[]> } }
  >;
  for (const spec of Object.values(all))
    for (const [name, s] of Object.entries(spec.input.required ?? {}))
      if (Array.isArray(s[0]) && /^(ckpt_name|unet_name|clip_name\d?|vae_name|lora_name)$/.test(name)) s[0] = [];
  for (const [key, list] of Object.entries(files)) {
    const [cls, input] = key.split('.') as [string, string];
    const spec = all[cls]?.input.required?.[input];
    if (spec) spec[0] = list;
  }
  for (const d of drop) delete all[d];
  return parseNodeCatalog(all).catalog;
}

describe('per-model readiness', () => {
  it('a complete backend is ready for every model', () => {
    const r = assessModels(set, ['anisora', 'phr00t', 'pony', 'flux'], backend(ALL_FILES));
    expect(r.map((m) => [m.model, m.ready, m.reason])).toEqual([
      ['anisora', true, undefined],
      ['phr00t', true, undefined],
      ['pony', true, undefined],
      ['flux', true, undefined],
    ]);
  });

  it("a backend with only Pony's file serves Pony; the others say exactly which packs and files they lack", () => {
    const r = assessModels(
      set,
      ['anisora', 'phr00t', 'pony', 'flux'],
      backend({ 'CheckpointLoaderSimple.ckpt_name': ['ponyDiffusionV6XL_v6StartWithThisOne.safetensors'] }, [
        'CheckpointLoaderNF4',
        'MediaGenWanKeyframeToVideo',
      ]),
    );
    const by = Object.fromEntries(r.map((m) => [m.model, m]));
    expect(by.pony!.ready).toBe(true);
    expect(by.anisora).toMatchObject({
      ready: false,
      missingNodes: ['MediaGenWanKeyframeToVideo'],
      missingPacks: [{ name: 'comfyui_mediagen', bundled: true, nodes: ['MediaGenWanKeyframeToVideo'] }],
    });
    expect(by.anisora!.missingFiles.map((f) => `${f.folder}/${f.file}`).sort()).toEqual([
      'diffusion_models/Wan2_2-I2V_AniSoraV3_2_HIGH_14B_fp8_e4m3fn_scaled_KJ.safetensors',
      'diffusion_models/Wan2_2-I2V_AniSoraV3_2_LOW_14B_fp8_e4m3fn_scaled_KJ.safetensors',
      'text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors',
      'vae/wan_2.1_vae.safetensors',
    ]);
    // a missing loader class and its file: both are named
    expect(by.flux!.missingNodes).toEqual(['CheckpointLoaderNF4']);
    expect(by.flux!.missingFiles).toEqual([
      expect.objectContaining({
        folder: 'checkpoints',
        file: 'flux1-dev-bnb-nf4-v2.safetensors',
        url: 'https://huggingface.co/lllyasviel/flux1-dev-bnb-nf4/resolve/main/flux1-dev-bnb-nf4-v2.safetensors',
      }),
    ]);
    expect(by.flux!.reason).toBe(
      'install pack ComfyUI_bitsandbytes_NF4 at 6c65152bc48b (CheckpointLoaderNF4); missing model files: checkpoints/flux1-dev-bnb-nf4-v2.safetensors',
    );
    const summary = summarizeHealth(r);
    expect(summary.ok).toBe(true);
    expect(summary.reason).toMatch(
      /^serves pony; not ready — anisora: install pack comfyui_mediagen \(MediaGenWanKeyframeToVideo\); missing model files: /,
    );
    expect(summary.missingNodes).toEqual(['CheckpointLoaderNF4', 'MediaGenWanKeyframeToVideo']);
  });

  it('no ready model: not ok; an account without models is ok', () => {
    const r = assessModels(set, ['pony'], backend({}));
    expect(summarizeHealth(r)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^ready for none of its models — pony: missing model files: checkpoints\/pony/),
    });
    expect(summarizeHealth([])).toMatchObject({ ok: true });
  });

  it('warns when ComfyUI runs without live previews (its default)', () => {
    expect(launchWarnings(['main.py', '--listen'])).toEqual([
      expect.stringMatching(/^live previews are off: .*--preview-method auto/),
    ]);
    expect(launchWarnings(['main.py', '--preview-method', 'none'])).toHaveLength(1);
    expect(launchWarnings(['main.py', '--preview-method=taesd'])).toEqual([]);
    expect(launchWarnings(['main.py', '--preview-method', 'auto'])).toEqual([]);
    expect(launchWarnings(undefined)).toEqual([]);
  });
});

describe('setup script', () => {
  it('for a fresh host: every pack at its commit, every file with its checks, the bundled node written', () => {
    const s = setupScriptFor(set, { models: ['anisora', 'flux'] });
    expect(s.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(s).toContain('set -euo pipefail');
    expect(s).toMatch(
      /if \[ ! -f main\.py \] \|\| \[ ! -d comfy \] \|\| \[ ! -d custom_nodes \] \|\| \[ ! -d models \]; then/,
    );
    expect(s).toContain(
      "install_pack 'ComfyUI_bitsandbytes_NF4' 'https://github.com/comfyanonymous/ComfyUI_bitsandbytes_NF4' '6c65152bc48b28fc44cec3aa44035a8eba400eb9' 'requirements.txt'",
    );
    expect(s).toContain("cat > 'custom_nodes/comfyui_mediagen/keyframe_layout.py' <<'MEDIAGEN_FILE_END'");
    expect(s).not.toContain('test_keyframe_layout');
    expect(s).toContain(
      "fetch_model 'vae' 'wan_2.1_vae.safetensors' 'https://huggingface.co/Comfy-Org/Wan_2.1_ComfyUI_repackaged/resolve/main/split_files/vae/wan_2.1_vae.safetensors' 2fc39d31359a4b0a64f55876d8ff7fa8d780956ae2cb13463b0223e15148976b 253815318 -",
    );
    expect(s).not.toContain('UnetLoaderGGUF'); // the gguf variant is not selected
    expect(s).toContain('--preview-method auto');
  });

  it('after a health check: only what that check found missing, for the models asked', () => {
    const models = assessModels(
      set,
      ['pony', 'flux'],
      backend({ 'CheckpointLoaderSimple.ckpt_name': ['flux1-dev-bnb-nf4-v2.safetensors'] }, ['CheckpointLoaderNF4']),
    );
    const s = setupScriptFor(set, { models: ['pony', 'flux'], readiness: models });
    expect(s).toContain("install_pack 'ComfyUI_bitsandbytes_NF4'");
    expect(s).toContain(
      "fetch_model 'checkpoints' 'ponyDiffusionV6XL_v6StartWithThisOne.safetensors' 'https://civitai.com/api/download/models/290640' 67ab2fd8ec439a89b3fedb15cc65f54336af163c7eb5e4f2acc98f090a29b0b3 6938041050 civitai",
    );
    expect(s).not.toContain("fetch_model 'checkpoints' 'flux1-dev-bnb-nf4-v2.safetensors'"); // present
    const ready = assessModels(set, ['pony'], backend(ALL_FILES));
    expect(setupScriptFor(set, { models: ['pony'], readiness: ready })).toContain('echo "nothing to install"');
  });
});
