import { useState, type FormEvent } from 'react';
import { MODEL_LIST, zAccountCreate, zLane, type Lane, type ModelId } from '@mediagen/contract';
import { isApiError } from '../../api/ApiError.ts';
import { createAccount } from '../../api/admin.ts';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useI18n } from '../../i18n/useI18n.ts';

type Errors = Partial<Record<'name' | 'base_url' | 'lane' | 'models' | 'auth_token' | 'form', string>>;

/** New GPU account: it starts `pending` and the server checks it at once (SPEC §6). */
export function AddAccountForm({ onAdded }: { onAdded: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [lane, setLane] = useState<Lane>('shared');
  const [models, setModels] = useState<ModelId[]>([]);
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const body = { name, base_url: baseUrl.trim(), lane, models, ...(token ? { auth_token: token } : {}) };
    const parsed = zAccountCreate.safeParse(body);
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'form') as keyof Errors;
        next[key] ??= key === 'models' ? t('admin.pickModel') : key === 'base_url' ? t('admin.badUrl') : issue.message;
      }
      setErrors(next);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await createAccount(parsed.data);
      setName('');
      setBaseUrl('');
      setModels([]);
      setToken('');
      onAdded();
    } catch (err) {
      const next: Errors = { form: isApiError(err) ? err.message : String(err) };
      if (isApiError(err)) for (const d of err.details) next[d.path as keyof Errors] ??= d.message;
      setErrors(next);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="add-account" onSubmit={(e) => void submit(e)} noValidate data-testid="account-add-form">
      <h3>{t('admin.addAccount')}</h3>
      <div className="grid-2">
        <FieldShell id="a-name" label={t('admin.name')} error={errors.name}>
          <input
            id="a-name"
            data-testid="account-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy('a-name', undefined, errors.name)}
          />
        </FieldShell>
        <FieldShell id="a-url" label={t('admin.baseUrl')} error={errors.base_url}>
          <input
            id="a-url"
            type="url"
            data-testid="account-url"
            placeholder="http://gpu-host:8188"
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
            aria-invalid={errors.base_url ? true : undefined}
            aria-describedby={describedBy('a-url', undefined, errors.base_url)}
          />
        </FieldShell>
        <SelectField
          id="a-lane"
          testId="account-lane"
          label={t('admin.lane')}
          value={lane}
          options={zLane.options.map((l) => ({ value: l, label: t(`lane.${l}`) }))}
          onChange={(v) => {
            const parsed = zLane.safeParse(v);
            if (parsed.success) setLane(parsed.data);
          }}
          error={errors.lane}
        />
        <FieldShell id="a-token" label={t('admin.token')} hint={t('admin.tokenHint')} error={errors.auth_token}>
          <input
            id="a-token"
            type="password"
            autoComplete="off"
            data-testid="account-token"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-describedby={describedBy('a-token', true, errors.auth_token)}
          />
        </FieldShell>
      </div>
      <fieldset className="checks" aria-describedby={errors.models ? 'a-models-error' : undefined}>
        <legend className="field__label">{t('admin.models')}</legend>
        {MODEL_LIST.map((m) => (
          <label key={m.id} className="check">
            <input
              type="checkbox"
              data-testid={`account-model-${m.id}`}
              checked={models.includes(m.id)}
              onChange={(e) =>
                setModels((prev) => (e.target.checked ? [...prev, m.id] : prev.filter((x) => x !== m.id)))
              }
            />
            {m.label} <span className="field__hint">({t(`type.${m.type}`)})</span>
          </label>
        ))}
        {errors.models ? (
          <p id="a-models-error" className="field__error" role="alert">
            {errors.models}
          </p>
        ) : null}
      </fieldset>
      {errors.form ? (
        <p className="field__error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <button type="submit" className="btn btn--primary" disabled={busy} data-testid="account-add">
        {t('admin.add')}
      </button>
    </form>
  );
}
