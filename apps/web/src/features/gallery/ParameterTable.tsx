import { useI18n } from '../../i18n/useI18n.ts';

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value.length > 120 ? `${value.slice(0, 117)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => show(v)).join(', ');
  return JSON.stringify(value);
}

/** The parameters a task ran with (stored data: every value rendered defensively). */
export function ParameterTable({ params }: { params: Record<string, unknown> }) {
  const { t } = useI18n();
  const rows = Object.entries(params).filter(([k, v]) => k !== 'ignored_params' && v !== undefined && v !== '');
  const ignored = Array.isArray(params.ignored_params) ? params.ignored_params : [];
  return (
    <div className="params">
      <table className="params__table" data-testid="gallery-params">
        <caption className="visually-hidden">{t('gallery.parameters')}</caption>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{show(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ignored.length > 0 ? (
        <p className="result__ignored">
          <strong>{t('job.ignored')}</strong>{' '}
          {ignored
            .map((i) => (typeof i === 'object' && i !== null && 'param' in i ? String(i.param) : show(i)))
            .join(', ')}
        </p>
      ) : null}
    </div>
  );
}
