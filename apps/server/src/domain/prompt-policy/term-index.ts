import { TERM_CATEGORIES, type PolicyTerms, type TermCategory } from './policy-terms.ts';
import type { Script, Stems } from './stems.ts';
import { KnownWords } from './known-words.ts';
import type { Token } from './tokenizer.ts';
import type { WordForm } from './word-reader.ts';

type WordPattern =
  | { kind: 'stem'; script: Script; stem: string }
  | { kind: 'exact'; text: string }
  | { kind: 'prefix'; text: string }
  | { kind: 'suffix'; script: Script; text: string };

interface CompiledTerm {
  category: TermCategory;
  words: WordPattern[];
}

/** A term found in the tokens [start, end). */
export interface TermHit {
  category: TermCategory;
  start: number;
  end: number;
}

const NONE: readonly CompiledTerm[] = [];
const WORD_SPLIT = /[^\p{L}\p{N}=*]+/u;
const MIN_AFFIX = 4;
const MIN_STEM_WORD = 3;

function scriptOf(word: string): Script {
  if (/\p{Script=Cyrillic}/u.test(word)) return 'cyrillic';
  if (/\p{Script=Latin}/u.test(word)) return 'latin';
  return 'other';
}

/** Terms compiled into lookup tables: one map lookup per token and form, a short scan for affix terms. */
export class TermIndex {
  private readonly byStem = new Map<string, CompiledTerm[]>();
  private readonly byExact = new Map<string, CompiledTerm[]>();
  private readonly affixFirst: CompiledTerm[] = [];
  private readonly firstTerms = new WeakMap<WordForm, readonly CompiledTerm[]>();
  /** every word the terms and `extraWords` use, for cutting spaced-out runs into words */
  readonly vocabulary: KnownWords;

  constructor(
    terms: PolicyTerms,
    private readonly stems: Stems,
    extraWords: readonly string[] = [],
  ) {
    this.vocabulary = new KnownWords(stems);
    for (const category of TERM_CATEGORIES) {
      for (const term of terms[category] ?? []) this.add(category, term);
    }
    for (const w of extraWords) this.vocabulary.add(w, scriptOf(w));
  }

  private add(category: TermCategory, term: string): void {
    if (typeof term !== 'string') throw new Error(`policy terms: ${category} has a term that is not a string`);
    const raw = term.normalize('NFKC').toLowerCase().replaceAll('ё', 'е').split(WORD_SPLIT).filter(Boolean);
    if (raw.length === 0) throw new Error(`policy terms: empty term in ${category}`);
    const words = raw.map((w) => this.compileWord(w, `${category} term "${term}"`));
    const compiled: CompiledTerm = { category, words };
    const first = words[0] as WordPattern;
    if (first.kind === 'stem') push(this.byStem, first.stem, compiled);
    else if (first.kind === 'exact') push(this.byExact, first.text, compiled);
    else this.affixFirst.push(compiled);
  }

  private compileWord(word: string, where: string): WordPattern {
    const fail = (why: string): never => {
      throw new Error(`policy terms: ${where}: ${why}`);
    };
    if (word.startsWith('=')) {
      const text = word.slice(1);
      if (!text || /[=*]/.test(text)) fail('"=" takes a plain word');
      this.vocabulary.add(text, scriptOf(text));
      return { kind: 'exact', text };
    }
    if (word.endsWith('*') || word.startsWith('*')) {
      const prefix = word.endsWith('*');
      const text = prefix ? word.slice(0, -1) : word.slice(1);
      if (/[=*]/.test(text)) fail('one "*" at the start or the end');
      if ([...text].length < MIN_AFFIX) fail(`an affix needs at least ${MIN_AFFIX} letters`);
      if (prefix) {
        this.vocabulary.add(text, scriptOf(text));
        return { kind: 'prefix', text };
      }
      return { kind: 'suffix', script: scriptOf(text), text };
    }
    if (/[=*]/.test(word)) fail('"=" goes first, "*" first or last');
    if ([...word].length < MIN_STEM_WORD) fail(`words under ${MIN_STEM_WORD} letters must be written "=${word}"`);
    const script = scriptOf(word);
    this.vocabulary.add(word, script);
    return { kind: 'stem', script, stem: this.stems.stem(word, script) };
  }

  /** Every term occurrence in the tokens. */
  match(tokens: readonly Token[]): TermHit[] {
    const hits: TermHit[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as Token;
      if (token.value !== undefined) continue;
      const fromHere = hits.length;
      for (const form of token.forms) {
        const first = this.firstWordTerms(form);
        if (first.length > 0) this.tryAll(first, tokens, i, hits, fromHere);
      }
    }
    return hits;
  }

  /** the terms whose first word this form matches; remembered per form (the word reader shares form objects) */
  private firstWordTerms(form: WordForm): readonly CompiledTerm[] {
    const known = this.firstTerms.get(form);
    if (known) return known;
    const terms = [...(this.byStem.get(form.stem) ?? []), ...(this.byExact.get(form.text) ?? [])];
    for (const term of this.affixFirst) if (this.formMatches(term.words[0] as WordPattern, form)) terms.push(term);
    const result = terms.length > 0 ? terms : NONE;
    this.firstTerms.set(form, result);
    return result;
  }

  /** hits[fromHere..] are this token's hits so far: one form of a word is enough for each term */
  private tryAll(
    candidates: readonly CompiledTerm[],
    tokens: readonly Token[],
    i: number,
    hits: TermHit[],
    fromHere: number,
  ): void {
    for (const term of candidates) {
      const end = i + term.words.length;
      if (end > tokens.length || hasHit(hits, fromHere, end, term.category)) continue;
      let all = true;
      for (let k = 1; k < term.words.length && all; k++) {
        all = this.wordMatches(term.words[k] as WordPattern, tokens[i + k] as Token);
      }
      // the first word matched one form of token i already, or the caller checked it
      if (all) hits.push({ category: term.category, start: i, end });
    }
  }

  private wordMatches(pattern: WordPattern, token: Token): boolean {
    for (const f of token.forms) if (this.formMatches(pattern, f)) return true;
    return false;
  }

  private formMatches(p: WordPattern, f: WordForm): boolean {
    switch (p.kind) {
      case 'stem':
        return f.script === p.script && f.stem === p.stem;
      case 'exact':
        return f.text === p.text;
      case 'prefix':
        return f.text.startsWith(p.text);
      case 'suffix':
        return f.script === p.script && f.stem.endsWith(p.text);
    }
  }
}

function hasHit(hits: readonly TermHit[], from: number, end: number, category: TermCategory): boolean {
  for (let k = from; k < hits.length; k++) {
    const h = hits[k] as TermHit;
    if (h.end === end && h.category === category) return true;
  }
  return false;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
