import { useState } from 'react';
import type { SessionInfo } from '@mediagen/contract';
import { Modal } from '../components/Modal.tsx';
import { MyData } from '../features/account/MyData.tsx';
import { WebhookSettingsForm } from '../features/account/WebhookSettings.tsx';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';
import { useI18n } from '../i18n/useI18n.ts';
import type { Route } from './useRoute.ts';

export function Header({
  route,
  navigate,
  session,
  onLogout,
}: {
  route: Route;
  navigate: (path: string) => void;
  session: SessionInfo;
  onLogout: () => void;
}) {
  const { t } = useI18n();
  const [webhooksOpen, setWebhooksOpen] = useState(false);
  const [myDataOpen, setMyDataOpen] = useState(false);
  const link = (path: string, to: Route, label: string, testId: string) => (
    <a
      href={path}
      className={`nav__link${route === to ? ' nav__link--on' : ''}`}
      aria-current={route === to ? 'page' : undefined}
      data-testid={testId}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return; // let "open in new tab" work
        e.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );
  const { user } = session;
  return (
    <header className="topbar">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <span className="brand">MediaGen</span>
      <nav className="nav" aria-label={t('nav.label')}>
        {link('/', 'studio', t('nav.studio'), 'nav-studio')}
        {link('/gallery', 'gallery', t('nav.gallery'), 'nav-gallery')}
      </nav>
      <div className="topbar__end">
        <LanguageSwitch />
        <span className="user" data-testid="user-badge">
          <span className="user__name" data-testid="user-name">
            {user.name}
          </span>
          {user.credits !== null ? (
            <span className="user__credits" data-testid="user-credits">
              {t('header.credits', { n: user.credits })}
            </span>
          ) : null}
        </span>
        <button
          type="button"
          className="btn btn--ghost btn--small"
          data-testid="open-webhooks"
          onClick={() => setWebhooksOpen(true)}
        >
          {t('header.webhooks')}
        </button>
        <button
          type="button"
          className="btn btn--ghost btn--small"
          data-testid="open-my-data"
          onClick={() => setMyDataOpen(true)}
        >
          {t('header.myData')}
        </button>
        {session.auth_mode === 'key' ? (
          <button type="button" className="btn btn--ghost btn--small" data-testid="logout" onClick={onLogout}>
            {t('auth.signOut')}
          </button>
        ) : null}
      </div>
      {webhooksOpen ? (
        <Modal
          title={t('webhooks.title')}
          closeLabel={t('action.close')}
          onClose={() => setWebhooksOpen(false)}
          testId="webhooks-dialog"
        >
          <WebhookSettingsForm />
        </Modal>
      ) : null}
      {myDataOpen ? (
        <Modal
          title={t('myData.title')}
          closeLabel={t('action.close')}
          onClose={() => setMyDataOpen(false)}
          testId="my-data-dialog"
        >
          <MyData />
        </Modal>
      ) : null}
    </header>
  );
}
