import { useI18n } from '../../i18n/useI18n.ts';
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
  return (
    <section className="jobs" aria-label={t('jobs.title')} data-testid="job-list">
      <h2 className="section-title">{t('jobs.title')}</h2>
      {tasks.tasks.length === 0 ? <p className="empty">{t('jobs.empty')}</p> : null}
      {tasks.tasks.map((task) => (
        <JobCard
          key={task.id}
          task={task}
          onCancel={tasks.cancel}
          onDismiss={tasks.dismiss}
          onReuse={onReuse}
          onUseAsReference={onUseAsReference}
        />
      ))}
    </section>
  );
}
