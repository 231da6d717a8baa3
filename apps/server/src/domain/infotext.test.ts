import { describe, expect, it } from 'vitest';
import { resolvedParams } from '#test/factories.ts';
import { buildInfotext } from './infotext.ts';

describe('A1111 infotext with LoRAs', () => {
  it('carries <lora:name:strength> tags after the prompt and the Lora hashes it knows', () => {
    const text = buildInfotext(
      {
        ...resolvedParams(),
        prompt: 'a fox in snow',
        loras: [
          { name: 'style', file: 'style.safetensors', strength: 0.8, family: 'sdxl', hash: 'abcdef0123' },
          { name: 'detail', file: 'detail.safetensors', strength: -0.5, strength_clip: 0.25, family: 'sdxl' },
        ],
      },
      7,
    );
    const [first] = text.split('\n');
    expect(first).toBe('a fox in snow <lora:style:0.8> <lora:detail:0.25:-0.5>');
    expect(text.split('\n').at(-1)).toMatch(/, Lora hashes: "style: abcdef0123"$/);
  });

  it('without LoRAs: no tags, no hashes', () => {
    const text = buildInfotext({ ...resolvedParams(), prompt: 'a fox in snow' }, 7);
    expect(text).not.toMatch(/<lora:|Lora hashes/);
  });
});
