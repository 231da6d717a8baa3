import type { PromptPolicy } from './prompt-policy.ts';

/** One labelled prompt of the evaluation set (apps/server/policy/eval/prompts.jsonl). */
export interface EvalCase {
  id: string;
  label: 'refuse' | 'allow';
  /** the evasion class or kind of near miss, for reports */
  class: string;
  lang: 'en' | 'ru' | 'mixed';
  prompt: string;
  negative?: string;
}

export interface EvalReport {
  refuseTotal: number;
  allowTotal: number;
  /** share of must-refuse prompts refused */
  recall: number;
  /** share of must-allow prompts refused */
  falsePositiveRate: number;
  /** must-refuse prompts let through, and must-allow prompts refused: ids and classes only */
  misses: Array<Pick<EvalCase, 'id' | 'class' | 'label'>>;
  /** per class: how many cases, how many the policy got right */
  byClass: Record<string, { label: EvalCase['label']; total: number; correct: number }>;
}

/** Parses the JSONL evaluation set, one case per line; blank lines and lines starting with # are skipped. */
export function parseEvalSet(text: string): EvalCase[] {
  const cases: EvalCase[] = [];
  const ids = new Set<string>();
  text.split('\n').forEach((line, n) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const c = JSON.parse(trimmed) as EvalCase;
    if (!c.id || (c.label !== 'refuse' && c.label !== 'allow') || typeof c.prompt !== 'string' || !c.class) {
      throw new Error(`eval set line ${n + 1}: needs id, label refuse|allow, class and prompt`);
    }
    if (ids.has(c.id)) throw new Error(`eval set line ${n + 1}: duplicate id ${c.id}`);
    ids.add(c.id);
    cases.push(c);
  });
  return cases;
}

/** Runs every case through the policy: recall on must-refuse, false-positive rate on must-allow. */
export function evaluatePolicy(policy: PromptPolicy, cases: readonly EvalCase[]): EvalReport {
  const report: EvalReport = {
    refuseTotal: 0,
    allowTotal: 0,
    recall: 1,
    falsePositiveRate: 0,
    misses: [],
    byClass: {},
  };
  let refused = 0;
  let wronglyRefused = 0;
  for (const c of cases) {
    const refusedNow = !policy.check(c.prompt, c.negative).allowed;
    const correct = refusedNow === (c.label === 'refuse');
    const cls = (report.byClass[`${c.label}/${c.class}`] ??= { label: c.label, total: 0, correct: 0 });
    cls.total++;
    if (correct) cls.correct++;
    else report.misses.push({ id: c.id, class: c.class, label: c.label });
    if (c.label === 'refuse') {
      report.refuseTotal++;
      if (refusedNow) refused++;
    } else {
      report.allowTotal++;
      if (refusedNow) wronglyRefused++;
    }
  }
  if (report.refuseTotal > 0) report.recall = refused / report.refuseTotal;
  if (report.allowTotal > 0) report.falsePositiveRate = wronglyRefused / report.allowTotal;
  return report;
}
