import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../api/ApiError.ts';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { formatDuration } from '../../i18n/formatDuration.ts';
import { useI18n } from '../../i18n/useI18n.ts';

export function AdminLogin({ onLogin }: { onLogin: (key: string) => Promise<ApiError | null> }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!key.trim() || busy) return;
    setBusy(true);
    const problem = await onLogin(key.trim());
    setKey('');
    setBusy(false);
    setError(problem);
  };
  const message = error
    ? error.status === 401 || error.status === 403 ? t('admin.badKey')
      : error.status === 429 ? t('auth.tooMany', { time: formatDuration(t, error.retryAfterSeconds ?? 60) })
        : `${t(`error.${error.code}`)}: ${error.message}`
    : undefined;
  return (
    <div className="auth-card">
      <h1>{t('admin.loginTitle')}</h1>
      <p className="field__hint">{t('admin.loginExplain')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FieldShell id="f-admin-key" label={t('admin.key')} error={message}>
          <input id="f-admin-key" type="password" autoComplete="off" spellCheck={false} data-testid="admin-key" value={key}
            onChange={(e) => setKey(e.target.value)} aria-invalid={message ? true : undefined}
            aria-describedby={describedBy('f-admin-key', undefined, message)} />
        </FieldShell>
        <button type="submit" className="btn btn--primary" data-testid="admin-login" disabled={busy || key.trim() === ''}>
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
      </form>
    </div>
  );
}
