import { describe, expect, it } from 'vitest';
import {
  checkGenerateRules,
  resolveFrames,
  resolveGeneration,
  resolveReferenceFrameIndex,
  zGenerateRequest,
  type GenerateRequest,
} from './generate.ts';
import { MODELS, MODEL_LIST, type Mode, type ModelId } from './models/index.ts';

const IMG = 'data:image/png;base64,iVBORw0KGgo=';

/** A valid request for every model × mode, built from the registry. */
function valid(model: ModelId, mode: Mode): GenerateRequest {
  const m = MODELS[model];
  const req: GenerateRequest = {
    type: m.type,
    model,
    mode,
    prompt: 'a red fox in a snowy forest',
    width: 512,
    height: 512,
    seed: -1,
  };
  if (mode === 'first_last_frame') return { ...req, first_frame_image: IMG, last_frame_image: IMG };
  if (['i2v', 'arbitrary_frame', 'img2img'].includes(mode)) return { ...req, reference_image: IMG };
  return req;
}

const stage1 = (body: unknown) => zGenerateRequest.safeParse(body);
const rules = (req: GenerateRequest) => checkGenerateRules(req);
const paths = (r: ReturnType<typeof rules>) => r.invalid.map((d) => d.path);

describe('every model × mode', () => {
  for (const m of MODEL_LIST) {
    for (const mode of m.modes) {
      it(`${m.id} ${mode} is accepted`, () => {
        const parsed = stage1(valid(m.id, mode));
        expect(parsed.success).toBe(true);
        expect(rules(valid(m.id, mode))).toEqual({ invalid: [], fixed: [] });
      });
    }
  }
  it('the seed guide examples are accepted', () => {
    const anisora = {
      type: 'video',
      model: 'anisora',
      mode: 't2v',
      prompt: 'x',
      negative_prompt: 'blurry',
      width: 512,
      height: 512,
      seed: -1,
      num_frames: 81,
      fps: 16,
      steps: 8,
      guidance_scale: 1.0,
      motion_score: 3.0,
      output_format: 'mp4',
    };
    const phr00t = {
      model: 'phr00t',
      type: 'video',
      mode: 'i2v',
      prompt: 'x',
      width: 768,
      height: 768,
      seed: 123456789,
      num_frames: 81,
      fps: 16,
      steps: 4,
      cfg_scale: 1.0,
      reference_strength: 0.85,
      lighting_variant: 'low_noise',
      denoising_strength: 0.7,
      output_format: 'mp4',
      reference_image: IMG,
    };
    const pony = {
      model: 'pony',
      type: 'image',
      mode: 'txt2img',
      prompt: 'x',
      negative_prompt: 'y',
      width: 1024,
      height: 1024,
      seed: -1,
      steps: 30,
      cfg_scale: 6,
      clip_skip: 2,
      sampler: 'DPM++ 2M Karras',
      output_format: 'png',
    };
    const flux = {
      model: 'flux',
      type: 'image',
      mode: 'img2img',
      prompt: 'x',
      width: 768,
      height: 1024,
      seed: 987654321,
      steps: 25,
      guidance_scale: 3.5,
      sampler: 'Euler',
      denoising_strength: 0.65,
      output_format: 'jpg',
      reference_image: IMG,
    };
    for (const body of [anisora, phr00t, pony, flux]) {
      const p = stage1(body);
      expect(p.success).toBe(true);
      if (p.success) expect(rules(p.data)).toEqual({ invalid: [], fixed: [] });
    }
  });
});

describe('400: shape, types and enums (stage 1)', () => {
  it('{} is refused', () => expect(stage1({}).success).toBe(false));
  it.each([
    ['type missing', { type: undefined }],
    ['prompt missing', { prompt: undefined }],
    ['width as a string', { width: '512' }],
    ['seed as a string', { seed: '1' }],
    ['unknown model', { model: 'sdxl' }],
    ['unknown type', { type: 'audio' }],
    ['unknown mode', { mode: 'inpaint' }],
    ['unknown sampler', { sampler: 'LMS' }],
    ['unknown format', { output_format: 'avi' }],
    ['unknown lighting variant', { lighting_variant: 'medium' }],
    ['unknown field', { foo: 1 }],
    ['NaN width', { width: Number.NaN }],
  ])('%s', (_name, patch) => {
    expect(stage1({ ...valid('pony', 'txt2img'), ...patch }).success).toBe(false);
  });
});

describe('422: rules (stage 2)', () => {
  const pony = valid('pony', 'txt2img');
  it.each([
    ['width not an allowed size', { width: 640 }, 'width'],
    ['height not an allowed size', { height: 2048 }, 'height'],
    ['seed below −1', { seed: -2 }, 'seed'],
    ['seed above 2^32−1', { seed: 4294967296 }, 'seed'],
    ['seed not an integer', { seed: 1.5 }, 'seed'],
    ['batch 0', { batch_size: 0 }, 'batch_size'],
    ['batch 5', { batch_size: 5 }, 'batch_size'],
    ['pony cfg 21', { cfg_scale: 21 }, 'cfg_scale'],
    ['pony cfg 0.5', { cfg_scale: 0.5 }, 'cfg_scale'],
    ['clip_skip 5', { clip_skip: 5 }, 'clip_skip'],
    ['clip_skip 1.5', { clip_skip: 1.5 }, 'clip_skip'],
    ['image steps 151', { steps: 151 }, 'steps'],
    ['image steps 0', { steps: 0 }, 'steps'],
    ['denoising 1.5', { denoising_strength: 1.5 }, 'denoising_strength'],
    ['empty prompt', { prompt: '   ' }, 'prompt'],
    ['video format for an image', { output_format: 'mp4' as const }, 'output_format'],
    ['guidance_scale is not a pony parameter', { guidance_scale: 3 }, 'guidance_scale'],
    ['num_frames is not an image parameter', { num_frames: 81 }, 'num_frames'],
    ['type/model mismatch', { type: 'video' as const }, 'type'],
    ['mode not offered', { mode: 't2v' as const }, 'mode'],
  ])('%s', (_n, patch, path) => {
    expect(paths(rules({ ...pony, ...patch }))).toContain(path);
  });

  it('flux guidance 1…10, anisora guidance 1…2', () => {
    expect(paths(rules({ ...valid('flux', 'txt2img'), guidance_scale: 11 }))).toContain('guidance_scale');
    expect(paths(rules({ ...valid('flux', 'txt2img'), guidance_scale: 0.5 }))).toContain('guidance_scale');
    expect(paths(rules({ ...valid('anisora', 't2v'), guidance_scale: 0 }))).toContain('guidance_scale');
    expect(paths(rules({ ...valid('anisora', 't2v'), guidance_scale: 21 }))).toContain('guidance_scale');
  });

  it('video ranges: frames 16…161, fps 8/16/24, motion 0…5, strengths 0…1', () => {
    const a = valid('anisora', 'i2v');
    expect(paths(rules({ ...a, num_frames: 15 }))).toContain('num_frames');
    expect(paths(rules({ ...a, num_frames: 162 }))).toContain('num_frames');
    expect(paths(rules({ ...a, num_frames: 16 }))).toEqual([]);
    expect(paths(rules({ ...a, fps: 30 }))).toContain('fps');
    expect(paths(rules({ ...a, fps: 24 }))).toEqual([]);
    expect(paths(rules({ ...a, motion_score: 5.5 }))).toContain('motion_score');
    expect(paths(rules({ ...a, reference_strength: -0.1 }))).toContain('reference_strength');
    expect(paths(rules({ ...valid('phr00t', 't2v'), motion_score: 3 }))).toContain('motion_score');
    expect(paths(rules({ ...valid('phr00t', 't2v'), mode: 'arbitrary_frame' }))).toContain('mode');
  });

  it('fixed parameters: anisora steps 8; phr00t steps 4 and cfg 1.0', () => {
    expect(rules({ ...valid('anisora', 't2v'), steps: 8 }).fixed).toEqual([]);
    expect(rules({ ...valid('anisora', 't2v'), steps: 20 }).fixed.map((d) => d.path)).toEqual(['steps']);
    expect(rules({ ...valid('phr00t', 't2v'), steps: 8 }).fixed.map((d) => d.path)).toEqual(['steps']);
    expect(rules({ ...valid('phr00t', 't2v'), cfg_scale: 2 }).fixed.map((d) => d.path)).toEqual(['cfg_scale']);
    expect(rules({ ...valid('phr00t', 't2v'), steps: 4, cfg_scale: 1 }).fixed).toEqual([]);
  });

  it('reference images per mode', () => {
    const noRef = (model: ModelId, mode: Mode) => ({
      ...valid(model, mode),
      reference_image: undefined,
      first_frame_image: undefined,
      last_frame_image: undefined,
    });
    expect(paths(rules(noRef('anisora', 'i2v')))).toContain('reference_image');
    expect(paths(rules(noRef('anisora', 'arbitrary_frame')))).toContain('reference_image');
    expect(paths(rules(noRef('pony', 'img2img')))).toContain('reference_image');
    expect(paths(rules(noRef('phr00t', 'first_last_frame')))).toEqual(['first_frame_image']);
    // reference_image stands in for the first frame; the last frame is optional (seed guide)
    expect(paths(rules({ ...noRef('phr00t', 'first_last_frame'), reference_image: IMG }))).toEqual([]);
    expect(
      paths(rules({ ...noRef('phr00t', 'first_last_frame'), reference_image: IMG, last_frame_image: IMG })),
    ).toEqual([]);
    expect(paths(rules(noRef('anisora', 't2v')))).toEqual([]);
  });

  it('reference_frame_index only for arbitrary_frame and within the clip', () => {
    expect(paths(rules({ ...valid('anisora', 'i2v'), reference_frame_index: 8 }))).toContain('reference_frame_index');
    expect(
      paths(rules({ ...valid('anisora', 'arbitrary_frame'), num_frames: 33, reference_frame_index: 40 })),
    ).toContain('reference_frame_index');
    expect(paths(rules({ ...valid('anisora', 'arbitrary_frame'), num_frames: 33, reference_frame_index: 32 }))).toEqual(
      [],
    );
  });

  it('an operator may widen sizes', () => {
    expect(checkGenerateRules({ ...pony, width: 1536 }, { sizes: [512, 1024, 1536] }).invalid).toEqual([]);
  });
});

describe('resolution of defaults, frames and seeds', () => {
  it('frame rules round up: anisora 8k+1, phr00t 4k+1', () => {
    expect(resolveFrames(MODELS.anisora, 16)).toBe(17);
    expect(resolveFrames(MODELS.anisora, 81)).toBe(81);
    expect(resolveFrames(MODELS.anisora, 82)).toBe(89);
    expect(resolveFrames(MODELS.phr00t, 16)).toBe(17);
    expect(resolveFrames(MODELS.phr00t, 82)).toBe(85);
    expect(resolveFrames(MODELS.phr00t, 161)).toBe(161);
  });

  it('keyframe index: default last frame, snapped to multiples of 8', () => {
    expect(resolveReferenceFrameIndex(81, undefined)).toBe(80);
    expect(resolveReferenceFrameIndex(81, 37)).toBe(40);
    expect(resolveReferenceFrameIndex(81, 3)).toBe(0);
    expect(resolveReferenceFrameIndex(33, 31)).toBe(32);
    // halves go to the even multiple, as Python's round() in AniSora's image2video.py
    expect([4, 12, 20].map((i) => resolveReferenceFrameIndex(81, i))).toEqual([0, 16, 16]);
  });

  it('anisora guidance_scale stays near the official 1: 0 would ignore the prompt', () => {
    for (const bad of [0, 0.5, 2.5, 20])
      expect(paths(rules({ ...valid('anisora', 't2v'), guidance_scale: bad })), String(bad)).toEqual([
        'guidance_scale',
      ]);
    for (const ok of [1, 1.5, 2]) expect(paths(rules({ ...valid('anisora', 't2v'), guidance_scale: ok }))).toEqual([]);
  });

  it('video models also accept their native sizes (as pairs); image models do not', () => {
    for (const [width, height] of [
      [832, 480],
      [480, 832],
      [1280, 720],
      [720, 1280],
    ] as const) {
      expect(paths(rules({ ...valid('anisora', 't2v'), width, height }))).toEqual([]);
      expect(paths(rules({ ...valid('phr00t', 'i2v'), width, height }))).toEqual([]);
      expect(paths(rules({ ...valid('pony', 'txt2img'), width, height })).length).toBeGreaterThan(0);
    }
    expect(paths(rules({ ...valid('phr00t', 't2v'), width: 832, height: 512 }))).toEqual(['width']);
    expect(paths(rules({ ...valid('phr00t', 't2v'), width: 1280, height: 480 }))).toEqual(['width', 'height']);
    expect(MODELS.anisora.nativeFps).toBe(16);
    expect(MODELS.phr00t.nativeFps).toBe(16);
  });

  it('pony score-tag prefix: on by default, can be turned off, refused for other models', () => {
    expect(resolveGeneration(valid('pony', 'txt2img'), () => 1).score_prefix).toBe(true);
    expect(resolveGeneration({ ...valid('pony', 'img2img'), score_prefix: false }, () => 1).score_prefix).toBe(false);
    expect(resolveGeneration(valid('flux', 'txt2img'), () => 1).score_prefix).toBeUndefined();
    expect(paths(rules({ ...valid('flux', 'txt2img'), score_prefix: true }))).toEqual(['score_prefix']);
    expect(stage1({ ...valid('pony', 'txt2img'), score_prefix: 'yes' }).success).toBe(false);
  });

  it('seed −1 is resolved by the server; a batch uses seed, seed+1, …', () => {
    const r = resolveGeneration({ ...valid('pony', 'txt2img'), batch_size: 3 }, () => 1000);
    expect(r.seed).toBe(1000);
    expect(r.seeds).toEqual([1000, 1001, 1002]);
    expect(r.requested_seed).toBe(-1);
    const fixed = resolveGeneration({ ...valid('pony', 'txt2img'), seed: 7 }, () => 1000);
    expect(fixed.seed).toBe(7);
  });

  it('model defaults fill what the request left out', () => {
    const pony = resolveGeneration(valid('pony', 'txt2img'), () => 1);
    expect(pony).toMatchObject({
      steps: 30,
      cfg_scale: 6,
      clip_skip: 2,
      sampler: 'Euler a',
      output_format: 'png',
      batch_size: 1,
      negative_prompt: '',
    });
    const anisora = resolveGeneration({ ...valid('anisora', 't2v'), num_frames: 50 }, () => 1);
    expect(anisora).toMatchObject({
      steps: 8,
      guidance_scale: 1,
      fps: 16,
      motion_score: 3,
      num_frames: 57,
      requested_num_frames: 50,
      output_format: 'mp4',
    });
    const phr00t = resolveGeneration(valid('phr00t', 't2v'), () => 1);
    expect(phr00t).toMatchObject({ steps: 4, cfg_scale: 1, lighting_variant: 'low_noise', num_frames: 81 });
  });

  it('parameters without effect are reported, never dropped silently', () => {
    const r = resolveGeneration(
      { ...valid('pony', 'txt2img'), vae: 'Flux VAE', reference_image: IMG, denoising_strength: 0.5 },
      () => 1,
    );
    expect(r.ignored_params.map((i) => i.param).sort()).toEqual(['denoising_strength', 'reference_image', 'vae']);
    const own = resolveGeneration({ ...valid('pony', 'txt2img'), vae: 'Pony XL VAE' }, () => 1);
    expect(own.ignored_params).toEqual([]);
  });
});
