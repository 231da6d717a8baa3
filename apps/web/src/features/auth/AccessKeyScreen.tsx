import type { ApiError } from '../../api/ApiError.ts';
import { Banner } from '../../components/Banner.tsx';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { LanguageSwitch } from '../../i18n/LanguageSwitch.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { useKeyLogin } from './useKeyLogin.ts';

/**
 * Sign-in with an access key issued by an admin. The key goes once to POST /api/auth/session,
 * which answers with the HttpOnly cookie; the field is cleared and nothing is stored.
 */
export function AccessKeyScreen({
  onLogin,
  expired,
}: {
  onLogin: (key: string) => Promise<ApiError | null>;
  expired: boolean;
}) {
  const { t } = useI18n();
  const { key, setKey, busy, submit, message } = useKeyLogin(onLogin, { statuses: [401], text: t('auth.invalidKey') });
  return (
    <main className="auth-screen">
      <div className="auth-card">
        <div className="auth-card__top">
          <span className="brand">MediaGen</span>
          <LanguageSwitch />
        </div>
        <h1>{t('auth.title')}</h1>
        <p className="field__hint">{t('auth.explain')}</p>
        {expired ? (
          <Banner tone="warning" testId="session-expired">
            {t('auth.expired')}
          </Banner>
        ) : null}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <FieldShell id="f-access-key" label={t('auth.key')} error={message}>
            <input
              id="f-access-key"
              type="password"
              autoComplete="off"
              spellCheck={false}
              data-testid="access-key"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              aria-invalid={message ? true : undefined}
              aria-describedby={describedBy('f-access-key', undefined, message)}
            />
          </FieldShell>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={busy || key.trim() === ''}
            data-testid="access-key-submit"
          >
            {busy ? t('auth.signingIn') : t('auth.signIn')}
          </button>
        </form>
      </div>
    </main>
  );
}
