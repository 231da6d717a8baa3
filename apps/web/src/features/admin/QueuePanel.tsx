import { MODELS } from '@mediagen/contract';
import { getQueue } from '../../api/admin.ts';
import { Badge } from '../../components/Badge.tsx';
import { Banner } from '../../components/Banner.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { usePolled } from './usePolled.ts';

/** Lanes, queue depths and the degraded-mode flag (video running on shared lanes, SPEC §6). */
export function QueuePanel() {
  const { t } = useI18n();
  const q = usePolled(getQueue, 3000);
  return (
    <section className="panel" aria-labelledby="admin-queue-title" data-testid="admin-queue">
      <header className="panel__head">
        <h2 id="admin-queue-title">{t('admin.queue')}</h2>
        {q.data ? (
          q.data.degraded ? (
            <Badge tone="warning" testId="degraded-flag" title={t('admin.degradedExplain')}>
              {t('admin.degraded')}
            </Badge>
          ) : (
            <Badge tone="success" testId="degraded-flag">
              {t('admin.normal')}
            </Badge>
          )
        ) : null}
      </header>
      {q.error ? (
        <Banner tone="error" title={t(`error.${q.error.code}`)}>
          {q.error.message}
        </Banner>
      ) : null}
      {q.data ? (
        <>
          {q.data.degraded ? <p className="field__hint">{t('admin.degradedExplain')}</p> : null}
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="admin-queue-title">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('admin.lane')}</th>
                  <th scope="col">{t('admin.depth')}</th>
                  <th scope="col">{t('admin.running')}</th>
                  <th scope="col">{t('admin.readyAccounts')}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.lanes.map((l) => (
                  <tr key={l.lane} data-testid="queue-lane" data-lane={l.lane}>
                    <td data-label={t('admin.lane')}>{l.lane}</td>
                    <td data-label={t('admin.depth')}>{l.depth}</td>
                    <td data-label={t('admin.running')}>{l.running}</td>
                    <td data-label={t('admin.readyAccounts')}>{l.accounts_ready}</td>
                  </tr>
                ))}
                {q.data.lanes.length === 0 ? (
                  <tr>
                    <td colSpan={4} className="empty">
                      {t('admin.noLanes')}
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <p className="field__hint" data-testid="waiting-video">
            {q.data.degraded
              ? t('admin.waitingVideoDegraded', { n: q.data.waiting_video, max: q.data.degraded_max_waiting })
              : t('admin.waitingVideo', { n: q.data.waiting_video })}
          </p>
          {q.data.running.length > 0 ? (
            <ul className="running-list">
              {q.data.running.map((j) => (
                <li key={j.task_id} data-testid="running-job">
                  <code>{j.task_id.slice(0, 8)}</code> {MODELS[j.model].label}
                  {j.account_name ? ` · ${j.account_name}` : ''} · {Math.round(j.progress)}%
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
