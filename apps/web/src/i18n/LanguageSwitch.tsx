import { isLang, LANGS } from './catalog.ts';
import { useI18n } from './useI18n.ts';

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <select
      className="lang-switch"
      data-testid="lang-switch"
      aria-label={t('lang.label')}
      value={lang}
      onChange={(e) => {
        if (isLang(e.target.value)) setLang(e.target.value);
      }}
    >
      {LANGS.map((l) => (
        <option key={l} value={l}>
          {l === 'en' ? 'English' : 'Русский'}
        </option>
      ))}
    </select>
  );
}
