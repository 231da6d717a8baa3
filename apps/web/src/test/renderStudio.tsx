import { render, type RenderResult } from '@testing-library/react';
import { StudioScreen } from '../app/StudioScreen.tsx';
import { useStudio } from '../app/useStudio.ts';
import type { Lang } from '../i18n/catalog.ts';
import { I18nProvider } from '../i18n/I18nProvider.tsx';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';

function StudioHarness() {
  const studio = useStudio();
  return (
    <>
      <LanguageSwitch />
      <StudioScreen studio={studio} />
    </>
  );
}

/** The studio as Workspace composes it, without session and routing. */
export function renderStudio(lang?: Lang): RenderResult {
  return render(
    <I18nProvider {...(lang ? { initialLang: lang } : {})}>
      <StudioHarness />
    </I18nProvider>,
  );
}
