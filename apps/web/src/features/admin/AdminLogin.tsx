import type { ApiError } from '../../api/ApiError.ts';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { useKeyLogin } from '../auth/useKeyLogin.ts';

export function AdminLogin({ onLogin }: { onLogin: (key: string) => Promise<ApiError | null> }) {
  const { t } = useI18n();
  const { key, setKey, busy, submit, message } = useKeyLogin(onLogin, {
    statuses: [401, 403],
    text: t('admin.badKey'),
  });
  return (
    <div className="auth-card">
      <h1>{t('admin.loginTitle')}</h1>
      <p className="field__hint">{t('admin.loginExplain')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FieldShell id="f-admin-key" label={t('admin.key')} error={message}>
          <input
            id="f-admin-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            data-testid="admin-key"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-invalid={message ? true : undefined}
            aria-describedby={describedBy('f-admin-key', undefined, message)}
          />
        </FieldShell>
        <button
          type="submit"
          className="btn btn--primary"
          data-testid="admin-login"
          disabled={busy || key.trim() === ''}
        >
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
      </form>
    </div>
  );
}
