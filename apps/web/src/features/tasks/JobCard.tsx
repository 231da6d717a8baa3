import { MODELS } from '@mediagen/contract';
import { Badge, type BadgeTone } from '../../components/Badge.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { formatDuration } from '../../i18n/formatDuration.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { ResultView } from './ResultView.tsx';
import { isTerminal, type TaskEntry } from './useTasks.ts';

const STATUS_TONE: Record<TaskEntry['status'], BadgeTone> = {
  queued: 'info',
  running: 'warning',
  completed: 'success',
  failed: 'danger',
  cancelled: 'muted',
};

export interface JobCardProps {
  task: TaskEntry;
  onCancel: (id: string) => void;
  onDismiss: (id: string) => void;
  onReuse: (params: Record<string, unknown>) => void;
  onUseAsReference: (value: string, previewUrl: string) => void;
}

export function JobCard({ task, onCancel, onDismiss, onReuse, onUseAsReference }: JobCardProps) {
  const { t } = useI18n();
  const done = isTerminal(task.status);
  const model = MODELS[task.request.model];
  // Reuse the seed that was actually used, so "reuse settings" reproduces the result.
  const reuseParams = { ...task.request, ...(task.result ? { seed: task.result.seed } : {}) };
  return (
    <article
      className={`job job--${task.status}`}
      data-testid="job-card"
      data-task-id={task.id}
      data-status={task.status}
      aria-label={t('job.label', { model: model.label })}
    >
      <header className="job__head">
        <div className="job__title">
          <strong>{model.label}</strong>
          <span className="job__mode">{t(`mode.${task.request.mode}`)}</span>
        </div>
        <Badge tone={STATUS_TONE[task.status]} testId="job-status">
          {t(`status.${task.status}`)}
        </Badge>
      </header>
      <p className="job__prompt" title={task.request.prompt}>
        {task.request.prompt}
      </p>

      {!done ? (
        <div className="job__live">
          <ProgressBar value={task.progress} label={t('job.progress')} testId="progress" />
          <p className="job__stage">
            <span data-testid="stage">{t(`stage.${task.stage}`)}</span>
            {task.status === 'queued' && task.queuePosition !== undefined ? (
              <span data-testid="queue-position"> · {t('job.queuePosition', { n: task.queuePosition })}</span>
            ) : null}
            {task.etaSeconds !== undefined ? (
              <span data-testid="eta"> · {t('job.eta', { time: formatDuration(t, task.etaSeconds) })}</span>
            ) : null}
          </p>
          {task.previewUrl ? (
            <img className="job__preview" src={task.previewUrl} alt={t('job.previewAlt')} data-testid="preview" />
          ) : null}
        </div>
      ) : null}

      {task.status === 'completed' && task.result ? (
        <ResultView result={task.result} onUseAsReference={onUseAsReference} />
      ) : null}
      {task.status === 'failed' ? (
        <p className="job__error" role="alert" data-testid="task-error">
          {task.error}
          {task.code ? <code> ({task.code})</code> : null}
        </p>
      ) : null}
      {task.cancelError ? (
        <p className="field__error" role="alert">
          {task.cancelError}
        </p>
      ) : null}

      <footer className="job__actions">
        {!done ? (
          <button
            type="button"
            className="btn btn--danger btn--small"
            data-testid="cancel"
            disabled={task.cancelling}
            onClick={() => onCancel(task.id)}
          >
            {task.cancelling ? t('job.cancelling') : t('job.cancel')}
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn--small"
          data-testid="reuse-settings"
          onClick={() => onReuse(reuseParams)}
        >
          {t('job.reuse')}
        </button>
        {done ? (
          <button
            type="button"
            className="btn btn--ghost btn--small"
            data-testid="dismiss"
            onClick={() => onDismiss(task.id)}
          >
            {t('job.dismiss')}
          </button>
        ) : null}
      </footer>
    </article>
  );
}
