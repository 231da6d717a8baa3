/*
 * Prompt policy speed (SPEC §8 is on the admission path): prompts classified per second of one core's CPU time, for
 * 300-character prompts built from the labelled evaluation set (mostly allowed, some refused), after a warm-up;
 * the median of several timed runs. Also the evaluation figures, so one call gives what docs/BENCHMARKS.md shows.
 * Standalone: node --import tsx bench/policy-bench.ts
 */
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  evaluatePolicy,
  parseEvalSet,
  PromptPolicy,
  type EvalCase,
  type PolicyTerms,
} from '../apps/server/src/domain/prompt-policy/index.ts';

export interface PolicyBenchResult {
  /** median over the timed runs */
  promptsPerSecond: number;
  /** each timed run, prompts/s */
  runs: number[];
  microsecondsPerPrompt: number;
  promptLength: number;
  distinctPrompts: number;
  refusedShare: number;
  /** the same loop over prompts of made-up words, so no word is in the policy's caches */
  unseenWordsPromptsPerSecond: number;
  /** CPU milliseconds for one 4,000-character spaced-out prompt ("n u d e c h i l d …"), the tokenizer's worst case */
  spacedOutPromptMs: number;
  evaluation: { recall: number; falsePositiveRate: number; refuseTotal: number; allowTotal: number };
}

const PROMPT_LENGTH = 300;
const FILLER = new Set(['ordinary', 'substring-near-miss', 'acronym-near-miss', 'numbers', 'issue-harmless']);
const fromRoot = (p: string): string => fileURLToPath(new URL(`../${p}`, import.meta.url));

/** deterministic pseudo-random numbers, so every run measures the same prompts */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 300-character prompts: ordinary prompts joined by commas; every fifth one starts with a must-refuse prompt */
function buildPrompts(cases: readonly EvalCase[], count: number): string[] {
  // filler from ordinary prompts: a minor-only prompt next to an adult one would rightly be refused together
  const allow = cases.filter((c) => c.label === 'allow' && FILLER.has(c.class)).map((c) => c.prompt);
  const refuse = cases.filter((c) => c.label === 'refuse').map((c) => c.prompt);
  const next = random(42);
  const pick = (list: readonly string[]): string => list[Math.floor(next() * list.length)] as string;
  const prompts: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = i % 5 === 0 ? pick(refuse) : pick(allow);
    while (text.length < PROMPT_LENGTH) text += `, ${pick(allow)}`;
    prompts.push(text.slice(0, PROMPT_LENGTH));
  }
  return prompts;
}

function unseenWordPrompts(count: number): string[] {
  const next = random(7);
  const latin = 'abcdefghijklmnopqrstuvwxyz';
  const russian = 'абвгдежзиклмнопрстуфхцчшыэюя';
  return Array.from({ length: count }, (_, i) => {
    const letters = i % 2 ? latin : russian;
    let text = '';
    while (text.length < PROMPT_LENGTH) {
      const n = 3 + Math.floor(next() * 8);
      for (let k = 0; k < n; k++) text += letters[Math.floor(next() * letters.length)];
      text += next() < 0.2 ? ', ' : ' ';
    }
    return text.slice(0, PROMPT_LENGTH);
  });
}

/**
 * Prompts per second of CPU time of this process: one core's throughput, whatever else the machine runs (wall
 * time on a shared 2-core box swings with its load).
 */
function timeRun(policy: PromptPolicy, prompts: readonly string[], rounds: number): number {
  let refused = 0;
  const started = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const p of prompts) if (!policy.check(p).allowed) refused++;
  }
  const used = process.cpuUsage(started);
  const seconds = (used.user + used.system) / 1e6;
  if (refused < 0) console.log(refused); // keeps the loop's result alive
  return (prompts.length * rounds) / seconds;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

export async function policyBench(options: { runs?: number; rounds?: number } = {}): Promise<PolicyBenchResult> {
  const runs = options.runs ?? 7;
  const rounds = options.rounds ?? 10;
  const terms = JSON.parse(fs.readFileSync(fromRoot('apps/server/policy/terms.json'), 'utf8')) as PolicyTerms;
  const cases = parseEvalSet(fs.readFileSync(fromRoot('apps/server/policy/eval/prompts.jsonl'), 'utf8'));
  const policy = new PromptPolicy(terms);
  const prompts = buildPrompts(cases, 2000);

  timeRun(policy, prompts, 3); // warm-up: JIT and the word caches
  const perRun: number[] = [];
  for (let i = 0; i < runs; i++) {
    perRun.push(timeRun(policy, prompts, rounds));
    await new Promise((resolve) => setImmediate(resolve)); // let the event loop breathe between runs
  }

  // a fresh policy per run so its caches start empty; every word in these prompts is new to it
  const unseen = unseenWordPrompts(2000);
  const unseenRuns: number[] = [];
  for (let i = 0; i < 3; i++) unseenRuns.push(timeRun(new PromptPolicy(terms), unseen, 1));

  // the worst case of spaced-out runs (was a wall-clock assertion in the tokenizer's unit test; speed belongs here)
  const spacedOut = 'n u d e c h i l d '.repeat(250).slice(0, 4000);
  const spacedOutMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = process.cpuUsage();
    new PromptPolicy(terms).check(spacedOut);
    const used = process.cpuUsage(started);
    spacedOutMs.push((used.user + used.system) / 1000);
  }

  const report = evaluatePolicy(policy, cases);
  const best = median(perRun);
  return {
    promptsPerSecond: Math.round(best),
    runs: perRun.map(Math.round),
    microsecondsPerPrompt: Number((1e6 / best).toFixed(1)),
    promptLength: PROMPT_LENGTH,
    distinctPrompts: prompts.length,
    refusedShare: prompts.filter((p) => !policy.check(p).allowed).length / prompts.length,
    unseenWordsPromptsPerSecond: Math.round(median(unseenRuns)),
    spacedOutPromptMs: Number(median(spacedOutMs).toFixed(1)),
    evaluation: {
      recall: report.recall,
      falsePositiveRate: report.falsePositiveRate,
      refuseTotal: report.refuseTotal,
      allowTotal: report.allowTotal,
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await policyBench();
  console.log(`Prompt policy, one core, ${r.promptLength}-character prompts (${r.distinctPrompts} distinct,`);
  console.log(`${(r.refusedShare * 100).toFixed(0)}% refused), median of ${r.runs.length} runs:`);
  console.log(`  ${r.promptsPerSecond} prompts/s (${r.microsecondsPerPrompt} µs a prompt); runs: ${r.runs.join(', ')}`);
  console.log(`  prompts of words never seen before (cold caches): ${r.unseenWordsPromptsPerSecond} prompts/s`);
  console.log(`  one 4,000-character spaced-out prompt (worst case, cold caches): ${r.spacedOutPromptMs} ms`);
  const e = r.evaluation;
  console.log(
    `  evaluation: recall ${e.recall.toFixed(4)} on ${e.refuseTotal} must-refuse, false-positive rate ${e.falsePositiveRate.toFixed(4)} on ${e.allowTotal} must-allow`,
  );
}
