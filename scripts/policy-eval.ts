/*
 * npm run policy:eval: runs the labelled evaluation set through the prompt policy (SPEC §8) and prints recall on
 * must-refuse prompts and the false-positive rate on must-allow prompts. Misses are listed by id and class only,
 * never by their text (CI logs are read by people). Exits 1 below recall 0.98 or above a false-positive rate of
 * 0.01. POLICY_TERMS_FILE, when set, is merged in as the server does.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  evaluatePolicy,
  mergeTerms,
  parseEvalSet,
  PromptPolicy,
  type PolicyTerms,
} from '../apps/server/src/domain/prompt-policy/index.ts';

const MIN_RECALL = 0.98;
const MAX_FALSE_POSITIVE_RATE = 0.01;

const fromRoot = (p: string): string => fileURLToPath(new URL(`../${p}`, import.meta.url));
const base = JSON.parse(fs.readFileSync(fromRoot('apps/server/policy/terms.json'), 'utf8')) as PolicyTerms;
const extraFile = process.env.POLICY_TERMS_FILE;
const terms = extraFile
  ? mergeTerms(base, JSON.parse(fs.readFileSync(extraFile, 'utf8')) as Partial<PolicyTerms>)
  : base;
const cases = parseEvalSet(fs.readFileSync(fromRoot('apps/server/policy/eval/prompts.jsonl'), 'utf8'));

const started = performance.now();
const report = evaluatePolicy(new PromptPolicy(terms), cases);
const ms = performance.now() - started;

const pct = (n: number): string => `${(n * 100).toFixed(2)}%`;
const refused = Math.round(report.recall * report.refuseTotal);
const wronglyRefused = Math.round(report.falsePositiveRate * report.allowTotal);
console.log(`Prompt policy evaluation: ${cases.length} prompts (${ms.toFixed(0)} ms)`);
console.log(
  `  must-refuse: ${report.refuseTotal}, refused ${refused}: recall ${report.recall.toFixed(4)} (${pct(report.recall)})`,
);
console.log(
  `  must-allow:  ${report.allowTotal}, refused ${wronglyRefused}: false-positive rate ${report.falsePositiveRate.toFixed(4)} (${pct(report.falsePositiveRate)})`,
);
console.log('\n  class                                  prompts  correct');
for (const [cls, c] of Object.entries(report.byClass).sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`  ${cls.padEnd(38)} ${String(c.total).padStart(7)}  ${String(c.correct).padStart(7)}`);
}
if (report.misses.length > 0) {
  console.log('\n  misses (id, class):');
  for (const m of report.misses) console.log(`    ${m.id}  ${m.label}/${m.class}`);
}
const ok = report.recall >= MIN_RECALL && report.falsePositiveRate <= MAX_FALSE_POSITIVE_RATE;
console.log(
  `\n${ok ? 'PASS' : 'FAIL'}: recall ≥ ${MIN_RECALL} and false-positive rate ≤ ${MAX_FALSE_POSITIVE_RATE} ${ok ? 'met' : 'not met'}`,
);
process.exitCode = ok ? 0 : 1;
