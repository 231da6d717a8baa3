import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PromptPolicy, mergeTerms, normalizeForPolicy, type PolicyTerms } from './prompt-policy.ts';

const terms = JSON.parse(fs.readFileSync(new URL('../../policy/terms.json', import.meta.url), 'utf8')) as PolicyTerms;
const policy = new PromptPolicy(terms);
const refused = (...p: string[]) => !policy.check(...p).allowed;

describe('prompt policy', () => {
  it('allows ordinary prompts, including ones with only one side of a pair', () => {
    expect(refused('a red fox in a snowy forest')).toBe(false);
    expect(refused('a child flying a kite on a beach')).toBe(false);
    expect(refused('кот спит на подоконнике')).toBe(false);
    expect(refused('a classical nude marble statue in a museum')).toBe(false);
    expect(refused('sunset over the mountains, explicit detail')).toBe(false);
  });

  it('refuses a minor term paired with a sexual term (English and Russian)', () => {
    expect(refused('child, nude')).toBe(true);
    expect(refused('девочка голая')).toBe(true);
    expect(refused('школьница, эротика')).toBe(true);
  });

  it('refuses always-refused terms alone', () => {
    expect(refused('pedo')).toBe(true);
  });

  it('resists trivial evasion: case, spacing, leetspeak, look-alikes, zero-width', () => {
    expect(refused('CHILD NUDE')).toBe(true);
    expect(refused('c h i l d   n u d e')).toBe(true);
    expect(refused('ch1ld nud3')).toBe(true);
    expect(refused('chіld nude')).toBe(true); // Cyrillic і
    expect(refused('сhild nudе')).toBe(true); // Cyrillic с and е
    expect(refused('ch\u200bild n\u200bude')).toBe(true);
    expect(refused('дeвoчкa гoлaя')).toBe(true); // Latin e/o/a inside Russian words
  });

  it('judges the negative prompt too, but never pairs terms across prompt and negative', () => {
    expect(refused('a portrait', 'child nude')).toBe(true);
    expect(refused('a woman, nude, oil painting', 'child, cartoon')).toBe(false);
  });

  it('operators can extend the term list', () => {
    const extended = new PromptPolicy(mergeTerms(terms, { always: ['forbiddenword'] }));
    expect(extended.check('a forbiddenword here').allowed).toBe(false);
    expect(policy.check('a forbiddenword here').allowed).toBe(true);
  });

  it('reports the rule, not the prompt', () => {
    const v = policy.check('child nude');
    expect(v.rule).toMatch(/^minor\+sexual:/);
    expect(normalizeForPolicy('A-B')[0]).toBe(' a b ');
  });
});
