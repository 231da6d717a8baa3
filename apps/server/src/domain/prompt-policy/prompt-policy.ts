import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { AGE_WORDS, findAges } from './ages.ts';
import { LookAlikes } from './look-alikes.ts';
import { normalizeText } from './normalize-text.ts';
import type { PolicyTerms } from './policy-terms.ts';
import { Stems } from './stems.ts';
import { TermIndex, type TermHit } from './term-index.ts';
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
const lookAlikes = (): LookAlikes => (sharedLookAlikes ??= new LookAlikes(confusables as Record<string, string>));

const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;
const sameSpan = (a: Span, b: Span): boolean => a.start === b.start && a.end === b.end;

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
    const neutral = hits.filter((h) => h.category === 'neutral');
    const counts = (s: Span): boolean => !neutral.some((n) => overlaps(n, s));
    const of = (category: TermHit['category']): Span[] => hits.filter((h) => h.category === category && counts(h));

    if (of('always').length > 0) return { allowed: false, rule: 'always', categories: ['always'] };
    const sexual = of('sexual');
    if (sexual.length === 0) return { allowed: true };
    const minor: Span[] = [
      ...of('minor'),
      ...findAges(tokens)
        .map((s) => ({ ...s, age: true }))
        .filter(counts),
    ];
    // both categories from the same words do not count: "cp" alone is a CPU as often as anything else
    const pair = minor.find((m) => sexual.some((s) => !sameSpan(m, s)));
    if (!pair) return { allowed: true };
    return { allowed: false, rule: pair.age ? 'age+sexual' : 'minor+sexual', categories: ['minor', 'sexual'] };
  }

  /** The tokens the policy reads (for tests and the evaluation). */
  tokenize(prompt: string): Token[] {
    return this.tokenizer.tokenize(normalizeText(prompt));
  }
}
