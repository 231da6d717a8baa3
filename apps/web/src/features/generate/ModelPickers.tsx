import { MODELS, modelsOfType, zMode, zModelId, type GenerationType } from '@mediagen/contract';
import { SelectField } from '../../components/SelectField.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import type { StudioForm } from './useStudioForm.ts';

const TYPES: readonly GenerationType[] = ['image', 'video'];

/** Type, model and mode: every option comes from the registry, none is hard-coded here. */
export function ModelPickers({ form, err }: { form: StudioForm; err: (path: string) => string | undefined }) {
  const { t } = useI18n();
  const { state: s } = form;
  const model = MODELS[s.model];
  const typeError = err('type');
  return (
    <div className="form-section pickers">
      <fieldset
        className="segmented"
        data-testid="type-picker"
        aria-describedby={typeError ? 'f-type-error' : undefined}
      >
        <legend className="field__label">{t('field.type')}</legend>
        {TYPES.map((type) => (
          <label key={type} className={`segmented__option${s.type === type ? ' segmented__option--on' : ''}`}>
            <input
              type="radio"
              name="gen-type"
              id={type === s.type ? 'f-type' : undefined}
              value={type}
              checked={s.type === type}
              onChange={() => form.setType(type)}
              data-testid={`type-${type}`}
            />
            <span>{t(`type.${type}`)}</span>
          </label>
        ))}
        {typeError ? (
          <p id="f-type-error" className="field__error" role="alert">
            {typeError}
          </p>
        ) : null}
      </fieldset>
      <SelectField
        id="f-model"
        testId="model-picker"
        label={t('field.model')}
        value={s.model}
        options={modelsOfType(s.type).map((m) => ({ value: m.id, label: m.label }))}
        onChange={(v) => {
          const id = zModelId.safeParse(v);
          if (id.success) form.setModel(id.data);
        }}
        error={err('model')}
      />
      <SelectField
        id="f-mode"
        testId="mode-picker"
        label={t('field.mode')}
        value={s.mode}
        options={model.modes.map((m) => ({ value: m, label: t(`mode.${m}`) }))}
        onChange={(v) => {
          const mode = zMode.safeParse(v);
          if (mode.success) form.setMode(mode.data);
        }}
        hint={t(`modeHint.${s.mode}`)}
        error={err('mode')}
      />
    </div>
  );
}
