import { MODELS } from '@mediagen/contract';
import { Badge, type BadgeTone } from '../../components/Badge.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import type { MessageKey, Translate } from '../../i18n/catalog.ts';
import { formatDuration } from '../../i18n/formatDuration.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { ResultView } from './ResultView.tsx';
import { FINISHING_STAGES, secondsLeft } from './timeLeft.ts';
import { useNow } from './useNow.ts';
import { isTerminal, type TaskEntry } from './useTasks.ts';

const STATUS_TONE: Record<TaskEntry['status'], BadgeTone> = {
  queued: 'info',
  running: 'warning',
  completed: 'success',
  failed: 'danger',
  cancelled: 'muted',
};

const KNOWN_FAILURES = new Set([
  'backend_lost',
  'backend_error',
  'invalid_workflow',
  'output_missing',
  'conversion_failed',
  'queue_overloaded',
  'no_backend_available',
  'internal_error',
  'gateway_restarted',
  'cancelled_by_admin',
  'output_policy_violation',
]);

/** Why a job ended, in the user's language (the server's words as detail). */
export function failureReason(t: Translate, code: string | undefined): string | undefined {
  return code && KNOWN_FAILURES.has(code) ? t(`taskError.${code}` as MessageKey) : undefined;
}

export interface JobCardProps {
  task: TaskEntry;
  onCancel: (id: string) => void;
  onRetry: (id: string) => void;
  onDismiss: (id: string) => void;
  onReuse: (params: Record<string, unknown>) => void;
  onUseAsReference: (value: string, previewUrl: string) => void;
}

export function JobCard({ task, onCancel, onRetry, onDismiss, onReuse, onUseAsReference }: JobCardProps) {
  const { t } = useI18n();
  const done = isTerminal(task.status);
  const now = useNow(done ? null : 1000);
  const model = MODELS[task.model];
  // Reuse the seed that was actually used, so "reuse settings" reproduces the result.
  const reuseParams = { ...task.parameters, ...(task.result ? { seed: task.result.seed } : {}) };
  const finishing = task.status === 'running' && FINISHING_STAGES.includes(task.stage);
  const left =
    task.status === 'queued' || task.status === 'running'
      ? secondsLeft({
          status: task.status,
          stage: task.stage,
          progress: task.progress,
          etaSeconds: task.etaSeconds,
          etaAt: task.etaAt,
          startedAt: task.startedAt,
          now,
        })
      : undefined;
  const reason = failureReason(t, task.code);
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
          <span className="job__mode">{t(`mode.${task.mode}`)}</span>
        </div>
        <Badge tone={STATUS_TONE[task.status]} testId="job-status">
          {t(`status.${task.status}`)}
        </Badge>
      </header>
      <p className="job__prompt" title={task.prompt}>
        {task.prompt}
      </p>

      {!done ? (
        <div className="job__live">
          <ProgressBar
            value={task.progress}
            label={t('job.progress')}
            testId="progress"
            indeterminate={finishing || task.status === 'queued'}
          />
          <p className="job__stage">
            <span data-testid="stage">{finishing ? t('job.finishing') : t(`stage.${task.stage}`)}</span>
            {task.status === 'queued' && task.queuePosition !== undefined && task.queuePosition > 0 ? (
              <span data-testid="queue-position"> · {t('job.queuePosition', { n: task.queuePosition })}</span>
            ) : null}
            {left !== undefined ? (
              <span data-testid="eta">
                {' '}
                · {t(task.status === 'queued' ? 'job.etaQueued' : 'job.eta', { time: formatDuration(t, left) })}
              </span>
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
      {(task.status === 'failed' || task.status === 'cancelled') && (reason ?? task.error) ? (
        <p className={task.status === 'failed' ? 'job__error' : 'job__note'} role="status" data-testid="task-error">
          {reason ?? task.error}
          {reason && task.error ? <span className="job__detail"> {task.error}</span> : null}
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
            className="btn btn--small"
            data-testid="cancel"
            disabled={task.cancelling}
            onClick={() => onCancel(task.id)}
          >
            {task.cancelling ? t('job.cancelling') : t('job.cancel')}
          </button>
        ) : null}
        {task.status === 'failed' || task.status === 'cancelled' ? (
          <button type="button" className="btn btn--small" data-testid="retry" onClick={() => onRetry(task.id)}>
            {t('job.retry')}
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
