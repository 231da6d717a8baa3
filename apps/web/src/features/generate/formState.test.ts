import { describe, expect, it } from 'vitest';
import { MODELS } from '@mediagen/contract';
import {
  buildPayload,
  fromParameters,
  initialForm,
  nativeSizeOf,
  sizeChoices,
  withModel,
  withMode,
  withReference,
} from './formState.ts';
import { validateRequest } from './validateRequest.ts';

describe('formState', () => {
  it('pony sends its score-tag prefix setting (on by default); other models never do', () => {
    const pony = withModel(initialForm(), 'pony');
    expect(buildPayload({ ...pony, prompt: 'x' }).score_prefix).toBe(true);
    expect(buildPayload({ ...pony, prompt: 'x', score_prefix: false }).score_prefix).toBe(false);
    expect(buildPayload({ ...withModel(initialForm(), 'flux'), prompt: 'x' })).not.toHaveProperty('score_prefix');
    expect(fromParameters(initialForm(), { model: 'pony', mode: 'txt2img', score_prefix: false }).score_prefix).toBe(
      false,
    );
  });

  it('video models offer their native sizes beside the configured ones', () => {
    expect(sizeChoices(MODELS.phr00t)).toEqual([480, 512, 720, 768, 832, 1024, 1280]);
    expect(sizeChoices(MODELS.pony)).toEqual([512, 768, 1024]);
    const s = { ...withModel(initialForm(), 'anisora'), width: 832, height: 480, prompt: 'x' };
    expect(nativeSizeOf(s)).toBe('832x480');
    expect(nativeSizeOf({ ...s, height: 512 })).toBe('');
    expect(validateRequest(buildPayload(s)).details).toEqual([]);
  });

  it('sends only the settings of the current model and mode', () => {
    const s = withModel(initialForm(), 'pony');
    const p = buildPayload({ ...s, prompt: 'x' });
    expect(p).toMatchObject({
      model: 'pony',
      steps: 30,
      cfg_scale: 6,
      clip_skip: 2,
      sampler: 'Euler a',
      output_format: 'png',
    });
    expect(p).not.toHaveProperty('denoising_strength'); // txt2img has no input image
    expect(validateRequest(p).details).toEqual([]);
  });

  it('carries a reference image into first_last_frame as the first frame', () => {
    const ref = { value: 'data:image/png;base64,AAAA', preview: 'data:image/png;base64,AAAA', name: 'a.png' };
    let s = withMode(initialForm(), 'i2v');
    s = { ...s, images: { reference_image: ref } };
    s = withMode(s, 'first_last_frame');
    expect(s.images.first_frame_image).toBe(ref);
    const p = buildPayload({ ...s, prompt: 'x' });
    expect(p.first_frame_image).toBe(ref.value);
    expect(p).not.toHaveProperty('reference_image');
  });

  it('"use as reference" switches a text mode to the image mode of the same type', () => {
    const s = withReference(withModel(initialForm(), 'flux'), {
      value: 'asset:abc',
      preview: '/api/results/t',
      name: 'r',
    });
    expect(s.mode).toBe('img2img');
    expect(s.images.reference_image?.value).toBe('asset:abc');
  });

  it('"reuse settings" reads stored parameters defensively', () => {
    const s = fromParameters(initialForm(), {
      type: 'image',
      model: 'flux',
      mode: 'img2img',
      prompt: 'p',
      negative_prompt: 'n',
      width: 768,
      height: 1024,
      seed: 987654321,
      batch_size: 9,
      output_format: 'jpg',
      steps: 40,
      guidance_scale: 4.5,
      sampler: 'Euler',
      denoising_strength: 0.6,
      reference_image: 'asset:img1',
      vae: 'Flux VAE',
      bogus: { nested: true },
      steps_extra: 'x',
    });
    expect(s).toMatchObject({
      model: 'flux',
      mode: 'img2img',
      prompt: 'p',
      width: 768,
      height: 1024,
      seed: '987654321',
      batch_size: 4,
      output_format: 'jpg',
    });
    expect(s.numbers).toMatchObject({ steps: '40', guidance_scale: '4.5', denoising_strength: '0.6' });
    expect(s.images.reference_image?.value).toBe('asset:img1');
    expect(fromParameters(s, { model: 'nope' })).toBe(s);
  });

  it('never takes a fixed value from stored parameters', () => {
    const s = fromParameters(initialForm(), { model: 'phr00t', mode: 't2v', steps: 20, cfg_scale: 7 });
    const p = buildPayload({ ...s, prompt: 'x' });
    expect(p).toMatchObject({ steps: 4, cfg_scale: 1 });
  });
});
