import { Char, charKind, isLetter, isWordChar } from './char-classes.ts';
import type { Script } from './stems.ts';
import type { WordForm, WordReader } from './word-reader.ts';

export interface Token {
  /** the readings of the word, the word as written first */
  readonly forms: readonly WordForm[];
  /** a free-standing number written in digits */
  readonly value: number | undefined;
  /** the separator text before the token ("." in "14.5", "-" in "12-14") */
  readonly gap: string;
  /** letters written straight after digits ("yo" in "14yo", "th" in "5th") */
  readonly attached: boolean;
}

/** Words the classifier knows, to cut a spaced-out run ("a n u d e c h i l d") back into words. */
export interface Vocabulary {
  isKnown(text: string, script: Script): boolean;
  /** lengths of the known words that start at text[i] */
  wordsAt(text: string, i: number, script: Script): number[];
}

interface RawWord {
  text: string;
  gap: string;
  /** the gap has a comma, a line break or a bracket: a spaced-out run ends there */
  gapBreaks: boolean;
  /** one letter or one digit */
  single: boolean;
}

const DIGITS_THEN_LETTERS = /^(\d+)(\p{L}[\p{L}\p{M}]*)$/u;
const ONLY_DIGITS = /^\d+$/;
const CHUNKS = /\d+|\D+/g;
const HAS_DIGIT = /\d/;
/** letters that start an age unit after a number: "1 4 y o", "5 л е т" */
const AGE_UNIT_START = /^(y|л|г|m)/;
/** a spaced-out run: single characters apart by white space, or by at most this many other characters */
const MAX_RUN_GAP = 3;
/** the longest run cut into words as a whole */
const MAX_RUN = 120;

/** Splits normalised text into word tokens: real word boundaries, numbers apart, spaced-out letters rejoined. */
export class Tokenizer {
  constructor(
    private readonly reader: WordReader,
    private readonly vocabulary: Vocabulary,
  ) {}

  tokenize(text: string): Token[] {
    const raw = scan(text);
    const tokens: Token[] = [];
    for (let i = 0; i < raw.length;) {
      const first = raw[i] as RawWord;
      let end = i + 1;
      if (first.single) {
        while (end < raw.length) {
          const next = raw[end] as RawWord;
          if (!next.single || next.gapBreaks || (next.gap.length > MAX_RUN_GAP && next.gap.trim())) break;
          end++;
        }
      }
      // digits alone are not spelled out ("ages 3-5", "1 2 3"): only runs with letters are ("1 4 y o")
      if (end - i >= 2 && raw.slice(i, end).every((w) => ONLY_DIGITS.test(w.text))) end = i + 1;
      if (end - i >= 2) {
        const joined = raw
          .slice(i, end)
          .map((w) => w.text)
          .join('');
        this.run(joined, first.gap, tokens);
      } else {
        this.word(first.text, first.gap, tokens);
      }
      i = end;
    }
    return tokens;
  }

  private word(text: string, gap: string, out: Token[]): void {
    const first = text.charCodeAt(0);
    if (first < 0x30 || first > 0x39) {
      out.push({ forms: this.reader.read(text), value: undefined, gap, attached: false });
      return;
    }
    const split = DIGITS_THEN_LETTERS.exec(text);
    if (split) {
      const digits = split[1] as string;
      out.push(numberToken(digits, gap));
      let forms = this.reader.read(split[2] as string);
      // "3xplicit": a digit or two in front may be leetspeak rather than a number
      if (digits.length <= 2) {
        forms = [...forms, ...this.reader.read(text).filter((f) => !forms.some((g) => g.text === f.text))];
      }
      out.push({ forms, value: undefined, gap: '', attached: true });
      return;
    }
    if (ONLY_DIGITS.test(text)) {
      out.push(numberToken(text, gap));
      return;
    }
    out.push({ forms: this.reader.read(text), value: undefined, gap, attached: false });
  }

  /** letters spaced out one by one: digits stand apart, letters are cut into known words where possible */
  private run(joined: string, gap: string, out: Token[]): void {
    let first = true;
    let afterDigits = false;
    for (const chunk of leetChunks(joined.match(CHUNKS) ?? [])) {
      const chunkGap = first ? gap : '';
      first = false;
      if (ONLY_DIGITS.test(chunk)) {
        out.push(numberToken(chunk, chunkGap));
        afterDigits = true;
        continue;
      }
      for (let at = 0; at < chunk.length; at += MAX_RUN) {
        this.pieces(chunk.slice(at, at + MAX_RUN), at === 0 ? chunkGap : '', afterDigits && at === 0, out);
      }
      afterDigits = false;
    }
  }

  private pieces(letters: string, gap: string, attached: boolean, out: Token[]): void {
    const forms = this.reader.read(letters);
    // cut the leetspeak reading when there is one ("nud3ch1ld" → "nudechild")
    const primary = forms.find((f) => !HAS_DIGIT.test(f.text)) ?? forms[0];
    const cut = primary && !this.vocabulary.isKnown(primary.text, primary.script) ? this.cut(primary) : [];
    if (cut.length < 2) {
      out.push({ forms, value: undefined, gap, attached });
      return;
    }
    cut.forEach((piece, k) => {
      out.push({
        forms: this.reader.read(piece),
        value: undefined,
        gap: k === 0 ? gap : ' ',
        attached: attached && k === 0,
      });
    });
  }

  /** the cut of `form` into pieces that covers the most letters with known words (dynamic programming) */
  private cut(form: WordForm): string[] {
    const text = form.text;
    const n = text.length;
    const cost = new Float64Array(n + 1).fill(Infinity);
    const from = new Int32Array(n + 1);
    const known = new Uint8Array(n + 1);
    cost[0] = 0;
    for (let i = 0; i < n; i++) {
      const here = cost[i] as number;
      if (here === Infinity) continue;
      if (here + 1 < (cost[i + 1] as number)) {
        cost[i + 1] = here + 1;
        from[i + 1] = i;
        known[i + 1] = 0;
      }
      for (const len of this.vocabulary.wordsAt(text, i, form.script)) {
        // a known word costs almost nothing, so the cut covers the most letters, then uses the fewest words
        if (here + 0.01 < (cost[i + len] as number)) {
          cost[i + len] = here + 0.01;
          from[i + len] = i;
          known[i + len] = 1;
        }
      }
    }
    const pieces: string[] = [];
    let unknownEnd = -1;
    for (let j = n; j > 0;) {
      const i = from[j] as number;
      if (known[j]) {
        if (unknownEnd >= 0) pieces.push(text.slice(j, unknownEnd));
        unknownEnd = -1;
        pieces.push(text.slice(i, j));
      } else if (unknownEnd < 0) {
        unknownEnd = j;
      }
      j = i;
    }
    if (unknownEnd >= 0) pieces.push(text.slice(0, unknownEnd));
    return pieces.reverse();
  }
}

/**
 * A single digit between letters in a spaced-out run is leetspeak ("c h 1 l d"), unless an age unit follows it
 * ("a 5 y o"): such chunks are joined back to the letters around them.
 */
function leetChunks(chunks: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < chunks.length; k++) {
    const chunk = chunks[k] as string;
    const prev = out[out.length - 1];
    const next = chunks[k + 1];
    const leet = chunk.length === 1 && HAS_DIGIT.test(chunk) && prev && !ONLY_DIGITS.test(prev) && next;
    if (leet && !AGE_UNIT_START.test(next)) {
      out[out.length - 1] = prev + chunk + next;
      k++;
    } else {
      out.push(chunk);
    }
  }
  return out;
}

function numberToken(digits: string, gap: string): Token {
  return {
    forms: [{ text: digits, script: 'other', stem: digits }],
    value: digits.length <= 6 ? Number(digits) : undefined,
    gap,
    attached: false,
  };
}

/** raw words and the separators between them */
function scan(text: string): RawWord[] {
  const words: RawWord[] = [];
  let wordStart = -1;
  let units = 0;
  let letterOrDigit = 0;
  let gapStart = 0;
  let gapBreaks = false;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    // one UTF-16 unit unless a surrogate pair (astral letters are rare after NFKC)
    const cp = code >= 0xd800 && code <= 0xdbff ? (text.codePointAt(i) as number) : code;
    const width = cp > 0xffff ? 2 : 1;
    let kind = charKind(cp);
    if (kind === Char.Leet) {
      // "n@ked", "$ex": a leet symbol belongs to a word when a letter follows (a digit, inside a word: "k1d$3")
      const next = text.codePointAt(i + width);
      const nextKind = next === undefined ? Char.Space : charKind(next);
      if (!(isLetter(nextKind) || (nextKind === Char.Digit && wordStart >= 0))) kind = Char.Punct;
    }
    if (isWordChar(kind) && !(kind === Char.Mark && wordStart < 0)) {
      if (wordStart < 0) wordStart = i;
      if (kind !== Char.Mark) units++;
      if (isLetter(kind) || kind === Char.Digit) letterOrDigit++;
    } else {
      if (wordStart >= 0) {
        words.push({
          text: text.slice(wordStart, i),
          gap: text.slice(gapStart, wordStart),
          gapBreaks,
          single: units === 1 && letterOrDigit === 1,
        });
        wordStart = -1;
        units = 0;
        letterOrDigit = 0;
        gapStart = i;
        gapBreaks = false;
      }
      if (kind === Char.Break) gapBreaks = true;
    }
    i += width;
  }
  if (wordStart >= 0) {
    words.push({
      text: text.slice(wordStart),
      gap: text.slice(gapStart, wordStart),
      gapBreaks,
      single: units === 1 && letterOrDigit === 1,
    });
  }
  return words;
}
