import { stemmer as russianStem } from '@orama/stemmers/russian';
import { stem as englishStem } from 'porter2';

export type Script = 'latin' | 'cyrillic' | 'other';

// Most prompts repeat a small vocabulary; a cache keeps stemming off the hot path. Cleared wholesale when full
// so a stream of unique words cannot grow it without bound.
const CACHE_LIMIT = 50_000;

/** Stems for matching every case and number form of a word to its lemma: Snowball Russian and English (Porter2). */
export class Stems {
  private readonly cache = new Map<string, string>();

  stem(text: string, script: Script): string {
    if (script === 'other' || text.length < 3) return text;
    const key = script === 'cyrillic' ? text : `l:${text}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const stem = script === 'cyrillic' ? russianStem(text) : englishStem(text);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, stem);
    return stem;
  }
}
