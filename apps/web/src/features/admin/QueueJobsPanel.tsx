import { useState } from 'react';
import { MODELS, zLane, type Lane } from '@mediagen/contract';
import { cancelQueueJob, getQueueJobs, moveJobToFront, setLanePaused } from '../../api/admin.ts';
import { Badge } from '../../components/Badge.tsx';
import { Banner } from '../../components/Banner.tsx';
import { formatDuration } from '../../i18n/formatDuration.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { usePolled } from './usePolled.ts';

/** The whole queue: every job with its user, model, lane and age; cancel, move to front, pause a lane. */
export function QueueJobsPanel() {
  const { t } = useI18n();
  const q = usePolled(getQueueJobs, 2000);
  const [error, setError] = useState<string | null>(null);
  const act = (p: Promise<unknown>): void => {
    setError(null);
    p.then(q.reload, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  const paused = new Set<Lane>(q.data?.paused_lanes ?? []);
  return (
    <section className="panel panel--wide" aria-labelledby="admin-jobs-title" data-testid="admin-jobs">
      <header className="panel__head">
        <h2 id="admin-jobs-title">{t('adminJobs.title')}</h2>
        <div className="lane-controls">
          {zLane.options.map((lane) => (
            <button
              key={lane}
              type="button"
              className="btn btn--small"
              data-testid={`lane-${paused.has(lane) ? 'resume' : 'pause'}-${lane}`}
              aria-pressed={paused.has(lane)}
              onClick={() => act(setLanePaused(lane, !paused.has(lane)))}
            >
              {paused.has(lane)
                ? t('adminJobs.resume', { lane: t(`lane.${lane}`) })
                : t('adminJobs.pause', { lane: t(`lane.${lane}`) })}
            </button>
          ))}
        </div>
      </header>
      {paused.size > 0 ? (
        <p className="field__hint" data-testid="paused-lanes">
          {t('adminJobs.paused', { lanes: [...paused].map((l) => t(`lane.${l}`)).join(', ') })}
        </p>
      ) : null}
      {error || q.error ? <Banner tone="error">{error ?? q.error?.message}</Banner> : null}
      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="admin-jobs-title">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('adminJobs.status')}</th>
              <th scope="col">{t('adminJobs.user')}</th>
              <th scope="col">{t('field.model')}</th>
              <th scope="col">{t('admin.lane')}</th>
              <th scope="col">{t('adminJobs.age')}</th>
              <th scope="col">{t('adminJobs.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(q.data?.items ?? []).map((j) => (
              <tr key={j.task_id} data-testid="admin-job" data-task-id={j.task_id} data-status={j.status}>
                <td data-label={t('adminJobs.status')}>
                  <Badge tone={j.status === 'running' ? 'warning' : 'info'}>
                    {j.status === 'running'
                      ? `${t('status.running')} ${Math.round(j.progress)}%`
                      : `${t('status.queued')}${j.queue_position ? ` #${j.queue_position}` : ''}`}
                  </Badge>
                </td>
                <td data-label={t('adminJobs.user')}>{j.user_name}</td>
                <td data-label={t('field.model')} title={j.prompt}>
                  {MODELS[j.model].label}
                </td>
                <td data-label={t('admin.lane')}>
                  {j.lane ? t(`lane.${j.lane}`) : '—'}
                  {j.account_name ? ` · ${j.account_name}` : ''}
                </td>
                <td data-label={t('adminJobs.age')}>{formatDuration(t, j.age_seconds)}</td>
                <td data-label={t('adminJobs.actions')} className="table__actions">
                  {j.status === 'queued' ? (
                    <button
                      type="button"
                      className="btn btn--small"
                      data-testid="admin-job-front"
                      onClick={() => act(moveJobToFront(j.task_id))}
                    >
                      {t('adminJobs.front')}
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className="btn btn--small btn--danger"
                    data-testid="admin-job-cancel"
                    onClick={() => act(cancelQueueJob(j.task_id))}
                  >
                    {t('job.cancel')}
                  </button>
                </td>
              </tr>
            ))}
            {q.data && q.data.items.length === 0 ? (
              <tr>
                <td colSpan={6} className="empty">
                  {t('adminJobs.empty')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
