import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../api/ApiError.ts';
import { formatDuration } from '../../i18n/formatDuration.ts';
import { useI18n } from '../../i18n/useI18n.ts';

/**
 * Key sign-in form state shared by the access-key screen and the admin login: the key is sent once,
 * the field is cleared whatever the answer, and the error becomes guidance text.
 */
export function useKeyLogin(
  onLogin: (key: string) => Promise<ApiError | null>,
  badKey: { statuses: readonly number[]; text: string },
) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!key.trim() || busy) return;
    setBusy(true);
    setError(null);
    const problem = await onLogin(key.trim());
    setKey('');
    setBusy(false);
    setError(problem);
  };

  const message = error
    ? badKey.statuses.includes(error.status)
      ? badKey.text
      : error.status === 429
        ? t('auth.tooMany', { time: formatDuration(t, error.retryAfterSeconds ?? 60) })
        : `${t(`error.${error.code}`)}: ${error.message}`
    : undefined;
  return { key, setKey, busy, submit, message };
}
