import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { LookAlikes } from './look-alikes.ts';

const lookAlikes = new LookAlikes(confusables);

describe('LookAlikes (from the Unicode confusables data)', () => {
  it('reads Cyrillic and Greek look-alikes as Latin letters', () => {
    const pairs: Array<[string, string]> = [
      ['а', 'a'],
      ['е', 'e'],
      ['о', 'o'],
      ['р', 'p'],
      ['с', 'c'],
      ['х', 'x'],
      ['у', 'y'],
      ['і', 'i'],
      ['К', 'k'],
      ['к', 'k'],
      ['М', 'm'],
      ['Н', 'h'],
      ['Т', 't'],
      ['В', 'b'],
      ['ο', 'o'],
      ['Ο', 'o'],
      ['α', 'a'],
      ['ι', 'i'],
      ['Ι', 'i'],
      ['Κ', 'k'],
      ['Ε', 'e'],
      ['ν', 'v'],
    ];
    for (const [from, to] of pairs) expect(lookAlikes.toLatin(from), from).toBe(to);
  });

  it('reads accented and other Latin letters as their plain letter', () => {
    for (const [from, to] of [
      ['é', 'e'],
      ['ü', 'u'],
      ['ñ', 'n'],
      ['ɑ', 'a'],
      ['ı', 'i'],
      ['ɡ', 'g'],
    ]) {
      expect(lookAlikes.toLatin(from as string), from).toBe(to);
    }
  });

  it('reads Latin and Greek look-alikes as Russian letters, case by case', () => {
    const pairs: Array<[string, string]> = [
      ['a', 'а'],
      ['e', 'е'],
      ['o', 'о'],
      ['p', 'р'],
      ['c', 'с'],
      ['x', 'х'],
      ['y', 'у'],
      ['A', 'а'],
      ['K', 'к'],
      ['k', 'к'],
      ['M', 'м'],
      ['H', 'н'],
      ['T', 'т'],
      ['B', 'в'],
      ['ο', 'о'],
    ];
    for (const [from, to] of pairs) expect(lookAlikes.toCyrillic(from), from).toBe(to);
  });

  it('has no reading for letters without a look-alike', () => {
    for (const ch of ['д', 'ж', 'я', 'ш']) expect(lookAlikes.toLatin(ch), ch).toBeUndefined();
    for (const ch of ['d', 'f', 'n', 'q', 'z']) expect(lookAlikes.toCyrillic(ch), ch).toBeUndefined();
    expect(lookAlikes.toLatin('a')).toBeUndefined(); // ASCII letters are already Latin
    expect(lookAlikes.toCyrillic('д')).toBeUndefined(); // and Cyrillic ones already Cyrillic
  });
});
