import type { Translate } from './catalog.ts';

/** 18 → "18 s", 95 → "1 min 35 s" (units from the catalog, so Russian reads "1 мин 35 с"). */
export function formatDuration(t: Translate, totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return t('time.seconds', { n: s });
  const min = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? t('time.minutes', { n: min }) : t('time.minutesSeconds', { m: min, s: rest });
}
