import { describe, expect, it } from 'vitest';
import { policyUserAction } from './user-action.ts';

describe('policyUserAction', () => {
  it('names the category combination in the request language', () => {
    expect(policyUserAction(['minor', 'sexual'], 'en')).toBe(
      'This prompt combines a minor with sexual content, which is not allowed. Remove one of them.',
    );
    expect(policyUserAction(['minor', 'sexual'], 'ru')).toMatch(/несовершеннолетн.*сексуальн/);
    expect(policyUserAction(['always'], 'en')).toMatch(/abuse material/);
    expect(policyUserAction(['always'], 'ru')).toMatch(/насилия над детьми/);
  });

  it('differs between languages and never quotes the prompt', () => {
    expect(policyUserAction(['minor', 'sexual'], 'ru')).not.toBe(policyUserAction(['minor', 'sexual'], 'en'));
    expect(policyUserAction(['always'], 'ru')).toMatch(/^[^a-z]*$/i);
  });
});
