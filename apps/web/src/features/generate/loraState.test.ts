import { describe, expect, it } from 'vitest';
import { buildPayload, fromParameters, initialForm, withModel } from './formState.ts';
import { lorasFromParameters, toggleLora } from './loraState.ts';

describe('LoRAs in the form', () => {
  const pony = withModel(initialForm(), 'pony');

  it('the payload carries picked LoRAs; none picked sends no field', () => {
    expect(buildPayload({ ...pony, prompt: 'x' })).not.toHaveProperty('loras');
    const picked = { ...pony, prompt: 'x', loras: [{ name: 'ink', strength: 0.5 }] };
    expect(buildPayload(picked).loras).toEqual([{ name: 'ink', strength: 0.5 }]);
  });

  it('a model of another family drops them; the same family keeps them', () => {
    const s = { ...pony, loras: [{ name: 'ink', strength: 1 }] };
    expect(withModel(s, 'flux').loras).toEqual([]);
    expect(withModel(withModel(initialForm(), 'anisora'), 'phr00t').loras ?? []).toEqual([]);
    const wan = { ...withModel(initialForm(), 'anisora'), loras: [{ name: 'motion', strength: 1 }] };
    expect(withModel(wan, 'phr00t').loras).toEqual([{ name: 'motion', strength: 1 }]);
  });

  it('recall restores LoRAs from parameters (a task, a dropped file) and clears them when there are none', () => {
    const restored = fromParameters(pony, {
      model: 'pony',
      prompt: 'a',
      loras: [{ name: 'ink', strength: 0.7, strength_clip: 0.2, file: 'ink.safetensors' }],
    });
    expect(restored.loras).toEqual([{ name: 'ink', strength: 0.7, strength_clip: 0.2 }]);
    expect(fromParameters(restored, { model: 'pony', prompt: 'b' }).loras).toEqual([]);
  });

  it('reads stored data defensively and keeps at most 4', () => {
    expect(lorasFromParameters('x')).toEqual([]);
    expect(lorasFromParameters([{ name: 5 }, null, { name: 'a', strength: 1 }])).toEqual([{ name: 'a', strength: 1 }]);
    let list = toggleLora([], 'a', 1);
    for (const n of ['b', 'c', 'd', 'e']) list = toggleLora(list, n, 1);
    expect(list.map((l) => l.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(toggleLora(list, 'b', 1).map((l) => l.name)).toEqual(['a', 'c', 'd']);
  });
});
