import type { PolicyCategory } from './prompt-policy.ts';

export type PolicyLanguage = 'en' | 'ru';

const MESSAGES: Record<'always' | 'minor+sexual', Record<PolicyLanguage, string>> = {
  'minor+sexual': {
    en: 'This prompt combines a minor with sexual content, which is not allowed. Remove one of them.',
    ru: 'Запрос сочетает несовершеннолетнего и сексуальное содержание — так нельзя. Уберите одно из двух.',
  },
  always: {
    en: 'This prompt asks for sexual abuse material involving children, which is never allowed.',
    ru: 'Запрос касается материалов сексуального насилия над детьми — такие запросы не принимаются никогда.',
  },
};

/**
 * What the user should do about a refusal, in their language. It names the category combination only, never the
 * words that matched (they would teach how to get around the policy, and repeat the prompt back).
 */
export function policyUserAction(categories: readonly PolicyCategory[], lang: PolicyLanguage): string {
  return MESSAGES[categories.includes('always') ? 'always' : 'minor+sexual'][lang];
}
