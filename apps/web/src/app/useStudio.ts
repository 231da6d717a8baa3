import type { TaskUpdate } from '../api/taskEvents.ts';
import { useGenerate, type GenerateControl } from '../features/generate/useGenerate.ts';
import { useStudioForm, type StudioForm } from '../features/generate/useStudioForm.ts';
import { useTasks, type TaskEntry, type TasksControl } from '../features/tasks/useTasks.ts';

export interface Studio {
  form: StudioForm;
  tasks: TasksControl;
  control: GenerateControl;
}

/** Form, jobs and submission wired together; held above the tabs so none of it resets on navigation. */
export function useStudio(onFinished?: (entry: TaskEntry, update: TaskUpdate) => void): Studio {
  const form = useStudioForm();
  const tasks = useTasks(onFinished);
  const control = useGenerate(form, tasks.inFlight, tasks.add);
  return { form, tasks, control };
}
