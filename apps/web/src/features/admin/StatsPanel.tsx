import { MODELS, zModelId } from '@mediagen/contract';
import { getStats } from '../../api/admin.ts';
import { Banner } from '../../components/Banner.tsx';
import { BarChart } from '../../components/BarChart.tsx';
import { formatDuration } from '../../i18n/formatDuration.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { usePolled } from './usePolled.ts';

function modelLabel(id: string): string {
  const parsed = zModelId.safeParse(id);
  return parsed.success ? MODELS[parsed.data].label : id;
}

/** Jobs per model per day as inline SVG bars, plus success rate and mean queue/GPU time. */
export function StatsPanel() {
  const { t } = useI18n();
  const stats = usePolled(getStats, 30_000);
  const d = stats.data;
  const series = d
    ? [...new Set(d.per_model_per_day.map((r) => r.model))].map((key) => ({ key, label: modelLabel(key) }))
    : [];
  return (
    <section className="panel" aria-labelledby="admin-stats-title" data-testid="admin-stats">
      <header className="panel__head">
        <h2 id="admin-stats-title">{t('admin.stats')}</h2>
      </header>
      {stats.error ? (
        <Banner tone="error" title={t(`error.${stats.error.code}`)}>
          {stats.error.message}
        </Banner>
      ) : null}
      {d ? (
        <>
          <dl className="kpis">
            <div>
              <dt>{t('admin.successRate')}</dt>
              <dd data-testid="stat-success">
                {d.success_rate === null ? '—' : `${(d.success_rate * 100).toFixed(1)}%`}
              </dd>
            </div>
            <div>
              <dt>{t('admin.meanQueue')}</dt>
              <dd>{d.mean_queue_seconds === null ? '—' : formatDuration(t, d.mean_queue_seconds)}</dd>
            </div>
            <div>
              <dt>{t('admin.meanGpu')}</dt>
              <dd>{d.mean_gpu_seconds === null ? '—' : formatDuration(t, d.mean_gpu_seconds)}</dd>
            </div>
          </dl>
          {d.per_model_per_day.length > 0 ? (
            <BarChart
              data={d.per_model_per_day.map((r) => ({
                group: r.day,
                series: r.model,
                ok: r.completed,
                failed: r.failed,
              }))}
              series={series}
              title={t('admin.chartTitle')}
              okLabel={t('admin.completed')}
              failedLabel={t('admin.failed')}
              testId="stats-chart"
            />
          ) : (
            <p className="empty">{t('admin.noStats')}</p>
          )}
        </>
      ) : null}
    </section>
  );
}
