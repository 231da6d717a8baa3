import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { describedBy } from '../../components/FieldShell.tsx';
import { Icon } from '../../components/Icon.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import type { ImageRef } from './formState.ts';
import { ACCEPT_ATTR, firstImageFile } from './readImageFile.ts';

export interface ImageInputProps {
  field: string;
  label: string;
  value: ImageRef | undefined;
  onFile: (file: File) => void;
  onClear: () => void;
  error?: string | undefined;
}

/** One image slot: drop, paste (handled by the section) or the file picker, with a preview. */
export function ImageInput({ field, label, value, onFile, onClear, error }: ImageInputProps) {
  const { t } = useI18n();
  const fileInput = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const id = `f-${field}`;
  const hint = t('image.hint');

  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    e.preventDefault();
    setOver(false);
    const file = firstImageFile(e.dataTransfer);
    if (file) onFile(file);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      fileInput.current?.click();
    }
  };

  return (
    <div className={`field image-input${error ? ' field--error' : ''}`}>
      <span className="field__label" id={`${id}-label`}>
        {label}
      </span>
      <div
        id={id}
        className={`dropzone${over ? ' dropzone--over' : ''}${value ? ' dropzone--filled' : ''}`}
        tabIndex={0}
        role="group"
        aria-labelledby={`${id}-label`}
        aria-describedby={describedBy(id, hint, error)}
        aria-invalid={error ? true : undefined}
        data-image-field={field}
        data-testid={`image-${field}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        onKeyDown={onKeyDown}
      >
        {value ? (
          <img
            className="dropzone__preview"
            src={value.preview}
            alt={t('image.previewAlt', { label })}
            data-testid={`image-preview-${field}`}
          />
        ) : (
          <span className="dropzone__empty">
            <Icon name="image" size={32} />
          </span>
        )}
        <div className="dropzone__actions">
          <button
            type="button"
            className="btn btn--small"
            onClick={() => fileInput.current?.click()}
            data-testid={`image-pick-${field}`}
          >
            {value ? t('image.replace') : t('image.choose')}
          </button>
          {value ? (
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={onClear}
              data-testid={`image-clear-${field}`}
            >
              {t('image.remove')}
            </button>
          ) : null}
        </div>
        <input
          ref={fileInput}
          type="file"
          accept={ACCEPT_ATTR}
          className="visually-hidden"
          tabIndex={-1}
          aria-label={label}
          data-testid={`file-${field}`}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onFile(file);
            e.target.value = ''; // the same file can be picked again after removal
          }}
        />
      </div>
      <p id={`${id}-hint`} className="field__hint">
        {value ? value.name : hint}
      </p>
      {error ? (
        <p id={`${id}-error`} className="field__error" role="alert" data-testid={`error-${field}`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
