import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { Banner } from '../../components/Banner.tsx';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { localizeDetail } from '../../i18n/localizeDetail.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { AdvancedSettings } from './AdvancedSettings.tsx';
import { fieldForPath } from './formState.ts';
import { LoraPicker } from './LoraPicker.tsx';
import { ModelPickers } from './ModelPickers.tsx';
import { OutputSettings } from './OutputSettings.tsx';
import { PresetsBar } from './PresetsBar.tsx';
import { PromptHistory } from './PromptHistory.tsx';
import { ReferenceSection } from './ReferenceSection.tsx';
import { SubmitBar } from './SubmitBar.tsx';
import { conditionValues, payloadFor, unsupportedFor, useUnsupportedList } from './unsupportedParams.ts';
import type { GenerateControl } from './useGenerate.ts';
import type { StudioForm } from './useStudioForm.ts';
import { validateRequest } from './validateRequest.ts';

export interface GenerateFormProps {
  form: StudioForm;
  control: GenerateControl;
  inFlight: number;
  lastSeed: number | undefined;
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer.types).includes('Files');
}

/** The studio's left column: everything the payload needs, validated as the user types and before it is sent. */
export function GenerateForm({ form, control, inFlight, lastSeed }: GenerateFormProps) {
  const { t } = useI18n();
  const { state: s, errors, patch, touched } = form;
  const unsupportedList = useUnsupportedList();
  const payload = useMemo(() => payloadFor(s, unsupportedList), [s, unsupportedList]);
  const unsupported = useMemo(
    () => unsupportedFor(s, conditionValues(s, payload), unsupportedList),
    [s, payload, unsupportedList],
  );
  // validation as the user types: the contract's own checks, shown at the fields the user has changed
  const live = useMemo(() => {
    const out = new Map<string, string>();
    for (const d of validateRequest(payload).details) {
      const f = fieldForPath(s, d.path);
      if (!out.has(f)) out.set(f, d.message);
    }
    return out;
  }, [payload, s]);
  const err = (path: string): string | undefined => {
    const m = errors[path] ?? (touched.has(path) ? live.get(path) : undefined);
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

  // Drop a MediaGen (or A1111) PNG, JPEG or MP4 anywhere on the form but an image slot: its settings load.
  const [dropping, setDropping] = useState(false);
  const [recallNote, setRecallNote] = useState<string | null>(null);
  const recall = async (file: File): Promise<void> => {
    // loaded on the first drop: the first page load does not carry the file readers
    const [{ readEmbeddedParameters }, { parseInfotext }] = await Promise.all([
      import('./recall/readEmbeddedParameters.ts'),
      import('./recall/parseInfotext.ts'),
    ]);
    const text = await readEmbeddedParameters(file);
    const params = text ? parseInfotext(text) : undefined;
    if (!params) {
      setRecallNote(t('recall.none', { name: file.name }));
      return;
    }
    form.reuse(params, 'file');
    setRecallNote(null);
  };
  const outsideImageSlot = (e: DragEvent): boolean =>
    !(e.target instanceof Element && e.target.closest('[data-image-field]'));

  const promptError = err('prompt');
  const negError = err('negative_prompt');
  const negUnsupported = unsupported.get('negative_prompt');
  return (
    <form
      className={`studio-form${dropping ? ' studio-form--drop' : ''}`}
      aria-label={t('studio.formLabel')}
      noValidate
      data-testid="generate-form"
      onSubmit={(e) => {
        e.preventDefault();
        control.submit();
      }}
      onDragOver={(e) => {
        if (!hasFiles(e) || !outsideImageSlot(e)) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDropping(false);
      }}
      onDrop={(e) => {
        setDropping(false);
        const file = e.dataTransfer.files[0];
        if (!file || !outsideImageSlot(e)) return;
        e.preventDefault();
        recall(file).catch(() => setRecallNote(t('recall.none', { name: file.name })));
      }}
    >
      {dropping ? (
        <p className="drop-hint" aria-hidden="true">
          {t('recall.dropHint')}
        </p>
      ) : null}
      {form.undo ? (
        <Banner tone="info" testId="undo-banner" onDismiss={form.undo.drop} dismissLabel={t('action.dismiss')}>
          <span className="banner__text">{t(`undo.${form.undo.source}`)}</span>
          <button type="button" className="btn btn--small" data-testid="undo-reuse" onClick={form.undo.apply}>
            {t('undo.button')}
          </button>
        </Banner>
      ) : null}
      {recallNote ? (
        <Banner
          tone="warning"
          testId="recall-note"
          onDismiss={() => setRecallNote(null)}
          dismissLabel={t('action.dismiss')}
        >
          {recallNote}
        </Banner>
      ) : null}
      <ModelPickers form={form} err={err} />
      <PresetsBar form={form} />
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
        <div className="prompt-tools">
          <PromptHistory
            onPick={(prompt, negative) => {
              patch({ prompt, negative_prompt: negative });
            }}
          />
          <span className="field__hint">{t('recall.hint')}</span>
        </div>
        <FieldShell
          id="f-negative_prompt"
          label={t('field.negative')}
          error={negError}
          hint={negUnsupported ? t('unsupported.hint', { reason: negUnsupported }) : undefined}
          locked={negUnsupported !== undefined}
        >
          <textarea
            id="f-negative_prompt"
            data-testid="negative-prompt"
            rows={2}
            value={s.negative_prompt}
            disabled={negUnsupported !== undefined}
            placeholder={t('field.negativePlaceholder')}
            aria-invalid={negError ? true : undefined}
            aria-describedby={describedBy('f-negative_prompt', negUnsupported, negError)}
            onChange={(e) => patch({ negative_prompt: e.target.value })}
          />
        </FieldShell>
      </div>
      <ReferenceSection form={form} err={err} />
      <LoraPicker form={form} err={err} />
      <OutputSettings form={form} err={err} lastSeed={lastSeed} />
      <AdvancedSettings form={form} err={err} unsupported={unsupported} />
      <SubmitBar form={form} control={control} inFlight={inFlight} />
    </form>
  );
}
