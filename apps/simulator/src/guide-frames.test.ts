import { describe, expect, it } from 'vitest';
import { conditioningGuides, imageFrames, maskValues, unusableConditioning } from './guide-frames.ts';
import type { Graph } from './graph-validation.ts';
import { filesOfOtherModels, loadModelTraits } from './node-catalog.ts';

const MEGA = 'wan2.2-rapid-mega-aio-nsfw-v12.2.safetensors';
const ANISORA = 'Wan2_2-I2V_AniSoraV3_2_HIGH_14B_fp8_e4m3fn_scaled_KJ.safetensors';
const conditioning = loadModelTraits().conditioning;

/** A sampler fed by a conditioning node and a model file: enough graph for the checks. */
function sampled(cond: Graph[string], file: string, extra: Graph = {}): Graph {
  return {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: file } },
    '2': { class_type: 'ModelSamplingSD3', inputs: { model: ['1', 0], shift: 8 } },
    '5': cond,
    '6': {
      class_type: 'KSampler',
      inputs: { model: ['2', 0], positive: ['5', 0], negative: ['5', 1], latent_image: ['5', 2] },
    },
    '20': { class_type: 'LoadImage', inputs: { image: 'first.png' } },
    '21': { class_type: 'LoadImage', inputs: { image: 'last.png' } },
    ...extra,
  };
}

describe('guide frames (WanVaceToVideo semantics of ComfyUI 0.3.64)', () => {
  it('a first/last control video built from core batch nodes keeps frames 0 and N−1', () => {
    const n = 17;
    const g = sampled(
      {
        class_type: 'WanVaceToVideo',
        inputs: { length: n, strength: 0.9, control_video: ['26', 0], control_masks: ['31', 0] },
      },
      MEGA,
      {
        '24': { class_type: 'EmptyImage', inputs: { batch_size: n - 2, color: 0x7f7f7f } },
        '25': { class_type: 'ImageBatch', inputs: { image1: ['20', 0], image2: ['24', 0] } },
        '26': { class_type: 'ImageBatch', inputs: { image1: ['25', 0], image2: ['21', 0] } },
        '27': { class_type: 'EmptyImage', inputs: { batch_size: 1, color: 0 } },
        '28': { class_type: 'EmptyImage', inputs: { batch_size: n - 2, color: 0xffffff } },
        '29': { class_type: 'ImageBatch', inputs: { image1: ['27', 0], image2: ['28', 0] } },
        '30': { class_type: 'ImageBatch', inputs: { image1: ['29', 0], image2: ['27', 0] } },
        '31': { class_type: 'ImageToMask', inputs: { image: ['30', 0], channel: 'red' } },
      },
    );
    expect(imageFrames(g, ['26', 0])).toHaveLength(n);
    expect(maskValues(g, ['31', 0])).toEqual([0, ...Array<number>(n - 2).fill(1), 0]);
    expect(conditioningGuides(g, '5', n)).toEqual([
      { frame: 0, file: 'first.png' },
      { frame: n - 1, file: 'last.png' },
    ]);
    expect(unusableConditioning(g, conditioning).size).toBe(0);
    // strength 0 applies no control at all
    g['5']!.inputs.strength = 0;
    expect(conditioningGuides(g, '5', n)).toEqual([]);
  });

  it('a one-frame control video and mask are padded (grey, 1): only frame 0 is kept', () => {
    const g = sampled(
      {
        class_type: 'WanVaceToVideo',
        inputs: { length: 33, strength: 1, control_video: ['20', 0], control_masks: ['23', 0] },
      },
      MEGA,
      { '23': { class_type: 'SolidMask', inputs: { value: 0, width: 64, height: 64 } } },
    );
    expect(conditioningGuides(g, '5', 33)).toEqual([{ frame: 0, file: 'first.png' }]);
    // without a mask every frame is generated: the control video guides nothing
    delete g['5']!.inputs.control_masks;
    expect(conditioningGuides(g, '5', 33)).toEqual([]);
  });

  it('I2V nodes: start image at 0, end image last, the keyframe snapped like AniSora', () => {
    const flf = sampled(
      { class_type: 'WanFirstLastFrameToVideo', inputs: { length: 81, start_image: ['20', 0], end_image: ['21', 0] } },
      ANISORA,
    );
    expect(conditioningGuides(flf, '5', 81)).toEqual([
      { frame: 0, file: 'first.png' },
      { frame: 80, file: 'last.png' },
    ]);
    const key = sampled(
      { class_type: 'MediaGenWanKeyframeToVideo', inputs: { length: 81, image: ['20', 0], frame_index: 36 } },
      ANISORA,
    );
    expect(conditioningGuides(key, '5', 81)).toEqual([{ frame: 32, file: 'first.png' }]);
    expect(unusableConditioning(key, conditioning).size).toBe(0);
  });

  it('flags image conditioning a checkpoint cannot use: WanImageToVideo on the VACE Mega file, VACE on an I2V model', () => {
    const i2vOnVace = sampled({ class_type: 'WanImageToVideo', inputs: { length: 17, start_image: ['20', 0] } }, MEGA);
    expect([...unusableConditioning(i2vOnVace, conditioning).values()]).toEqual([
      expect.stringMatching(/^WanImageToVideo \(node 5\) .* is a VACE checkpoint .*ComfyUI drops the images/),
    ]);
    const vaceOnI2v = sampled(
      { class_type: 'WanVaceToVideo', inputs: { length: 17, control_video: ['20', 0] } },
      ANISORA,
    );
    expect([...unusableConditioning(vaceOnI2v, conditioning).values()]).toEqual([
      expect.stringMatching(/^WanVaceToVideo \(node 5\) needs a VACE model/),
    ]);
  });

  it("SIM_MODELS keeps only the listed models' files (shared files stay)", () => {
    const traits = loadModelTraits();
    const absent = filesOfOtherModels(traits, ['pony']);
    expect(absent).toContain(MEGA);
    expect(absent).not.toContain('ponyDiffusionV6XL_v6StartWithThisOne.safetensors');
    expect(filesOfOtherModels({ models: { a: ['x', 'shared'], b: ['shared', 'y'] }, conditioning: {} }, ['a'])).toEqual(
      ['y'],
    );
  });
});
