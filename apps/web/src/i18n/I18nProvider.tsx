import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { detectLang, storeLang, translate, type Lang, type MessageKey, type Vars } from './catalog.ts';
import { setRequestLanguage } from '../api/http.ts';
import { I18nContext, type I18n } from './context.ts';

export function I18nProvider({ children, initialLang }: { children: ReactNode; initialLang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => initialLang ?? detectLang());

  useEffect(() => {
    document.documentElement.lang = lang;
    // the server words its user_action texts (e.g. a policy refusal) in the UI's language
    setRequestLanguage(lang);
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    storeLang(next);
  }, []);

  const t = useCallback((key: MessageKey, vars?: Vars) => translate(lang, key, vars), [lang]);
  const value = useMemo<I18n>(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
