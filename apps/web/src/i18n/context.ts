import { createContext } from 'react';
import type { Lang, Translate } from './catalog.ts';

export interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

export const I18nContext = createContext<I18n | null>(null);
