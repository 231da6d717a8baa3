/**
 * What the tokenizer needs to know about a character. Unicode property regexes are slow per character, so each
 * BMP code point is classified once and remembered in a table (the policy runs on every generation request).
 */
export const Char = {
  Latin: 1,
  Cyrillic: 2,
  Greek: 3,
  /** a letter of any other script */
  OtherLetter: 4,
  /** a combining mark left after NFKC (stress marks, accents that have no precomposed form) */
  Mark: 5,
  /** 0–9 */
  Digit: 6,
  /** any other number character (other scripts' digits, fractions) */
  OtherNumber: 7,
  Space: 8,
  /** punctuation that ends a spaced-out run of letters ("n u d e, c h i l d") */
  Break: 9,
  /** any other punctuation or symbol */
  Punct: 10,
  /** symbols that leetspeak uses as letters ("n@ked", "$ex") */
  Leet: 11,
} as const;
export type CharKind = (typeof Char)[keyof typeof Char];

const BREAKS = new Set([',', ';', ':', '\n', '\r', '\t', '|', '(', ')', '[', ']', '{', '}', '<', '>', '"', '«', '»']);
const LEET = new Set(['@', '$']);

const LETTER = /\p{L}/u;
const MARK = /\p{M}/u;
const NUMBER = /\p{N}/u;
const SPACE = /\s/u;
const LATIN = /\p{Script=Latin}/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const GREEK = /\p{Script=Greek}/u;

function classify(ch: string): CharKind {
  if (ch >= '0' && ch <= '9') return Char.Digit;
  if (LETTER.test(ch)) {
    if (LATIN.test(ch)) return Char.Latin;
    if (CYRILLIC.test(ch)) return Char.Cyrillic;
    if (GREEK.test(ch)) return Char.Greek;
    return Char.OtherLetter;
  }
  if (MARK.test(ch)) return Char.Mark;
  if (NUMBER.test(ch)) return Char.OtherNumber;
  if (SPACE.test(ch)) return Char.Space;
  if (BREAKS.has(ch)) return Char.Break;
  if (LEET.has(ch)) return Char.Leet;
  return Char.Punct;
}

const bmp = new Uint8Array(0x10000);

/** The class of the character at code point `cp`. */
export function charKind(cp: number): CharKind {
  if (cp > 0xffff) return classify(String.fromCodePoint(cp));
  const known = bmp[cp];
  if (known) return known as CharKind;
  const kind = classify(String.fromCharCode(cp));
  bmp[cp] = kind;
  return kind;
}

export const isLetter = (k: CharKind): boolean => k >= Char.Latin && k <= Char.OtherLetter;
/** characters that belong inside a word: letters, marks, numbers, leet symbols */
export const isWordChar = (k: CharKind): boolean => k <= Char.OtherNumber || k === Char.Leet;
