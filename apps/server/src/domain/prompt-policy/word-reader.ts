import { Char, charKind, type CharKind } from './char-classes.ts';
import type { LookAlikes } from './look-alikes.ts';
import type { Script, Stems } from './stems.ts';

/**
 * One way to read a word: lower case, look-alikes folded into one script, marks dropped, "ё" read as "е". The first
 * form is the word as written, in the script most of its letters are in; the others are readings that may reveal
 * a disguised term: leetspeak, and the whole word in the other script when every letter has a look-alike there.
 */
export interface WordForm {
  readonly text: string;
  readonly script: Script;
  /** English or Russian stem of `text` (the text itself for other scripts and short words) */
  readonly stem: string;
}

// Leetspeak inside a word: digits and symbols standing for letters. Two tables where one character has two
// common readings (1 → i or l; in Russian 3 → е or з, 4 → ч or а).
const LEET_LATIN: ReadonlyArray<Readonly<Record<string, string>>> = [
  { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '6': 'b', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's' },
  { '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '6': 'g', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's' },
];
const LEET_CYRILLIC: ReadonlyArray<Readonly<Record<string, string>>> = [
  { '0': 'о', '3': 'е', '4': 'ч', '6': 'б', '8': 'в', '@': 'а' },
  { '0': 'о', '3': 'з', '4': 'а', '6': 'б', '8': 'в', '@': 'а' },
];

const PLAIN_LATIN = /^[a-z]+$/;
const PLAIN_RUSSIAN = /^[а-яё]+$/;
const CACHE_LIMIT = 20_000;
/** shorter words are not read in the other script: Russian "ср" (Wednesday) is not Latin "cp" */
const MIN_CROSS_SCRIPT = 3;

/** Reads one word (letters, maybe digits or leet symbols) into the forms the term index looks up. */
export class WordReader {
  // prompts reuse a small vocabulary: each distinct word is read once (bounded, cleared when full)
  private readonly cache = new Map<string, readonly WordForm[]>();

  constructor(
    private readonly lookAlikes: LookAlikes,
    private readonly stems: Stems,
  ) {}

  read(word: string): readonly WordForm[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const forms = this.uncached(word);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, forms);
    return forms;
  }

  private uncached(word: string): WordForm[] {
    const lower = word.toLowerCase();
    // fast paths for the common words: all plain Latin or all Russian letters
    if (PLAIN_LATIN.test(lower)) return this.single(lower, 'latin', 'cyrillic');
    if (PLAIN_RUSSIAN.test(lower)) return this.single(lower.replaceAll('ё', 'е'), 'cyrillic', 'latin');
    return this.mixed(word);
  }

  /** a word in one script, and its reading in the other when every letter has a look-alike there ("cekc") */
  private single(text: string, script: Script, other: Script): WordForm[] {
    const forms: WordForm[] = [];
    this.add(forms, text, script);
    if (text.length < MIN_CROSS_SCRIPT) return forms;
    let alt = '';
    for (const ch of text) {
      const c = other === 'cyrillic' ? this.lookAlikes.toCyrillic(ch) : this.lookAlikes.toLatin(ch);
      if (!c) return forms;
      alt += c;
    }
    this.add(forms, alt, other);
    return forms;
  }

  private mixed(word: string): WordForm[] {
    let latin = 0;
    let cyrillic = 0;
    let other = 0;
    let leet = false;
    const chars: string[] = [];
    const kinds: CharKind[] = [];
    for (const ch of word) {
      const kind = charKind(ch.codePointAt(0) ?? 0);
      chars.push(ch);
      kinds.push(kind);
      if (kind === Char.Latin) latin++;
      else if (kind === Char.Cyrillic) cyrillic++;
      else if (kind === Char.Greek || kind === Char.OtherLetter) other++;
      else if (kind === Char.Digit || kind === Char.Leet) leet = true;
    }

    const forms: WordForm[] = [];
    // each reading twice: look-alikes judged by their own case, then by their other case ("cηild" → "child")
    for (const otherCase of [false, true]) {
      const read = (script: Script, completeOnly: boolean): string | undefined =>
        this.reading(chars, kinds, script, completeOnly, otherCase);
      if (latin === 0 && cyrillic === 0 && other > 0) {
        this.add(forms, read('other', false) as string, 'other');
      } else {
        // the majority script is the word as written (both on a tie: "сp" may be either)
        if (latin >= cyrillic) this.add(forms, read('latin', false) as string, 'latin');
        if (cyrillic >= latin) this.add(forms, read('cyrillic', false) as string, 'cyrillic');
      }
      // a word spelled entirely in look-alikes of the other script ("ѕеху" in Cyrillic letters)
      for (const script of ['latin', 'cyrillic'] as const) {
        const complete = read(script, true);
        if (complete !== undefined) this.add(forms, complete, script);
      }
    }
    if (leet) {
      for (const f of [...forms]) {
        if (f.script === 'other') continue;
        for (const table of f.script === 'latin' ? LEET_LATIN : LEET_CYRILLIC) {
          this.add(forms, mapChars(f.text, table), f.script);
        }
      }
    }
    return forms;
  }

  /**
   * The word read in `script`: look-alikes mapped, marks dropped, lower case, "ё" as "е". With `completeOnly`,
   * undefined unless every letter (at least MIN_CROSS_SCRIPT) is native to the script or has a look-alike in it.
   */
  private reading(
    chars: readonly string[],
    kinds: readonly CharKind[],
    script: Script,
    completeOnly: boolean,
    otherCase: boolean,
  ): string | undefined {
    let text = '';
    let letters = 0;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] as string;
      const kind = kinds[i];
      if (kind === Char.Mark) continue;
      if (kind === Char.Digit || kind === Char.Leet || kind === Char.OtherNumber || kind === Char.Punct) {
        text += ch;
        continue;
      }
      letters++;
      let mapped: string | undefined;
      if (script === 'latin') {
        mapped = kind === Char.Latin && ch < '\u0080' ? ch : this.lookAlikes.toLatin(ch, otherCase);
      } else if (script === 'cyrillic') {
        mapped = kind === Char.Cyrillic ? ch : this.lookAlikes.toCyrillic(ch, otherCase);
      }
      if (mapped === undefined) {
        if (completeOnly) return undefined;
        mapped = ch;
      }
      text += mapped;
    }
    if (completeOnly && letters < MIN_CROSS_SCRIPT) return undefined;
    text = text.toLowerCase();
    return script === 'cyrillic' ? text.replaceAll('ё', 'е') : text;
  }

  private add(forms: WordForm[], text: string, script: Script): void {
    for (const f of forms) if (f.text === text && f.script === script) return;
    forms.push({ text, script, stem: this.stems.stem(text, script) });
  }
}

function mapChars(text: string, table: Readonly<Record<string, string>>): string {
  let out = '';
  for (const ch of text) out += table[ch] ?? ch;
  return out;
}
