import { useState } from 'react';
import { useI18n } from '../../i18n/useI18n.ts';
import { askNotificationPermission, readAlertMode, storeAlertMode, type AlertMode } from './jobAlerts.ts';
import { JobCard } from './JobCard.tsx';
import type { TasksControl } from './useTasks.ts';

export function TaskList({
  tasks,
  onReuse,
  onUseAsReference,
}: {
  tasks: TasksControl;
  onReuse: (params: Record<string, unknown>) => void;
  onUseAsReference: (value: string, previewUrl: string) => void;
}) {
  const { t } = useI18n();
  const [alerts, setAlerts] = useState<AlertMode>(readAlertMode);
  const [note, setNote] = useState<string | null>(null);
  const chooseAlerts = async (mode: AlertMode): Promise<void> => {
    if (mode === 'notification' && !(await askNotificationPermission())) {
      setNote(t('jobs.notifyDenied'));
      mode = 'sound';
    }
    setAlerts(mode);
    storeAlertMode(mode);
  };
  return (
    <section className="jobs" aria-labelledby="jobs-title" data-testid="job-list">
      <div className="jobs__bar">
        <h2 id="jobs-title" className="section-title">
          {t('jobs.title')}
        </h2>
        <label className="jobs__alerts">
          <span>{t('jobs.alerts')}</span>
          <select
            value={alerts}
            data-testid="job-alerts"
            onChange={(e) => void chooseAlerts(e.target.value as AlertMode)}
          >
            <option value="off">{t('jobs.alertsOff')}</option>
            <option value="sound">{t('jobs.alertsSound')}</option>
            <option value="notification">{t('jobs.alertsNotification')}</option>
          </select>
        </label>
        {tasks.queued > 1 ? (
          <button
            type="button"
            className="btn btn--small"
            data-testid="cancel-queued"
            onClick={() => {
              void tasks.cancelQueued().then((n) => setNote(t('jobs.cancelledQueued', { n })));
            }}
          >
            {t('jobs.cancelQueued', { n: tasks.queued })}
          </button>
        ) : null}
      </div>
      {note ? (
        <p className="field__hint" role="status">
          {note}
        </p>
      ) : null}
      {tasks.loaded && tasks.tasks.length === 0 ? <p className="empty">{t('jobs.empty')}</p> : null}
      {tasks.tasks.map((task) => (
        <JobCard
          key={task.id}
          task={task}
          onCancel={tasks.cancel}
          onRetry={(id) => {
            tasks.retry(id).catch((err: unknown) => setNote(err instanceof Error ? err.message : String(err)));
          }}
          onDismiss={tasks.dismiss}
          onReuse={onReuse}
          onUseAsReference={onUseAsReference}
        />
      ))}
    </section>
  );
}
