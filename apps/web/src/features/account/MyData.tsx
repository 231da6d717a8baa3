import { useState } from 'react';
import type { ErasureResult } from '@mediagen/contract';
import { accountExportUrl, eraseMyData } from '../../api/content.ts';
import { isApiError } from '../../api/ApiError.ts';
import { Banner } from '../../components/Banner.tsx';
import { useI18n } from '../../i18n/useI18n.ts';

/** A user's own data: download the gallery with its parameters, or delete everything (typed confirmation). */
export function MyData() {
  const { t } = useI18n();
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<ErasureResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const word = t('myData.confirmWord');
  const erase = (): void => {
    setError(null);
    eraseMyData().then(setResult, (err: unknown) => setError(isApiError(err) ? err.message : String(err)));
  };
  return (
    <div className="form" data-testid="my-data">
      <p>{t('myData.exportExplain')}</p>
      <a className="btn" href={accountExportUrl()} download data-testid="my-data-export">
        {t('myData.export')}
      </a>
      <p>{t('myData.eraseExplain')}</p>
      <label className="field">
        <span>{t('myData.typeToConfirm', { word })}</span>
        <input data-testid="my-data-confirm" value={typed} onChange={(e) => setTyped(e.target.value)} />
      </label>
      <button
        type="button"
        className="btn btn--danger"
        data-testid="my-data-erase"
        disabled={typed.trim().toLowerCase() !== word.toLowerCase()}
        onClick={erase}
      >
        {t('myData.erase')}
      </button>
      {result ? (
        <Banner tone="success" title={t('myData.erased', { tasks: result.tasks, files: result.files })} />
      ) : null}
      {error ? <Banner tone="error" title={error} /> : null}
    </div>
  );
}
