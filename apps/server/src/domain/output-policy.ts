// The rules that decide whether a generated output (or a reference image) may be delivered, from the prompt's
// categories, the classifier's scores, the instance's mode and the user's safe-for-work flag. Pure: the worker and
// the generation service feed it; it never sees pixels or prompts.

/** OUTPUT_CHECK: `minors` (the default) withholds explicit output of a prompt naming a minor; `all` withholds any explicit output. */
export type OutputCheckMode = 'minors' | 'all' | 'off';

/** The explicit classes of an NSFW classifier's scores (probabilities 0..1). */
export interface ExplicitScores {
  porn: number;
  hentai: number;
  sexy: number;
}

/** An output is explicit when one class reaches its threshold, or the three together reach `combined`. */
export interface OutputThresholds {
  porn: number;
  hentai: number;
  sexy: number;
  combined: number;
}

export const DEFAULT_OUTPUT_THRESHOLDS: Readonly<OutputThresholds> = Object.freeze({
  porn: 0.5,
  hentai: 0.5,
  sexy: 0.5,
  combined: 0.7,
});

/**
 * Rule ids, for the audit log and the admin's review queue (never the prompt):
 * `minor+explicit` (a prompt with a minor indicator and explicit output; never releasable),
 * `sfw-instance` (OUTPUT_CHECK=all), `sfw-user` (the user's safe-for-work flag).
 */
export type OutputRule = 'minor+explicit' | 'sfw-instance' | 'sfw-user';

export const OUTPUT_RULES: readonly OutputRule[] = ['minor+explicit', 'sfw-instance', 'sfw-user'];

/** What the rules know about one job or request. */
export interface OutputCheckContext {
  mode: OutputCheckMode;
  /** the prompt policy found a minor indicator in the (positive) prompt, sexual words or not */
  minorIndicator: boolean;
  /** an admin marked this user safe for work */
  userSfw: boolean;
}

export type OutputVerdict =
  | { action: 'deliver' }
  | {
      action: 'withhold';
      rule: OutputRule;
      /** indices of the scored items (outputs, or frames) that were explicit */
      explicit: number[];
    };

const DELIVER: OutputVerdict = Object.freeze({ action: 'deliver' });

/**
 * The rules that can withhold this job's output, strongest first. Empty: nothing can be withheld, so the scores
 * only inform (mode `off` has no rule at all).
 */
export function applicableRules(ctx: OutputCheckContext): OutputRule[] {
  if (ctx.mode === 'off') return [];
  const rules: OutputRule[] = [];
  if (ctx.minorIndicator) rules.push('minor+explicit');
  if (ctx.mode === 'all') rules.push('sfw-instance');
  if (ctx.userSfw) rules.push('sfw-user');
  return rules;
}

/** Explicit: one of Porn, Hentai, Sexy at or above its threshold, or their sum at or above `combined`. */
export function isExplicit(s: ExplicitScores, t: OutputThresholds): boolean {
  return s.porn >= t.porn || s.hentai >= t.hentai || s.sexy >= t.sexy || s.porn + s.hentai + s.sexy >= t.combined;
}

/**
 * The verdict on a set of scored items (a batch's images, a video's sampled frames, or both): withheld when a rule
 * applies and any item is explicit; the rule named is the strongest that applies.
 */
export function judgeOutputs(
  ctx: OutputCheckContext,
  scores: readonly ExplicitScores[],
  thresholds: OutputThresholds,
): OutputVerdict {
  const rule = applicableRules(ctx)[0];
  if (!rule) return DELIVER;
  const explicit = scores.flatMap((s, i) => (isExplicit(s, thresholds) ? [i] : []));
  return explicit.length === 0 ? DELIVER : { action: 'withhold', rule, explicit };
}

/** Only outputs withheld for a safe-for-work setting may be released by an admin; a minor rule never. */
export function isReleasable(rule: OutputRule): boolean {
  return rule !== 'minor+explicit';
}

/** Scores rounded for the audit log and the review queue (three decimals). */
export function roundedScores<T extends ExplicitScores>(s: T): ExplicitScores {
  const r = (n: number): number => Math.round(n * 1000) / 1000;
  return { porn: r(s.porn), hentai: r(s.hentai), sexy: r(s.sexy) };
}

/** The highest score per explicit class over many items (what the review queue shows for a batch or a clip). */
export function peakScores(all: readonly ExplicitScores[]): ExplicitScores {
  return roundedScores({
    porn: Math.max(0, ...all.map((s) => s.porn)),
    hentai: Math.max(0, ...all.map((s) => s.hentai)),
    sexy: Math.max(0, ...all.map((s) => s.sexy)),
  });
}
