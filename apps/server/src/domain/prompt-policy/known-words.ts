import type { Script, Stems } from './stems.ts';

interface TrieNode {
  next: Map<string, TrieNode>;
  /** a known word or stem ends here */
  end: boolean;
}

/** Inflectional endings a stem may carry ("гол|ую", "nude|s"): how far past a known stem a word may run. */
const MAX_ENDING = 5;
const MIN_WORD = 2;

/**
 * The words (and their stems) the policy knows, as a letter trie, to cut a spaced-out run ("anudechild") back into
 * words. Walking the trie from a position stops at the first letter no known word continues with, so random
 * letters cost a step or two, not a stem per possible piece.
 */
export class KnownWords {
  private readonly root: TrieNode = { next: new Map(), end: false };
  private readonly exact = new Set<string>();
  private readonly stemsKnown = new Set<string>();

  constructor(private readonly stems: Stems) {}

  add(word: string, script: Script): void {
    const stem = this.stems.stem(word, script);
    this.exact.add(word);
    this.stemsKnown.add(stem);
    for (const w of [word, stem]) {
      let node = this.root;
      for (const ch of w) {
        let child = node.next.get(ch);
        if (!child) {
          child = { next: new Map(), end: false };
          node.next.set(ch, child);
        }
        node = child;
      }
      node.end = true;
    }
  }

  /** a known word in some inflected form */
  isKnown(text: string, script: Script): boolean {
    return this.exact.has(text) || (text.length >= 3 && this.stemsKnown.has(this.stems.stem(text, script)));
  }

  /** lengths of the known words that start at text[i] */
  wordsAt(text: string, i: number, script: Script): number[] {
    const lengths: number[] = [];
    let node: TrieNode | undefined = this.root;
    for (let d = 1; i + d <= text.length; d++) {
      node = node.next.get(text[i + d - 1] as string);
      if (!node) break;
      if (!node.end) continue;
      for (let len = Math.max(d, MIN_WORD); len <= d + MAX_ENDING && i + len <= text.length; len++) {
        if (!lengths.includes(len) && this.isKnown(text.slice(i, i + len), script)) lengths.push(len);
      }
    }
    return lengths;
  }
}
