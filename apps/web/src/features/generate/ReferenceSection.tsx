import { useEffect, useState } from 'react';
import { MODELS, type ImageField } from '@mediagen/contract';
import { NumberField } from '../../components/NumberField.tsx';
import type { MessageKey } from '../../i18n/catalog.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { ImageInput } from './ImageInput.tsx';
import { frameIndexInfo, imageFieldsFor, usesFrameIndex } from './formState.ts';
import { firstImageFile, ImageFileError, readImageFile } from './readImageFile.ts';
import type { StudioForm } from './useStudioForm.ts';

const FIELD_LABEL: Record<ImageField, MessageKey> = {
  reference_image: 'image.reference_image',
  first_frame_image: 'image.first_frame_image',
  last_frame_image: 'image.last_frame_image',
};

export function ReferenceSection({ form, err }: { form: StudioForm; err: (path: string) => string | undefined }) {
  const { t } = useI18n();
  const { state: s, setImage, setNumber } = form;
  const fields = imageFieldsFor(s.mode);
  const [local, setLocal] = useState<Partial<Record<ImageField, string>>>({});

  const load = (field: ImageField, file: File): void => {
    setLocal((l) => ({ ...l, [field]: undefined }));
    readImageFile(file).then(
      (ref) => setImage(field, ref),
      (e: unknown) => {
        const problem = e instanceof ImageFileError ? e.problem : 'read';
        setLocal((l) => ({ ...l, [field]: t(`image.problem.${problem}`) }));
      },
    );
  };

  // Paste anywhere on the page fills the focused slot, else the first empty one. Text pastes into
  // a text box are left alone.
  useEffect(() => {
    if (fields.length === 0) return undefined;
    const onPaste = (e: ClipboardEvent): void => {
      const file = firstImageFile(e.clipboardData);
      if (!file) return;
      const target = e.target instanceof Element ? e.target : null;
      const zone = target?.closest('[data-image-field]')?.getAttribute('data-image-field');
      const isText =
        target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type === 'text');
      if (isText && e.clipboardData?.types.includes('text/plain')) return;
      const field = fields.find((f) => f === zone) ?? fields.find((f) => !s.images[f]) ?? fields[0];
      if (!field) return;
      e.preventDefault();
      load(field, file);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  });

  if (fields.length === 0) return null;
  const model = MODELS[s.model];
  const idx = frameIndexInfo(s);
  return (
    <fieldset className="form-section refs" data-testid="reference-section">
      <legend>{t('refs.legend')}</legend>
      <div className="refs__grid">
        {fields.map((f) => (
          <ImageInputSlot
            key={f}
            field={f}
            label={t(FIELD_LABEL[f])}
            form={form}
            error={local[f] ?? err(f)}
            onFile={(file) => load(f, file)}
          />
        ))}
      </div>
      {usesFrameIndex(model, s.mode) && idx ? (
        <NumberField
          id="f-reference_frame_index"
          testId="field-reference_frame_index"
          label={t('param.reference_frame_index')}
          value={s.numbers.reference_frame_index ?? ''}
          onChange={(v) => setNumber('reference_frame_index', v)}
          min={0}
          max={idx.max}
          step={8}
          placeholder={t('param.frameIndexAuto')}
          hint={t('hint.frameIndex', { max: idx.max, snapped: idx.snapped })}
          error={err('reference_frame_index')}
        />
      ) : null}
    </fieldset>
  );
}

function ImageInputSlot({
  field,
  label,
  form,
  error,
  onFile,
}: {
  field: ImageField;
  label: string;
  form: StudioForm;
  error: string | undefined;
  onFile: (file: File) => void;
}) {
  return (
    <ImageInput
      field={field}
      label={label}
      value={form.state.images[field]}
      onFile={onFile}
      onClear={() => form.setImage(field, undefined)}
      error={error}
    />
  );
}
