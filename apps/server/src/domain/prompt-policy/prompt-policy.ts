import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { AGE_WORDS, findAges } from './ages.ts';
import { LookAlikes } from './look-alikes.ts';
import { normalizeText } from './normalize-text.ts';
import type { PolicyTerms } from './policy-terms.ts';
import { Stems } from './stems.ts';
import { TermIndex } from './term-index.ts';
import { Tokenizer, type Token } from './tokenizer.ts';
import { WordReader } from './word-reader.ts';

/** The categories a refusal names: `always`, or `minor` together with `sexual`. */
export type PolicyCategory = 'minor' | 'sexual' | 'always';

/**
 * Rule ids for the log (never the prompt or the words that matched): `always` (a term that only exists for abuse
 * material), `minor+sexual` (a minor term with a sexual one), `age+sexual` (an age under 18 or a school grade with
 * a sexual term).
 */
export type PolicyRule = 'always' | 'minor+sexual' | 'age+sexual';

export interface PolicyVerdict {
  allowed: boolean;
  rule?: PolicyRule;
  categories?: PolicyCategory[];
}

interface Span {
  start: number;
  end: number;
  age?: boolean;
}

// built once per process: the confusables table is large and the same for every policy
let sharedLookAlikes: LookAlikes | undefined;
const lookAlikes = (): LookAlikes => (sharedLookAlikes ??= new LookAlikes(confusables));

const ALLOWED: PolicyVerdict = Object.freeze({ allowed: true });

function covered(span: Span, neutral: readonly Span[]): boolean {
  return neutral.some((n) => span.start < n.end && n.start < span.end);
}

function sameSpan(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end;
}

/**
 * SPEC §8: refuse prompts that sexualise minors. A prompt is refused when an `always` term occurs, or when a minor
 * (term, age under 18, school grade) and a sexual term both occur in the prompt. The negative prompt never causes
 * a refusal: people list there what they want kept out.
 */
export class PromptPolicy {
  private readonly stems = new Stems();
  private readonly index: TermIndex;
  private readonly tokenizer: Tokenizer;

  constructor(terms: PolicyTerms) {
    this.index = new TermIndex(terms, this.stems, AGE_WORDS);
    this.tokenizer = new Tokenizer(new WordReader(lookAlikes(), this.stems), this.index.vocabulary);
  }

  /** The verdict on a prompt; `negativePrompt` is accepted for the call's shape and never refuses. */
  check(prompt: string, negativePrompt?: string): PolicyVerdict {
    void negativePrompt;
    const tokens = this.tokenize(prompt);
    const hits = this.index.match(tokens);
    if (hits.length === 0) return ALLOWED;
    const neutral = hits.filter((h) => h.category === 'neutral');
    const counted = neutral.length === 0 ? hits : hits.filter((h) => h.category === 'neutral' || !covered(h, neutral));

    if (counted.some((h) => h.category === 'always')) return { allowed: false, rule: 'always', categories: ['always'] };
    const sexual = counted.filter((h) => h.category === 'sexual');
    if (sexual.length === 0) return ALLOWED;
    const minor: Span[] = counted.filter((h) => h.category === 'minor');
    for (const age of findAges(tokens)) if (!covered(age, neutral)) minor.push({ ...age, age: true });
    // both categories from the same words do not count: "cp" alone is a CPU as often as anything else
    const pair = minor.find((m) => sexual.some((s) => !sameSpan(m, s)));
    if (!pair) return ALLOWED;
    return { allowed: false, rule: pair.age ? 'age+sexual' : 'minor+sexual', categories: ['minor', 'sexual'] };
  }

  /**
   * Whether the prompt names a minor (a minor term, an age under 18 or a school grade) with or without any sexual
   * word: the indicator the output checks use (a prompt that names a child can still come back explicit).
   */
  mentionsMinor(prompt: string): boolean {
    const tokens = this.tokenize(prompt);
    const hits = this.index.match(tokens);
    const neutral = hits.filter((h) => h.category === 'neutral');
    if (hits.some((h) => h.category === 'minor' && !covered(h, neutral))) return true;
    return findAges(tokens).some((age) => !covered(age, neutral));
  }

  /** The tokens the policy reads (for tests and the evaluation). */
  tokenize(prompt: string): Token[] {
    return this.tokenizer.tokenize(normalizeText(prompt));
  }
}
