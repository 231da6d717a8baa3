import { lazy, Suspense } from 'react';
import { AccessKeyScreen } from '../features/auth/AccessKeyScreen.tsx';
import { useSession } from '../features/auth/useSession.ts';
import { Banner } from '../components/Banner.tsx';
import { I18nProvider } from '../i18n/I18nProvider.tsx';
import { useI18n } from '../i18n/useI18n.ts';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { useRoute, type Route } from './useRoute.ts';
import { Workspace } from './Workspace.tsx';

// The admin console is a separate chunk: end users never download it.
const AdminPage = lazy(() => import('../features/admin/AdminPage.tsx'));

function Loading() {
  const { t } = useI18n();
  return (
    <p className="splash" role="status">
      {t('app.loading')}
    </p>
  );
}

function Crash({ error, reset }: { error: Error; reset: () => void }) {
  const { t } = useI18n();
  return (
    <main className="auth-screen">
      <Banner tone="error" title={t('app.crashed')} testId="crash-banner">
        <span className="banner__text">{error.message}</span>
        <button type="button" className="btn btn--small" onClick={reset}>
          {t('action.retry')}
        </button>
      </Banner>
    </main>
  );
}

function UserApp({ route, navigate }: { route: Route; navigate: (path: string) => void }) {
  const { t } = useI18n();
  const session = useSession();
  const s = session.state;
  switch (s.phase) {
    case 'loading':
      return <Loading />;
    case 'signed_out':
      return <AccessKeyScreen onLogin={session.login} expired={s.expired} />;
    case 'error':
      return (
        <main className="auth-screen">
          <Banner tone="error" title={t(`error.${s.error.code}`)} testId="error-banner">
            <span className="banner__text">{t('app.unreachable')}</span>
            <button type="button" className="btn btn--small" onClick={session.retry}>
              {t('action.retry')}
            </button>
          </Banner>
        </main>
      );
    case 'signed_in':
      return (
        <Workspace
          session={s.session}
          route={route}
          navigate={navigate}
          onLogout={() => void session.logout()}
          onJobFinished={session.refresh}
        />
      );
  }
}

export function App() {
  const { route, navigate } = useRoute();
  return (
    <I18nProvider>
      <ErrorBoundary fallback={(error, reset) => <Crash error={error} reset={reset} />}>
        {route === 'admin' ? (
          <Suspense fallback={<Loading />}>
            <AdminPage onNavigate={navigate} />
          </Suspense>
        ) : (
          <UserApp route={route} navigate={navigate} />
        )}
      </ErrorBoundary>
    </I18nProvider>
  );
}
