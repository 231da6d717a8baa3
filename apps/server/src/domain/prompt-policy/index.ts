// The prompt policy's public face (SPEC §8): the classifier, its term lists, the refusal message, the evaluation.
export { PromptPolicy } from './prompt-policy.ts';
export { mergeTerms, type PolicyTerms } from './policy-terms.ts';
export { policyUserAction } from './user-action.ts';
export { evaluatePolicy, parseEvalSet, type EvalCase } from './evaluation.ts';
