import { useState } from 'react';
import type { AccountStatus, AccountView } from '@mediagen/contract';
import { isApiError } from '../../api/ApiError.ts';
import { checkAccount, deleteAccount, listAccounts, patchAccount } from '../../api/admin.ts';
import { Badge, type BadgeTone } from '../../components/Badge.tsx';
import { Banner } from '../../components/Banner.tsx';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { AccountReadiness } from './AccountReadiness.tsx';
import { AddAccountForm } from './AddAccountForm.tsx';
import { usePolled } from './usePolled.ts';

const TONE: Record<AccountStatus, BadgeTone> = {
  pending: 'info',
  checking: 'warning',
  ready: 'success',
  failed: 'danger',
  disabled: 'muted',
};

const gib = (bytes: number | null): string => (bytes === null ? '—' : `${(bytes / 1024 ** 3).toFixed(1)} GiB`);

/** GPU accounts with their server-authoritative status; the UI only asks for transitions. */
export function AccountsPanel() {
  const { t, lang } = useI18n();
  const accounts = usePolled(listAccounts, 4000);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const run = (id: string, action: () => Promise<void>): void => {
    setBusy(id);
    setActionError(null);
    action()
      .then(accounts.reload, (err: unknown) => {
        setActionError(isApiError(err) ? `${t(`error.${err.code}`)}: ${err.message}` : String(err));
      })
      .finally(() => setBusy(null));
  };

  const row = (a: AccountView) => (
    <tr key={a.id} data-testid="account-row" data-account-id={a.id} data-status={a.status}>
      <td data-label={t('admin.name')}>
        <strong>{a.name}</strong>
      </td>
      <td data-label={t('admin.baseUrl')} className="mono">
        {a.base_url}
      </td>
      <td data-label={t('admin.lane')}>{t(`lane.${a.lane}`)}</td>
      <td data-label={t('admin.models')}>
        <AccountReadiness account={a} />
      </td>
      <td data-label={t('admin.status')}>
        <Badge tone={TONE[a.status]} testId="account-status" title={a.status_reason ?? undefined}>
          {t(`account.${a.status}`)}
        </Badge>
        {a.status_reason ? (
          <span className="status-reason" data-testid="account-reason">
            {a.status_reason}
          </span>
        ) : null}
      </td>
      <td data-label={t('admin.vram')}>{a.vram_total === null ? '—' : `${gib(a.vram_free)} / ${gib(a.vram_total)}`}</td>
      <td data-label={t('admin.lastCheck')}>
        {a.last_checked_at ? new Date(a.last_checked_at).toLocaleString(lang) : '—'}
      </td>
      <td data-label={t('admin.actions')} className="row-actions">
        <button
          type="button"
          className="btn btn--small"
          data-testid="account-check"
          disabled={busy === a.id || a.status === 'disabled' || a.status === 'checking'}
          onClick={() => run(a.id, () => checkAccount(a.id))}
        >
          {t('admin.check')}
        </button>
        {a.status === 'disabled' ? (
          <button
            type="button"
            className="btn btn--small"
            data-testid="account-enable"
            disabled={busy === a.id}
            onClick={() => run(a.id, () => patchAccount(a.id, { status: 'pending' }))}
          >
            {t('admin.enable')}
          </button>
        ) : (
          <button
            type="button"
            className="btn btn--small"
            data-testid="account-disable"
            disabled={busy === a.id}
            onClick={() => run(a.id, () => patchAccount(a.id, { status: 'disabled' }))}
          >
            {t('admin.disable')}
          </button>
        )}
        <ConfirmButton
          label={t('admin.delete')}
          confirmLabel={t('admin.confirmDelete')}
          cancelLabel={t('action.cancel')}
          question={t('admin.deleteAccountQuestion', { name: a.name })}
          testId="account-delete"
          disabled={busy === a.id}
          onConfirm={() => run(a.id, () => deleteAccount(a.id))}
        />
      </td>
    </tr>
  );

  return (
    <section className="panel" aria-labelledby="admin-accounts-title" data-testid="admin-accounts">
      <header className="panel__head">
        <h2 id="admin-accounts-title">{t('admin.accounts')}</h2>
        <button type="button" className="btn btn--ghost btn--small" onClick={accounts.reload}>
          {t('action.refresh')}
        </button>
      </header>
      {accounts.error ? (
        <Banner tone="error" title={t(`error.${accounts.error.code}`)}>
          {accounts.error.message}
        </Banner>
      ) : null}
      {actionError ? (
        <Banner
          tone="error"
          testId="account-action-error"
          onDismiss={() => setActionError(null)}
          dismissLabel={t('action.dismiss')}
        >
          {actionError}
        </Banner>
      ) : null}
      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="admin-accounts-title">
        <table className="table table--cards">
          <thead>
            <tr>
              <th scope="col">{t('admin.name')}</th>
              <th scope="col">{t('admin.baseUrl')}</th>
              <th scope="col">{t('admin.lane')}</th>
              <th scope="col">{t('admin.models')}</th>
              <th scope="col">{t('admin.status')}</th>
              <th scope="col">{t('admin.vram')}</th>
              <th scope="col">{t('admin.lastCheck')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(accounts.data ?? []).map(row)}
            {accounts.data && accounts.data.length === 0 ? (
              <tr>
                <td colSpan={8} className="empty">
                  {t('admin.noAccounts')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <AddAccountForm onAdded={accounts.reload} />
    </section>
  );
}
