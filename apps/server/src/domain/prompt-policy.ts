/** SPEC §8 prompt policy: refuse prompts that sexualise minors, robust to trivial evasion. Pure. */

export interface PolicyTerms {
  minor: string[];
  sexual: string[];
  always: string[];
}

export interface PolicyVerdict {
  allowed: boolean;
  /** which rule matched (for the log), never the prompt itself */
  rule?: string;
}

// Cyrillic letters that look like Latin ones, and leetspeak digits/symbols, folded to one alphabet per pass.
const CYR_TO_LAT: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
};
const LAT_TO_CYR: Record<string, string> = {
  a: 'а',
  b: 'в',
  e: 'е',
  k: 'к',
  m: 'м',
  h: 'н',
  o: 'о',
  p: 'р',
  c: 'с',
  t: 'т',
  y: 'у',
  x: 'х',
};
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '+': 't',
};

function baseFold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f\u200b-\u200f\u2060\ufeff\u00ad]/g, '') // accents, zero-width, soft hyphen
    .toLowerCase();
}

function mapChars(text: string, table: Record<string, string>): string {
  let out = '';
  for (const ch of text) out += table[ch] ?? ch;
  return out;
}

/** Variants of the text to match against: Latin-folded and Cyrillic-folded, each with words and squeezed forms. */
export function normalizeForPolicy(text: string): string[] {
  const folded = mapChars(baseFold(text), LEET);
  const latin = mapChars(folded, CYR_TO_LAT);
  const cyrillic = mapChars(folded, LAT_TO_CYR);
  const variants = new Set<string>();
  for (const v of [latin, cyrillic]) {
    const words = v
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .replace(/(\p{L})\1{2,}/gu, '$1$1')
      .trim();
    variants.add(` ${words} `);
    // "n u d e", "n.u.d.e": a group of single letters is one word; wider gaps separate the groups
    const groups = v.split(/\s{2,}/u).map((g) => {
      const tokens = g.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
      return tokens.length > 1 && tokens.every((t) => [...t].length === 1) ? tokens.join('') : tokens.join(' ');
    });
    variants.add(` ${groups.filter(Boolean).join(' ')} `);
  }
  return [...variants];
}

function termVariants(term: string): string[] {
  return normalizeForPolicy(term)
    .map((t) => t.trim())
    .filter(Boolean);
}

export class PromptPolicy {
  private readonly compiled: Array<{ list: keyof PolicyTerms; term: string; pattern: RegExp }>;

  constructor(terms: PolicyTerms) {
    this.compiled = [];
    for (const list of ['minor', 'sexual', 'always'] as const) {
      for (const term of terms[list]) {
        for (const v of termVariants(term)) {
          // whole-word start; Russian stems (…н, …л) match as prefixes, English words at word end too
          const escaped = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          this.compiled.push({ list, term, pattern: new RegExp(`[\\s]${escaped}`, 'u') });
        }
      }
    }
  }

  private matches(texts: string[], list: keyof PolicyTerms): string | undefined {
    for (const c of this.compiled) {
      if (c.list === list && texts.some((t) => c.pattern.test(t))) return c.term;
    }
    return undefined;
  }

  /** Each text (prompt, negative prompt) is judged on its own: terms are never paired across them. */
  check(...prompts: string[]): PolicyVerdict {
    for (const p of prompts) {
      const verdict = this.checkOne(normalizeForPolicy(p));
      if (!verdict.allowed) return verdict;
    }
    return { allowed: true };
  }

  private checkOne(texts: string[]): PolicyVerdict {
    const always = this.matches(texts, 'always');
    if (always) return { allowed: false, rule: `always:${always}` };
    const minor = this.matches(texts, 'minor');
    if (!minor) return { allowed: true };
    const sexual = this.matches(texts, 'sexual');
    if (sexual) return { allowed: false, rule: `minor+sexual:${minor}+${sexual}` };
    return { allowed: true };
  }
}

export function mergeTerms(a: PolicyTerms, b: Partial<PolicyTerms>): PolicyTerms {
  return {
    minor: [...a.minor, ...(b.minor ?? [])],
    sexual: [...a.sexual, ...(b.sexual ?? [])],
    always: [...a.always, ...(b.always ?? [])],
  };
}
