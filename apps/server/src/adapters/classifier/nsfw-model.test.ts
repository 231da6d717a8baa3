import { describe, expect, it } from 'vitest';
import { buildFrameSampleArgs, splitRawFrames } from './classifier-input.ts';
import { evenlySpacedFrames, explicitScore, modelInputSize, scoresFromPredictions } from './nsfw-model.ts';

describe('scoresFromPredictions', () => {
  it('maps the five nsfwjs classes and clamps to 0..1', () => {
    const scores = scoresFromPredictions([
      { className: 'Neutral', probability: 0.9 },
      { className: 'Drawing', probability: 0.07 },
      { className: 'Hentai', probability: 0.02 },
      { className: 'Porn', probability: 0.01 },
      { className: 'Sexy', probability: -1e-9 },
    ]);
    expect(scores).toEqual({ neutral: 0.9, drawing: 0.07, hentai: 0.02, porn: 0.01, sexy: 0 });
    expect(explicitScore(scores)).toBeCloseTo(0.03);
  });

  it('counts a missing class as 0 and refuses an unknown one', () => {
    expect(scoresFromPredictions([{ className: 'Neutral', probability: 1 }]).porn).toBe(0);
    expect(() => scoresFromPredictions([{ className: 'Cat', probability: 1 }])).toThrow(/unknown/);
  });
});

describe('evenlySpacedFrames', () => {
  it('takes the centre of each equal slice', () => {
    expect(evenlySpacedFrames(81, 4)).toEqual([10, 30, 50, 70]);
    expect(evenlySpacedFrames(8, 4)).toEqual([1, 3, 5, 7]);
  });

  it('takes every frame of a clip shorter than the count, and nothing of an empty one', () => {
    expect(evenlySpacedFrames(3, 4)).toEqual([0, 1, 2]);
    expect(evenlySpacedFrames(0, 4)).toEqual([]);
  });

  it('gives strictly rising indices inside the clip for any length', () => {
    for (let total = 1; total < 300; total++) {
      for (const n of [4, 5, 16]) {
        const idx = evenlySpacedFrames(total, n);
        expect(idx.length).toBe(Math.min(total, n));
        idx.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThan(total);
          if (i > 0) expect(v).toBeGreaterThan(idx[i - 1] ?? -1);
        });
      }
    }
  });
});

describe('frame sampling arguments', () => {
  it('selects the frames by index, scales to the model size and writes raw RGB to stdout', () => {
    const args = buildFrameSampleArgs('/data/media/a b.mp4', [10, 30], 224);
    expect(args).toContain('file:/data/media/a b.mp4');
    expect(args[args.indexOf('-vf') + 1]).toBe('select=eq(n\\,10)+eq(n\\,30),scale=224:224:flags=bicubic,format=rgb24');
    expect(args.slice(-5)).toEqual(['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    expect(modelInputSize('InceptionV3')).toBe(299);
  });

  it('refuses bad indices and sizes before anything runs', () => {
    expect(() => buildFrameSampleArgs('x.mp4', [], 224)).toThrow(RangeError);
    expect(() => buildFrameSampleArgs('x.mp4', [-1], 224)).toThrow(RangeError);
    expect(() => buildFrameSampleArgs('x.mp4', [1.5], 224)).toThrow(RangeError);
    expect(() => buildFrameSampleArgs('x.mp4', [1], 4096)).toThrow(RangeError);
  });

  it('splits raw output into whole frames and refuses a partial one', () => {
    const frame = 16 * 16 * 3;
    const frames = splitRawFrames(Buffer.alloc(frame * 3, 7), 16);
    expect(frames).toHaveLength(3);
    expect(frames[2]?.length).toBe(frame);
    expect(() => splitRawFrames(Buffer.alloc(frame + 1), 16)).toThrow(/whole/);
  });
});
