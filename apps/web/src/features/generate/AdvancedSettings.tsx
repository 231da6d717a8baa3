import { useEffect, useState } from 'react';
import {
  MODELS,
  zLightingVariant,
  zSampler,
  type ModelId,
  type ModelSpec,
  type NumericParam,
} from '@mediagen/contract';
import { NumberField } from '../../components/NumberField.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import type { MessageKey, Translate } from '../../i18n/catalog.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { advancedParamsFor, framesInfo, type FormState } from './formState.ts';
import type { StudioForm } from './useStudioForm.ts';

const SAMPLERS = zSampler.options;
const LIGHTING = zLightingVariant.options;
const FIXED_REASON: Partial<Record<ModelId, MessageKey>> = { anisora: 'fixed.anisora', phr00t: 'fixed.phr00t' };

const STEP: Record<NumericParam, number> = {
  steps: 1,
  cfg_scale: 0.5,
  guidance_scale: 0.1,
  clip_skip: 1,
  num_frames: 1,
  fps: 8,
  motion_score: 0.1,
  reference_strength: 0.05,
  denoising_strength: 0.05,
  reference_frame_index: 8,
};

function fixedReason(t: Translate, model: ModelSpec): string {
  const key = FIXED_REASON[model.id];
  return key ? t(key) : (model.fixedReason ?? '');
}

function hintFor(t: Translate, s: FormState, model: ModelSpec, p: NumericParam): string | undefined {
  if (model.fixed[p] !== undefined) return fixedReason(t, model);
  if (p === 'num_frames') {
    const f = framesInfo(s);
    if (!f) return undefined;
    const rule = t('hint.framesRule', { m: f.multiple });
    const produced = t('hint.framesProduced', { produced: f.produced, seconds: f.seconds.toFixed(1), fps: f.fps });
    return f.requested === f.produced
      ? `${rule} ${produced}`
      : `${rule} ${t('hint.framesRounded', { requested: f.requested, produced: f.produced })} ${produced}`;
  }
  // Wan models generate a fixed number of frames per second: another fps replays the same frames
  if (p === 'fps' && model.nativeFps) return t('hint.nativeFps', { fps: model.nativeFps });
  const lim = model.limits[p];
  return lim ? t('hint.range', { min: lim.min, max: lim.max }) : undefined;
}

/** Per-model settings with the registry's limits; fixed values shown locked with their reason. */
export function AdvancedSettings({
  form,
  err,
  unsupported,
}: {
  form: StudioForm;
  err: (path: string) => string | undefined;
  /** parameters the template cannot honour now, with the reason: shown disabled */
  unsupported: ReadonlyMap<string, string>;
}) {
  const { t } = useI18n();
  const { state: s, setNumber, patch, errors } = form;
  const model = MODELS[s.model];
  const params = advancedParamsFor(model, s.mode);
  const [open, setOpen] = useState(true);
  const errorInside = params.some((p) => errors[p]) || !!errors.sampler || !!errors.lighting_variant;
  useEffect(() => {
    if (errorInside) setOpen(true); // a field named by an error must be visible
  }, [errorInside]);

  return (
    <details
      className="form-section advanced"
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
      data-testid="advanced"
    >
      <summary>{t('advanced.title')}</summary>
      <div className="grid-2">
        {params.map((p) => {
          const id = `f-${p}`;
          const notHonoured = unsupported.get(p);
          const locked = model.fixed[p] !== undefined || notHonoured !== undefined;
          const lim = model.limits[p];
          const label = t(`param.${p}`);
          if (notHonoured !== undefined) {
            return (
              <NumberField
                key={p}
                id={id}
                testId={`field-${p}`}
                label={label}
                value=""
                onChange={() => undefined}
                locked
                placeholder={t('unsupported.value')}
                hint={t('unsupported.hint', { reason: notHonoured })}
              />
            );
          }
          if (lim?.oneOf && !locked) {
            return (
              <SelectField
                key={p}
                id={id}
                testId={`field-${p}`}
                label={label}
                value={s.numbers[p] ?? ''}
                options={lim.oneOf.map((v) => ({ value: String(v), label: String(v) }))}
                onChange={(v) => setNumber(p, v)}
                hint={hintFor(t, s, model, p)}
                error={err(p)}
              />
            );
          }
          return (
            <NumberField
              key={p}
              id={id}
              testId={`field-${p}`}
              label={label}
              value={locked ? String(model.fixed[p]) : (s.numbers[p] ?? '')}
              onChange={(v) => setNumber(p, v)}
              min={lim?.min}
              max={lim?.max}
              step={lim?.integer ? 1 : STEP[p]}
              locked={locked}
              slider={!lim?.integer && lim !== undefined}
              placeholder={t('param.auto')}
              hint={hintFor(t, s, model, p)}
              error={err(p)}
            />
          );
        })}
        {model.params.includes('sampler') ? (
          <SelectField
            id="f-sampler"
            testId="field-sampler"
            label={t('param.sampler')}
            value={s.sampler ?? ''}
            options={SAMPLERS.map((v) => ({ value: v, label: v }))}
            onChange={(v) => {
              const parsed = zSampler.safeParse(v);
              if (parsed.success) patch({ sampler: parsed.data });
            }}
            error={err('sampler')}
          />
        ) : null}
        {model.params.includes('lighting_variant') ? (
          <SelectField
            id="f-lighting_variant"
            testId="field-lighting_variant"
            label={t('param.lighting_variant')}
            value={s.lighting_variant ?? ''}
            options={LIGHTING.map((v) => ({ value: v, label: t(`lighting.${v}`) }))}
            onChange={(v) => {
              const parsed = zLightingVariant.safeParse(v);
              if (parsed.success) patch({ lighting_variant: parsed.data });
            }}
            error={err('lighting_variant')}
          />
        ) : null}
        {s.score_prefix !== undefined ? (
          <label className="check span-2" data-testid="field-score_prefix">
            <input
              type="checkbox"
              id="f-score_prefix"
              checked={s.score_prefix}
              aria-describedby="f-score_prefix-hint"
              onChange={(e) => patch({ score_prefix: e.target.checked })}
            />
            {t('param.score_prefix')}
            <span id="f-score_prefix-hint" className="field__hint">
              {t('hint.scorePrefix')}
            </span>
          </label>
        ) : null}
      </div>
    </details>
  );
}
