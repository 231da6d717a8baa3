import { describe, expect, it } from 'vitest';
import { PromptPolicy } from './prompt-policy.ts';
import type { PolicyTerms } from './policy-terms.ts';
import { Stems } from './stems.ts';
import { TermIndex } from './term-index.ts';

const build = (terms: Partial<PolicyTerms>) => {
  const full: PolicyTerms = { minor: [], sexual: [], always: [], ...terms };
  return { index: new TermIndex(full, new Stems()), policy: new PromptPolicy(full) };
};
const categories = (terms: Partial<PolicyTerms>, text: string): string[] => {
  const { index, policy } = build(terms);
  return index.match(policy.tokenize(text)).map((h) => `${h.category}@${h.start}-${h.end}`);
};

describe('TermIndex: the term grammar', () => {
  it('matches a plain word in every inflected form, as a whole word', () => {
    expect(categories({ minor: ['girl'] }, 'girls')).toEqual(['minor@0-1']);
    expect(categories({ sexual: ['голая'] }, 'голую')).toEqual(['sexual@0-1']);
    expect(categories({ sexual: ['rape'] }, 'rapeseed field')).toEqual([]);
    expect(categories({ always: ['pedo'] }, 'pedometer')).toEqual([]);
  });

  it('matches phrases on consecutive words', () => {
    expect(categories({ minor: ['little girl'] }, 'a little girls')).toEqual(['minor@1-3']);
    expect(categories({ minor: ['little girl'] }, 'little red girl')).toEqual([]);
    expect(categories({ always: ['детское порно'] }, 'детского порно')).toEqual(['always@0-2']);
  });

  it('=word matches exactly that form, never a longer word or another inflection', () => {
    expect(categories({ minor: ['=cp'] }, 'cp')).toEqual(['minor@0-1']);
    expect(categories({ minor: ['=cp'] }, 'cpu cps')).toEqual([]);
    expect(categories({ sexual: ['=голая'] }, 'гол')).toEqual([]);
  });

  it('word* matches words that start with it; *word words whose stem ends with it', () => {
    expect(categories({ always: ['pedophil*'] }, 'pedophilia pedophiles')).toEqual(['always@0-1', 'always@1-2']);
    expect(categories({ minor: ['*классниц'] }, 'пятиклассницу')).toEqual(['minor@0-1']);
    expect(categories({ minor: ['*классниц'] }, 'класс')).toEqual([]);
  });

  it('refuses terms it cannot read', () => {
    expect(() => build({ minor: ['ab'] })).toThrow(/must be written "=ab"/);
    expect(() => build({ minor: ['abc*'] })).toThrow(/at least 4 letters/);
    expect(() => build({ minor: ['a=b'] })).toThrow(/"=" goes first/);
    expect(() => build({ minor: ['=a*'] })).toThrow(/"=" takes a plain word/);
    expect(() => build({ minor: ['*ab*c'] })).toThrow(/one "\*"/);
  });
});

describe('neutral phrases', () => {
  it('take their words out of every category', () => {
    const terms = { minor: ['kid'], sexual: ['naked'], always: [], neutral: ['naked eye'] };
    const policy = new PromptPolicy(terms);
    expect(policy.check('kids see it with the naked eye').allowed).toBe(true);
    expect(policy.check('naked kids, naked eye').allowed).toBe(false);
  });
});
