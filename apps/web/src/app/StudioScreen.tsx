import { useEffect, useRef } from 'react';
import { GenerateForm } from '../features/generate/GenerateForm.tsx';
import { TaskList } from '../features/tasks/TaskList.tsx';
import { useI18n } from '../i18n/useI18n.ts';
import type { Studio } from './useStudio.ts';

/** Form on the left, this tab's jobs on the right (stacked on phones). */
export function StudioScreen({ studio }: { studio: Studio }) {
  const { t } = useI18n();
  const { form, tasks, control } = studio;
  // Stacked layout (phones, narrow windows): bring a new job into view so its progress is seen.
  const newest = tasks.tasks[0]?.id;
  const seen = useRef(newest);
  useEffect(() => {
    if (!newest || newest === seen.current) return;
    seen.current = newest;
    if (typeof window.matchMedia === 'function' && window.matchMedia('(max-width: 959px)').matches) {
      document
        .querySelector(`[data-task-id="${CSS.escape(newest)}"]`)
        ?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
    }
  }, [newest]);
  return (
    <div className="studio">
      <h1 className="visually-hidden">{t('nav.studio')}</h1>
      <GenerateForm form={form} control={control} inFlight={tasks.inFlight} lastSeed={tasks.lastSeed} />
      <TaskList
        tasks={tasks}
        onReuse={(params) => {
          form.reuse(params);
          document.getElementById('f-prompt')?.focus();
        }}
        onUseAsReference={(value, preview) => {
          form.applyReference({ value, preview, name: t('image.fromResult') });
        }}
      />
    </div>
  );
}
