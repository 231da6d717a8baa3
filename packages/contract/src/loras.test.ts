import { describe, expect, it } from 'vitest';
import { checkGenerateRules, zGenerateRequest, type GenerateRequest } from './generate.ts';
import { loraFiles, zLoraCreate, zLoraFile, zLoraName, zLoraPatch } from './loras.ts';
import { MODEL_LIST } from './models/index.ts';

const base: GenerateRequest = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a fox',
  width: 512,
  height: 512,
  seed: 1,
};
const paths = (req: GenerateRequest): string[] => checkGenerateRules(req).invalid.map((d) => d.path);

describe('loras on the generation payload', () => {
  it('stage 1: wrong types and unknown keys are 400 material', () => {
    expect(zGenerateRequest.safeParse({ ...base, loras: [{ name: 'a', strength: 1 }] }).success).toBe(true);
    for (const loras of [
      'a',
      [{ name: 'a' }],
      [{ name: 'a', strength: '1' }],
      [{ name: '', strength: 1 }],
      [{ name: 'a', strength: 1, weight: 1 }],
      [{ name: 'a', strength: 1, strength_clip: 'x' }],
    ]) {
      expect(zGenerateRequest.safeParse({ ...base, loras }).success, JSON.stringify(loras)).toBe(false);
    }
  });

  it('stage 2: at most 4, strengths −2…2, no name twice, with the offending entry as path', () => {
    const l = (name: string, strength = 1): { name: string; strength: number } => ({ name, strength });
    expect(paths({ ...base, loras: [l('a'), l('b'), l('c'), l('d')] })).toEqual([]);
    expect(paths({ ...base, loras: [l('a'), l('b'), l('c'), l('d'), l('e')] })).toEqual(['loras']);
    expect(paths({ ...base, loras: [l('a', -2), l('b', 2.01)] })).toEqual(['loras.1.strength']);
    expect(paths({ ...base, loras: [{ name: 'a', strength: 1, strength_clip: -3 }] })).toEqual([
      'loras.0.strength_clip',
    ]);
    expect(paths({ ...base, loras: [l('a'), l('a')] })).toEqual(['loras.1.name']);
  });

  it('every model names its LoRA family', () => {
    expect(Object.fromEntries(MODEL_LIST.map((m) => [m.id, m.loraFamily]))).toEqual({
      anisora: 'wan',
      phr00t: 'wan',
      pony: 'sdxl',
      flux: 'flux',
    });
  });
});

describe('catalog entries', () => {
  it('names are what <lora:name:weight> can carry; files stay under models/loras', () => {
    for (const ok of ['detail_tweaker_xl', 'wan2.2-lightx2v', 'a+b'])
      expect(zLoraName.safeParse(ok).success).toBe(true);
    for (const bad of ['', '-x', 'a b', 'a:b', 'a/b', 'x'.repeat(101)])
      expect(zLoraName.safeParse(bad).success).toBe(false);
    for (const ok of ['x.safetensors', 'sdxl/style.safetensors']) expect(zLoraFile.safeParse(ok).success).toBe(true);
    for (const bad of ['../x.safetensors', '/etc/x', 'a/../../b', 'a"b', 'a$(x)', '']) {
      expect(zLoraFile.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('create needs name, file and family; SHA-256 is normalised; patch takes any subset', () => {
    const created = zLoraCreate.parse({
      name: 'style',
      file: 'style.safetensors',
      family: 'sdxl',
      sha256: 'A'.repeat(64),
    });
    expect(created.sha256).toBe('a'.repeat(64));
    expect(zLoraCreate.safeParse({ name: 'style', family: 'sdxl' }).success).toBe(false);
    expect(zLoraCreate.safeParse({ name: 'style', file: 'x', family: 'sd15' }).success).toBe(false);
    expect(zLoraPatch.parse({ trigger_words: ['  neon  '] })).toEqual({ trigger_words: ['neon'] });
    expect(zLoraPatch.safeParse({ name: 'other' }).success).toBe(false);
  });

  it('a LoRA needs its file and every role file on a backend', () => {
    expect(loraFiles({ file: 'a.safetensors' })).toEqual(['a.safetensors']);
    expect(
      loraFiles({
        file: 'a_high.safetensors',
        role_files: { low_noise: 'a_low.safetensors', high_noise: 'a_high.safetensors' },
      }),
    ).toEqual(['a_high.safetensors', 'a_low.safetensors']);
  });
});
