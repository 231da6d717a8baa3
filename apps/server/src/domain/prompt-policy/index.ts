// The prompt policy's public face (SPEC §8): the classifier, its term lists, the refusal message, the evaluation.
export { PromptPolicy, type PolicyCategory, type PolicyRule, type PolicyVerdict } from './prompt-policy.ts';
export { mergeTerms, type PolicyTerms } from './policy-terms.ts';
export { policyUserAction, type PolicyLanguage } from './user-action.ts';
export { evaluatePolicy, parseEvalSet, type EvalCase, type EvalReport } from './evaluation.ts';
