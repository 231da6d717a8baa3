import { MODELS, zModelId } from '@mediagen/contract';
import type { MessageKey, Translate } from '../../i18n/catalog.ts';
import { useI18n } from '../../i18n/useI18n.ts';

/** Parameters shown, in this order, with their labels; internal keys (seeds, requested_*, images) are not. */
const SHOWN: ReadonlyArray<[string, MessageKey]> = [
  ['model', 'field.model'],
  ['mode', 'field.mode'],
  ['seed', 'field.seed'],
  ['width', 'field.width'],
  ['height', 'field.height'],
  ['steps', 'param.steps'],
  ['sampler', 'param.sampler'],
  ['cfg_scale', 'param.cfg_scale'],
  ['guidance_scale', 'param.guidance_scale'],
  ['clip_skip', 'param.clip_skip'],
  ['num_frames', 'param.num_frames'],
  ['fps', 'param.fps'],
  ['motion_score', 'param.motion_score'],
  ['lighting_variant', 'param.lighting_variant'],
  ['reference_strength', 'param.reference_strength'],
  ['denoising_strength', 'param.denoising_strength'],
  ['reference_frame_index', 'param.reference_frame_index'],
  ['batch_size', 'field.batch'],
  ['output_format', 'field.format'],
  ['negative_prompt', 'field.negative'],
];

function show(t: Translate, key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'model') {
    const id = zModelId.safeParse(value);
    return id.success ? MODELS[id.data].label : String(value);
  }
  if (key === 'mode' && typeof value === 'string') return t(`mode.${value}` as MessageKey);
  if (key === 'output_format' && typeof value === 'string') return value.toUpperCase();
  if (typeof value === 'string') return value.length > 300 ? `${value.slice(0, 297)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The parameters a task ran with, labelled (stored data: every value rendered defensively). */
export function ParameterTable({ params, createdAt }: { params: Record<string, unknown>; createdAt?: string }) {
  const { t } = useI18n();
  const rows = SHOWN.filter(([k]) => params[k] !== undefined && params[k] !== '');
  const ignored = Array.isArray(params.ignored_params) ? params.ignored_params : [];
  return (
    <div className="params">
      <table className="params__table" data-testid="gallery-params">
        <caption className="visually-hidden">{t('gallery.parameters')}</caption>
        <tbody>
          {createdAt && Number.isFinite(Date.parse(createdAt)) ? (
            <tr>
              <th scope="row">{t('gallery.created')}</th>
              <td data-testid="gallery-date">{new Date(createdAt).toLocaleString()}</td>
            </tr>
          ) : null}
          {rows.map(([k, label]) => (
            <tr key={k} data-param={k}>
              <th scope="row">{t(label)}</th>
              <td>{show(t, k, params[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ignored.length > 0 ? (
        <p className="result__ignored">
          <strong>{t('job.ignored')}</strong>{' '}
          {ignored
            .map((i) => (typeof i === 'object' && i !== null && 'param' in i ? String(i.param) : String(i)))
            .join(', ')}
        </p>
      ) : null}
    </div>
  );
}
