import { getStorageReport } from '../../api/content.ts';
import { Banner } from '../../components/Banner.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { usePolled } from './usePolled.ts';

const mb = (bytes: number): string => (bytes / 1048576).toFixed(1);

/** What the stored media weigh: per user and per model, the oldest item, the retention in force. */
export function StoragePanel() {
  const { t, lang } = useI18n();
  const s = usePolled(getStorageReport, 60_000);
  const date = (iso: string | null): string => (iso ? new Date(iso).toLocaleDateString(lang) : '—');
  return (
    <section className="panel" aria-labelledby="admin-storage-title" data-testid="admin-storage">
      <header className="panel__head">
        <h2 id="admin-storage-title">{t('admin.storage')}</h2>
      </header>
      {s.error ? (
        <Banner tone="error" title={t(`error.${s.error.code}`)}>
          {s.error.message}
        </Banner>
      ) : null}
      {s.data ? (
        <>
          <p className="field__hint" data-testid="storage-total">
            {t('admin.storageTotal', {
              mb: mb(s.data.total_bytes),
              files: s.data.files,
              oldest: date(s.data.oldest_at),
            })}
            {' · '}
            {s.data.retention_days === null
              ? t('admin.retentionOff')
              : t('admin.retentionDays', { days: s.data.retention_days })}
          </p>
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="admin-storage-title">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('admin.name')}</th>
                  <th scope="col">MB</th>
                  <th scope="col">{t('admin.oldest')}</th>
                  <th scope="col">{t('admin.retention')}</th>
                </tr>
              </thead>
              <tbody>
                {s.data.users.map((u) => (
                  <tr key={u.user_id} data-testid="storage-user">
                    <td data-label={t('admin.name')}>{u.name ?? u.user_id}</td>
                    <td data-label="MB">{mb(u.bytes)}</td>
                    <td data-label={t('admin.oldest')}>{date(u.oldest_at)}</td>
                    <td data-label={t('admin.retention')}>{u.retention_days ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ul className="running-list">
            {s.data.models.map((m) => (
              <li key={m.model} data-testid="storage-model">
                {m.model}: {mb(m.bytes)} MB ({m.files})
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
