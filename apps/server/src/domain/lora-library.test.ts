import { describe, expect, it } from 'vitest';
import { mayUse, missingFiles, resolveLoras, withTriggerWords, type LoraEntry } from './lora-library.ts';

const entry = (over: Partial<LoraEntry>): LoraEntry => ({
  name: 'style',
  file: 'style.safetensors',
  roleFiles: {},
  family: 'sdxl',
  access: 'everyone',
  users: [],
  sha256: null,
  triggerWords: [],
  ...over,
});
const pony = { id: 'pony', loraFamily: 'sdxl' as const };

describe('the LoRA library (pure)', () => {
  it('access: everyone, the listed users, nobody for admins-only', () => {
    expect(mayUse(entry({}), 'u1')).toBe(true);
    expect(mayUse(entry({ access: 'users', users: ['u1'] }), 'u1')).toBe(true);
    expect(mayUse(entry({ access: 'users', users: ['u1'] }), 'u2')).toBe(false);
    expect(mayUse(entry({ access: 'admins' }), 'u1')).toBe(false);
  });

  it('resolves names to files, strengths, role files and the AutoV2 hash; trigger words only when asked', () => {
    const entries = new Map([
      ['style', entry({ triggerWords: ['ink wash', 'sumi-e'], sha256: 'abcdef0123456789'.repeat(4) })],
      ['pair', entry({ name: 'pair', file: 'p_high.safetensors', roleFiles: { low_noise: 'p_low.safetensors' } })],
    ]);
    const r = resolveLoras(
      [
        { name: 'style', strength: 0.8, add_trigger_words: true },
        { name: 'pair', strength: -1, strength_clip: 0.5 },
      ],
      entries,
      pony,
      'u1',
    );
    expect(r.invalid).toEqual([]);
    expect(r.loras).toEqual([
      { name: 'style', file: 'style.safetensors', strength: 0.8, family: 'sdxl', hash: 'abcdef0123' },
      {
        name: 'pair',
        file: 'p_high.safetensors',
        role_files: { low_noise: 'p_low.safetensors' },
        strength: -1,
        strength_clip: 0.5,
        family: 'sdxl',
      },
    ]);
    expect(r.triggerWords).toEqual(['ink wash', 'sumi-e']);
  });

  it('one 422 detail per offending entry; unknown and not allowed read the same', () => {
    const entries = new Map([
      ['flux-ink', entry({ name: 'flux-ink', family: 'flux' })],
      ['private', entry({ name: 'private', access: 'users', users: ['other'] })],
    ]);
    const r = resolveLoras(
      [
        { name: 'flux-ink', strength: 1 },
        { name: 'private', strength: 1 },
        { name: 'nope', strength: 1 },
      ],
      entries,
      pony,
      'u1',
    );
    expect(r.invalid.map((d) => d.path)).toEqual(['loras.0.name', 'loras.1.name', 'loras.2.name']);
    expect(r.invalid[0]?.message).toMatch(/flux LoRA; pony takes sdxl LoRAs/);
    expect(r.invalid[1]?.message.replace('private', 'X')).toBe(r.invalid[2]?.message.replace('nope', 'X'));
  });

  it('trigger words are appended once, not when the prompt has them', () => {
    expect(withTriggerWords('a cat', ['ink wash', 'Cat'])).toBe('a cat, ink wash');
    expect(withTriggerWords('a cat', [])).toBe('a cat');
  });

  it('a backend holds a LoRA only with every file', () => {
    const pair = entry({ file: 'h.safetensors', roleFiles: { low_noise: 'l.safetensors' } });
    expect(missingFiles(pair, ['h.safetensors'])).toEqual(['l.safetensors']);
    expect(missingFiles(pair, ['l.safetensors', 'h.safetensors'])).toEqual([]);
  });
});
