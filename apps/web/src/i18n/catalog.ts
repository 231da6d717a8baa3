import en from '../locales/en.json';
import ru from '../locales/ru.json';

export type MessageKey = keyof typeof en;
export type Lang = 'en' | 'ru';
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

export const LANGS: readonly Lang[] = ['en', 'ru'];

// Typed against the English keys: a key missing from ru.json fails the typecheck.
const ruCatalog: Record<MessageKey, string> = ru;
export const CATALOGS: Readonly<Record<Lang, Record<MessageKey, string>>> = { en, ru: ruCatalog };

/** UI language only; never a key or token (SPEC §5). */
export const LANG_STORAGE_KEY = 'mediagen.lang';

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'ru';
}

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const text = CATALOGS[lang][key] ?? CATALOGS.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

function readStoredLang(): Lang | undefined {
  try {
    const stored = globalThis.localStorage?.getItem(LANG_STORAGE_KEY);
    return isLang(stored) ? stored : undefined;
  } catch {
    return undefined; // storage blocked (privacy mode): fall back to the browser language
  }
}

export function storeLang(lang: Lang): void {
  try {
    globalThis.localStorage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // not fatal: the choice just will not survive a reload
  }
}

/** Remembered choice first, then Russian when the browser language starts with `ru`. */
export function detectLang(): Lang {
  const stored = readStoredLang();
  if (stored) return stored;
  const nav = typeof navigator === 'undefined' ? '' : (navigator.language ?? '');
  return nav.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}
