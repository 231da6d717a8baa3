import { useEffect, useState } from 'react';
import { getHealth } from '../api/endpoints.ts';
import { Banner } from '../components/Banner.tsx';
import { useI18n } from '../i18n/useI18n.ts';

/** SPEC §7: the UI says plainly when the backend is the ComfyUI simulator. */
export function SimulatorBanner() {
  const { t } = useI18n();
  const [simulated, setSimulated] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    getHealth(controller.signal).then(
      (h) => setSimulated(h.simulated),
      () => undefined,
    );
    return () => controller.abort();
  }, []);
  if (!simulated) return null;
  return (
    <Banner tone="info" testId="simulator-banner" title={t('sim.title')}>
      <span className="banner__text">{t('sim.text')}</span>
    </Banner>
  );
}
