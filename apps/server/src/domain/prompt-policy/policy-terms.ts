/**
 * The policy's term lists (data: apps/server/policy/terms.json, extended by POLICY_TERMS_FILE).
 *
 * A term is a word or a phrase of words; each word is written in one of these forms:
 * - `word`: any inflected form (the same English or Russian stem): "girl" also matches "girls";
 * - `=word`: exactly this form, read as written (no stem, no leetspeak, no cross-script reading) — for short,
 *   ambiguous tokens such as "=cp";
 * - `word*`: any word that starts with these letters (at least 4), e.g. "pedophil*";
 * - `*word`: any word whose stem ends with these letters (at least 4), e.g. Russian compounds "*классниц".
 */
export interface PolicyTerms {
  /** words that mark a minor: age words, school and grade words */
  minor: string[];
  /** nudity, sexual acts, fetish and lingerie context */
  sexual: string[];
  /** terms that only exist for abuse material: refused on their own */
  always: string[];
  /** phrases whose words count for no category ("naked eye", "old school") */
  neutral?: string[];
}

export type TermCategory = 'minor' | 'sexual' | 'always' | 'neutral';
export const TERM_CATEGORIES: readonly TermCategory[] = ['minor', 'sexual', 'always', 'neutral'];

/** The operator's lists (POLICY_TERMS_FILE) added to the built-in ones, category by category. */
export function mergeTerms(base: PolicyTerms, extra: Partial<PolicyTerms>): PolicyTerms {
  return {
    minor: [...base.minor, ...(extra.minor ?? [])],
    sexual: [...base.sexual, ...(extra.sexual ?? [])],
    always: [...base.always, ...(extra.always ?? [])],
    neutral: [...(base.neutral ?? []), ...(extra.neutral ?? [])],
  };
}
