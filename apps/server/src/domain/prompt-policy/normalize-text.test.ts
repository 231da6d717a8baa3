import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize-text.ts';

describe('normalizeText', () => {
  it('leaves plain ASCII alone (the fast path)', () => {
    expect(normalizeText('A red fox, 4k')).toBe('A red fox, 4k');
  });

  it('drops format characters (category Cf) and other invisible code points', () => {
    expect(normalizeText('nu\u2063de')).toBe('nude'); // invisible separator
    expect(normalizeText('n\u200bu\u200cd\u200de')).toBe('nude'); // zero-width space, non-joiner, joiner
    expect(normalizeText('\ufeffna\u00adked')).toBe('naked'); // BOM, soft hyphen
    expect(normalizeText('a\u2060b\u2061c\u202ed')).toBe('abcd'); // word joiner, function application, bidi override
    expect(normalizeText('го\u2063лая')).toBe('голая');
    expect(normalizeText('x\ufe0fy\u3164z')).toBe('xyz'); // variation selector, Hangul filler (default-ignorable)
  });

  it('folds compatibility forms with NFKC: full-width, mathematical letters, ligatures, superscripts', () => {
    expect(normalizeText('\uff4e\uff55\uff44\uff45 \uff11\uff14')).toBe('nude 14');
    expect(normalizeText('\u{1d427}\u{1d42e}\u{1d41d}\u{1d41e}')).toBe('nude');
    expect(normalizeText('\ufb01ve')).toBe('five');
    expect(normalizeText('x\u00b2')).toBe('x2');
  });

  it('keeps Cyrillic letters and their composed forms (й, ё)', () => {
    expect(normalizeText('Средневековый замок, ёлка')).toBe('Средневековый замок, ёлка');
    expect(normalizeText('и\u0306')).toBe('й');
  });
});
