import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { LookAlikes } from './look-alikes.ts';
import { Stems } from './stems.ts';
import { WordReader } from './word-reader.ts';

const reader = new WordReader(new LookAlikes(confusables), new Stems());
const texts = (word: string): string[] => reader.read(word).map((f) => `${f.script}:${f.text}`);

describe('WordReader', () => {
  it('folds case and reads plain words in their own script, with their stem', () => {
    expect(reader.read('Kids')).toEqual([{ text: 'kids', script: 'latin', stem: 'kid' }]);
    expect(reader.read('ШКОЛЬНИЦУ')).toEqual([{ text: 'школьницу', script: 'cyrillic', stem: 'школьниц' }]);
  });

  it('keeps a mostly Cyrillic word Cyrillic ("ср" never becomes "cp")', () => {
    expect(texts('Средневековый')).toEqual(['cyrillic:средневековый']);
    expect(texts('среди')).toEqual(['cyrillic:среди']);
    expect(texts('ср')).toEqual(['cyrillic:ср']);
  });

  it('reads a Latin word with one Greek or Cyrillic letter as Latin', () => {
    expect(texts('sch\u03bfolgirl')[0]).toBe('latin:schoolgirl'); // Greek omicron
    expect(texts('nud\u0435')[0]).toBe('latin:nude'); // Cyrillic е
    expect(texts('ch\u0456ld')[0]).toBe('latin:child'); // Cyrillic і
  });

  it('reads a Russian word with Latin look-alikes as Russian', () => {
    expect(texts('г\u006fлая')[0]).toBe('cyrillic:голая');
    expect(texts('д\u0065в\u006fчк\u0061')[0]).toBe('cyrillic:девочка');
  });

  it('reads a tie both ways', () => {
    expect(texts('\u0441p')).toEqual(['latin:cp', 'cyrillic:ср']);
  });

  it('adds the other script when every letter is a look-alike of it (3 letters or more)', () => {
    expect(texts('\u0455\u0435\u0445\u0443')).toContain('latin:sexy');
    expect(texts('cekc')).toEqual(['latin:cekc', 'cyrillic:секс']);
    expect(texts('сор')).toEqual(['cyrillic:сор', 'latin:cop']);
  });

  it('maps leetspeak inside words that contain letters, with both readings of ambiguous digits', () => {
    expect(texts('ch1ld')).toEqual(['latin:ch1ld', 'latin:child', 'latin:chlld']);
    expect(texts('n@ked')).toContain('latin:naked');
    expect(texts('$exy')).toContain('latin:sexy');
    expect(texts('г0лая')).toContain('cyrillic:голая');
    expect(texts('д3вочка')).toContain('cyrillic:девочка');
  });

  it('drops marks, reads ё as е, and accented Latin letters as plain ones', () => {
    expect(texts('обнажённая')).toEqual(['cyrillic:обнаженная']);
    expect(texts('го\u0301лая')).toEqual(['cyrillic:голая']); // stress mark
    expect(texts('nüde')[0]).toBe('latin:nude');
  });

  it('leaves other scripts alone', () => {
    expect(texts('東京')).toEqual(['other:東京']);
  });
});
