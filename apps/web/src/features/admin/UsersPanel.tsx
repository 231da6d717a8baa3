import { useState, type FormEvent } from 'react';
import { isApiError } from '../../api/ApiError.ts';
import type { UserCreated, UserListItem } from '@mediagen/contract';
import { createUser, deleteUser, grantCredits, listUsers } from '../../api/admin.ts';
import { Banner } from '../../components/Banner.tsx';
import { patchUserContent } from '../../api/content.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { usePolled } from './usePolled.ts';

/** Users, their access keys (shown once, at creation) and credits. */
export function UsersPanel() {
  const { t, lang } = useI18n();
  const users = usePolled(listUsers, 0);
  const [name, setName] = useState('');
  const [credits, setCredits] = useState('');
  const [created, setCreated] = useState<UserCreated | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const describe = (err: unknown): string =>
    isApiError(err) ? `${t(`error.${err.code}`)}: ${err.message}` : String(err);

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!name.trim()) {
      setError(t('admin.nameRequired'));
      return;
    }
    const amount = credits.trim() === '' ? undefined : Number(credits);
    if (amount !== undefined && (!Number.isInteger(amount) || amount < 0)) {
      setError(t('admin.badCredits'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setCreated(await createUser(name.trim(), amount));
      setName('');
      setCredits('');
      users.reload();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="admin-users-title" data-testid="admin-users">
      <header className="panel__head">
        <h2 id="admin-users-title">{t('admin.users')}</h2>
        <button type="button" className="btn btn--ghost btn--small" onClick={users.reload}>
          {t('action.refresh')}
        </button>
      </header>
      {users.error ? (
        <Banner tone="error" title={t(`error.${users.error.code}`)}>
          {users.error.message}
        </Banner>
      ) : null}
      {error ? (
        <Banner tone="error" onDismiss={() => setError(null)} dismissLabel={t('action.dismiss')}>
          {error}
        </Banner>
      ) : null}
      {created ? (
        <Banner
          tone="success"
          title={t('admin.keyCreated', { name: created.name })}
          onDismiss={() => setCreated(null)}
          dismissLabel={t('action.dismiss')}
        >
          <span className="banner__text">{t('admin.keyOnce')}</span>
          <span className="key-box">
            <code data-testid="user-key">{created.access_key}</code>
            <CopyButton
              text={created.access_key}
              label={t('action.copy')}
              copiedLabel={t('action.copied')}
              testId="user-key-copy"
            />
          </span>
        </Banner>
      ) : null}

      <form className="inline-form" onSubmit={(e) => void create(e)} noValidate>
        <FieldShell id="u-name" label={t('admin.name')}>
          <input id="u-name" data-testid="user-name-input" value={name} onChange={(e) => setName(e.target.value)} />
        </FieldShell>
        <FieldShell id="u-credits" label={t('admin.initialCredits')} hint={t('admin.creditsHint')}>
          <input
            id="u-credits"
            type="number"
            min={0}
            step={1}
            data-testid="user-credits-input"
            value={credits}
            onChange={(e) => setCredits(e.target.value)}
            aria-describedby={describedBy('u-credits', true, undefined)}
          />
        </FieldShell>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="user-create">
          {t('admin.createUser')}
        </button>
      </form>

      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="admin-users-title">
        <table className="table table--cards">
          <thead>
            <tr>
              <th scope="col">{t('admin.name')}</th>
              <th scope="col">{t('admin.credits')}</th>
              <th scope="col">{t('admin.created')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <UserRow
                key={u.id}
                user={u}
                lang={lang}
                onChanged={users.reload}
                onError={(err) => setError(describe(err))}
              />
            ))}
            {users.data && users.data.length === 0 ? (
              <tr>
                <td colSpan={4} className="empty">
                  {t('admin.noUsers')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function UserRow({
  user,
  lang,
  onChanged,
  onError,
}: {
  user: UserListItem;
  lang: string;
  onChanged: () => void;
  onError: (err: unknown) => void;
}) {
  const { t } = useI18n();
  const [amount, setAmount] = useState('');
  const grant = (): void => {
    const n = Number(amount);
    if (!Number.isInteger(n) || n === 0) {
      onError(new Error(t('admin.badAmount')));
      return;
    }
    grantCredits(user.id, n).then(() => {
      setAmount('');
      onChanged();
    }, onError);
  };
  return (
    <tr data-testid="user-row" data-user-id={user.id}>
      <td data-label={t('admin.name')}>
        <strong>{user.name}</strong>
      </td>
      <td data-label={t('admin.credits')} data-testid="user-row-credits">
        {user.credits === null ? t('admin.unlimited') : user.credits}
      </td>
      <td data-label={t('admin.created')}>{new Date(user.created_at).toLocaleDateString(lang)}</td>
      <td data-label={t('admin.actions')} className="row-actions">
        <input
          type="number"
          step={1}
          className="input--small"
          aria-label={t('admin.grantAmount', { name: user.name })}
          data-testid="user-grant-amount"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <button type="button" className="btn btn--small" data-testid="user-grant" onClick={grant}>
          {t('admin.grant')}
        </button>
        <label className="check">
          <input
            type="checkbox"
            data-testid="user-sfw"
            checked={user.sfw}
            aria-label={t('admin.sfwFor', { name: user.name })}
            onChange={(e) => patchUserContent(user.id, { sfw: e.target.checked }).then(onChanged, onError)}
          />
          {t('admin.sfw')}
        </label>
        <input
          type="number"
          min={1}
          step={1}
          className="input--small"
          data-testid="user-retention"
          placeholder={t('admin.retention')}
          aria-label={t('admin.retentionFor', { name: user.name })}
          defaultValue={user.retention_days ?? ''}
          onBlur={(e) => {
            const v = e.target.value.trim();
            const days = v === '' ? null : Number(v);
            if (days === user.retention_days || (days !== null && (!Number.isInteger(days) || days < 1))) return;
            patchUserContent(user.id, { retention_days: days }).then(onChanged, onError);
          }}
        />
        <ConfirmButton
          label={t('admin.delete')}
          confirmLabel={t('admin.confirmDelete')}
          cancelLabel={t('action.cancel')}
          question={t('admin.deleteUserQuestion', { name: user.name })}
          testId="user-delete"
          onConfirm={() => deleteUser(user.id).then(onChanged, onError)}
        />
      </td>
    </tr>
  );
}
