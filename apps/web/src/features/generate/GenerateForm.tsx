import { useEffect, useRef } from 'react';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { localizeDetail } from '../../i18n/localizeDetail.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { AdvancedSettings } from './AdvancedSettings.tsx';
import { ModelPickers } from './ModelPickers.tsx';
import { OutputSettings } from './OutputSettings.tsx';
import { ReferenceSection } from './ReferenceSection.tsx';
import { SubmitBar } from './SubmitBar.tsx';
import type { GenerateControl } from './useGenerate.ts';
import type { StudioForm } from './useStudioForm.ts';

export interface GenerateFormProps {
  form: StudioForm;
  control: GenerateControl;
  inFlight: number;
  lastSeed: number | undefined;
}

/** The studio's left column: everything the payload needs, validated before it is sent. */
export function GenerateForm({ form, control, inFlight, lastSeed }: GenerateFormProps) {
  const { t } = useI18n();
  const { state: s, errors, patch } = form;
  const err = (path: string): string | undefined => {
    const m = errors[path];
    return m ? localizeDetail(t, m) : undefined;
  };

  // Ctrl/Cmd+Enter anywhere on the studio page generates (the guard in useGenerate stops repeats).
  const submitRef = useRef(control.submit);
  useEffect(() => {
    submitRef.current = control.submit;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        submitRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const promptError = err('prompt');
  const negError = err('negative_prompt');
  return (
    <form
      className="studio-form"
      aria-label={t('studio.formLabel')}
      noValidate
      data-testid="generate-form"
      onSubmit={(e) => {
        e.preventDefault();
        control.submit();
      }}
    >
      <ModelPickers form={form} err={err} />
      <div className="form-section">
        <FieldShell id="f-prompt" label={t('field.prompt')} error={promptError}>
          <textarea
            id="f-prompt"
            data-testid="prompt"
            rows={4}
            value={s.prompt}
            placeholder={t('field.promptPlaceholder')}
            aria-required="true"
            aria-invalid={promptError ? true : undefined}
            aria-describedby={describedBy('f-prompt', undefined, promptError)}
            onChange={(e) => patch({ prompt: e.target.value })}
          />
        </FieldShell>
        <FieldShell id="f-negative_prompt" label={t('field.negative')} error={negError}>
          <textarea
            id="f-negative_prompt"
            data-testid="negative-prompt"
            rows={2}
            value={s.negative_prompt}
            placeholder={t('field.negativePlaceholder')}
            aria-invalid={negError ? true : undefined}
            aria-describedby={describedBy('f-negative_prompt', undefined, negError)}
            onChange={(e) => patch({ negative_prompt: e.target.value })}
          />
        </FieldShell>
      </div>
      <ReferenceSection form={form} err={err} />
      <OutputSettings form={form} err={err} lastSeed={lastSeed} />
      <AdvancedSettings form={form} err={err} />
      <SubmitBar form={form} control={control} inFlight={inFlight} />
    </form>
  );
}
