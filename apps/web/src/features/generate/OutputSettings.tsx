import { DEFAULT_MAX_BATCH, MODELS, zOutputFormat } from '@mediagen/contract';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { Icon } from '../../components/Icon.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { nativeSizeOf, randomSeed, sizeChoices } from './formState.ts';
import type { StudioForm } from './useStudioForm.ts';

const batchOptions = Array.from({ length: DEFAULT_MAX_BATCH }, (_, i) => ({
  value: String(i + 1),
  label: String(i + 1),
}));

/** Size, seed, batch and output format: the common part of every payload. */
export function OutputSettings({
  form,
  err,
  lastSeed,
}: {
  form: StudioForm;
  err: (path: string) => string | undefined;
  lastSeed: number | undefined;
}) {
  const { t } = useI18n();
  const { state: s, patch } = form;
  const model = MODELS[s.model];
  const sizeOptions = sizeChoices(model).map((n) => ({ value: String(n), label: `${n}px` }));
  const native = model.nativeSizes ?? [];
  const seedError = err('seed');
  const seedHint = s.seed.trim() === '-1' ? t('seed.randomHint') : t('seed.fixedHint');
  return (
    <div className="form-section grid-2">
      <SelectField
        id="f-width"
        testId="field-width"
        label={t('field.width')}
        value={String(s.width)}
        options={sizeOptions}
        onChange={(v) => patch({ width: Number(v) })}
        error={err('width')}
      />
      <SelectField
        id="f-height"
        testId="field-height"
        label={t('field.height')}
        value={String(s.height)}
        options={sizeOptions}
        onChange={(v) => patch({ height: Number(v) })}
        error={err('height')}
      />
      {native.length > 0 ? (
        <SelectField
          id="f-native_size"
          testId="field-native_size"
          label={t('field.nativeSize')}
          value={nativeSizeOf(s)}
          options={[
            { value: '', label: t('size.custom') },
            ...native.map(([w, h]) => ({ value: `${w}x${h}`, label: `${w} × ${h}` })),
          ]}
          onChange={(v) => {
            const [w, h] = v.split('x').map(Number);
            if (w && h) patch({ width: w, height: h });
          }}
          hint={t('hint.nativeSize')}
        />
      ) : null}
      <FieldShell id="f-seed" label={t('field.seed')} hint={seedHint} error={seedError} className="span-2">
        <div className="seed">
          <input
            id="f-seed"
            type="number"
            inputMode="numeric"
            data-testid="field-seed"
            value={s.seed}
            min={-1}
            step={1}
            aria-invalid={seedError ? true : undefined}
            aria-describedby={describedBy('f-seed', seedHint, seedError)}
            onChange={(e) => patch({ seed: e.target.value })}
          />
          <button
            type="button"
            className="btn btn--small"
            aria-label={t('seed.dice')}
            title={t('seed.dice')}
            data-testid="seed-dice"
            onClick={() => patch({ seed: String(randomSeed()) })}
          >
            <Icon name="dice" />
          </button>
          <button
            type="button"
            className="btn btn--small"
            data-testid="seed-random"
            onClick={() => patch({ seed: '-1' })}
          >
            {t('seed.random')}
          </button>
          <button
            type="button"
            className="btn btn--small"
            data-testid="seed-reuse"
            disabled={lastSeed === undefined}
            title={lastSeed === undefined ? t('seed.noLast') : String(lastSeed)}
            onClick={() => {
              if (lastSeed !== undefined) patch({ seed: String(lastSeed) });
            }}
          >
            {t('seed.reuse')}
          </button>
        </div>
      </FieldShell>
      <SelectField
        id="f-batch_size"
        testId="field-batch_size"
        label={t('field.batch')}
        value={String(s.batch_size)}
        options={batchOptions}
        onChange={(v) => patch({ batch_size: Number(v) })}
        hint={t('hint.batch')}
        error={err('batch_size')}
      />
      <SelectField
        id="f-output_format"
        testId="field-output_format"
        label={t('field.format')}
        value={s.output_format}
        options={model.outputFormats.map((f) => ({ value: f, label: f.toUpperCase() }))}
        onChange={(v) => {
          const f = zOutputFormat.safeParse(v);
          if (f.success) patch({ output_format: f.data });
        }}
        error={err('output_format')}
      />
    </div>
  );
}
