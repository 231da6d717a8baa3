import { describe, expect, it } from 'vitest';
import { PromptPolicy } from './prompt-policy.ts';

// a small vocabulary: the tokenizer cuts spaced-out runs into the words the policy knows
const policy = new PromptPolicy({ minor: ['child', 'little girl'], sexual: ['nude', 'голая'], always: [] });
const words = (text: string): string[] => policy.tokenize(text).map((t) => t.forms[0]?.text ?? '');

describe('Tokenizer', () => {
  it('splits on real word boundaries: spaces, punctuation, hyphens, apostrophes', () => {
    expect(words('A red-fox, in the "snow"!')).toEqual(['a', 'red', 'fox', 'in', 'the', 'snow']);
    expect(words("children's book")).toEqual(['children', 's', 'book']);
    expect(words('kidney-shaped pool')).toEqual(['kidney', 'shaped', 'pool']);
  });

  it('keeps numbers as numbers: no leetspeak on free-standing digits', () => {
    const tokens = policy.tokenize('model 3, 1080p, 4k, 16:9');
    expect(tokens.map((t) => t.value)).toEqual([undefined, 3, 1080, undefined, 4, undefined, 16, 9]);
    expect(words('model 3')).toEqual(['model', '3']);
  });

  it('splits digits from the letters written after them, marking the letters attached', () => {
    const tokens = policy.tokenize('14yo 5th');
    expect(tokens.map((t) => [t.forms[0]?.text, t.value, t.attached])).toEqual([
      ['14', 14, false],
      ['yo', undefined, true],
      ['5', 5, false],
      ['th', undefined, true],
    ]);
    expect(words('14-летняя')).toEqual(['14', 'летняя']);
  });

  it('keeps the separator before each token (decimals and ranges)', () => {
    expect(policy.tokenize('14.5 12-14').map((t) => t.gap)).toEqual(['', '.', ' ', '-']);
  });

  it('rejoins letters spaced out one by one, with spaces, dots, hyphens or underscores', () => {
    expect(words('n u d e child')).toEqual(['nude', 'child']);
    expect(words('n.u.d.e c-h-i-l-d')).toEqual(['nude', 'child']);
    expect(words('n_u_d_e')).toEqual(['nude']);
    expect(words('г о л а я')).toEqual(['голая']);
    expect(words('14 y.o.')).toEqual(['14', 'yo']);
  });

  it('cuts a run that spaces out several words into the known words', () => {
    expect(words('a n u d e c h i l d')).toEqual(['a', 'nude', 'child']);
    expect(words('n u d e l i t t l e g i r l')).toEqual(['nude', 'little', 'girl']);
    expect(words('1 4 y o')).toEqual(['14', 'yo']);
  });

  it('ends a run at a comma or a wide gap, and leaves unknown runs whole', () => {
    expect(words('a b, c d')).toEqual(['ab', 'cd']);
    expect(words('ages 3-5, 1 2 3')).toEqual(['ages', '3', '5', '1', '2', '3']);
    expect(words('U.S.A. trip')).toEqual(['usa', 'trip']);
  });

  it('reads a single digit between spaced letters as leetspeak', () => {
    expect(policy.tokenize('c h 1 l d').map((t) => t.forms.map((f) => f.text))).toEqual([['ch1ld', 'child', 'chlld']]);
    expect(words('a 5 y o')).toEqual(['a', '5', 'yo']);
  });

  it('keeps leet symbols inside words only', () => {
    expect(words('n@ked $ex, price $5, mail@')).toEqual(['n@ked', '$ex', 'price', '5', 'mail']);
  });

  // its speed is measured by `npm run bench` (policy bench: spaced-out prompt), not asserted here
  it('reads a long spaced-out prompt to the end', () => {
    const long = 'n u d e c h i l d '.repeat(250).slice(0, 4000);
    expect(policy.check(long).allowed).toBe(false);
  });
});
