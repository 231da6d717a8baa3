import { MODELS } from '@mediagen/contract';
import { useGenerate, type GenerateControl } from '../features/generate/useGenerate.ts';
import { useStudioForm, type StudioForm } from '../features/generate/useStudioForm.ts';
import { alertJobEnd, readAlertMode } from '../features/tasks/jobAlerts.ts';
import { useTasks, type TasksControl } from '../features/tasks/useTasks.ts';
import { useI18n } from '../i18n/useI18n.ts';
import { useTabTitle } from './useTabTitle.ts';

export interface Studio {
  form: StudioForm;
  tasks: TasksControl;
  control: GenerateControl;
}

/** Form, jobs and submission wired together; held above the tabs so none of it resets on navigation. */
export function useStudio(onFinished?: () => void): Studio {
  const { t } = useI18n();
  const form = useStudioForm();
  const tasks = useTasks((entry, kind) => {
    onFinished?.();
    alertJobEnd(
      readAlertMode(),
      kind === 'completed',
      t(`status.${kind}`),
      `${MODELS[entry.model].label}: ${entry.prompt.slice(0, 80)}`,
    );
  });
  const control = useGenerate(form, tasks.inFlight, tasks.add);
  useTabTitle(tasks.tasks);
  return { form, tasks, control };
}
