import { Banner } from '../../components/Banner.tsx';
import { LanguageSwitch } from '../../i18n/LanguageSwitch.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { AccountsPanel } from './AccountsPanel.tsx';
import { AdminLogin } from './AdminLogin.tsx';
import { LoraCatalogPanel } from './LoraCatalogPanel.tsx';
import { QueueJobsPanel } from './QueueJobsPanel.tsx';
import { QueuePanel } from './QueuePanel.tsx';
import { StatsPanel } from './StatsPanel.tsx';
import { UsersPanel } from './UsersPanel.tsx';
import { useAdminSession } from './useAdminSession.ts';

/** /admin — its own session (gg_admin cookie), independent of the user session. */
export default function AdminPage({ onNavigate }: { onNavigate: (path: string) => void }) {
  const { t } = useI18n();
  const admin = useAdminSession();
  return (
    <div className="app app--admin">
      <header className="topbar">
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            onNavigate('/');
          }}
        >
          MediaGen
        </a>
        <span className="topbar__section">{t('admin.title')}</span>
        <div className="topbar__end">
          <LanguageSwitch />
          {admin.phase === 'signed_in' ? (
            <button
              type="button"
              className="btn btn--ghost btn--small"
              data-testid="admin-logout"
              onClick={() => void admin.logout()}
            >
              {t('auth.signOut')}
            </button>
          ) : null}
        </div>
      </header>
      <main className="admin" id="main">
        {admin.phase === 'signed_out' ? null : <h1 className="admin__title">{t('admin.title')}</h1>}
        {admin.phase === 'loading' ? (
          <p className="empty" role="status">
            {t('app.loading')}
          </p>
        ) : null}
        {admin.phase === 'error' && admin.error ? (
          <Banner tone="error" title={t(`error.${admin.error.code}`)} testId="error-banner">
            <span className="banner__text">{admin.error.message}</span>
            <button type="button" className="btn btn--small" onClick={admin.retry}>
              {t('action.retry')}
            </button>
          </Banner>
        ) : null}
        {admin.phase === 'signed_out' ? <AdminLogin onLogin={admin.login} /> : null}
        {admin.phase === 'signed_in' ? (
          <div className="admin__grid">
            <QueuePanel />
            <QueueJobsPanel />
            <AccountsPanel />
            <UsersPanel />
            <LoraCatalogPanel />
            <StatsPanel />
          </div>
        ) : null}
      </main>
    </div>
  );
}
