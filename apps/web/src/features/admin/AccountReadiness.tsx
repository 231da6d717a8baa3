import { useState } from 'react';
import { MODELS, type AccountView } from '@mediagen/contract';
import { getSetupScript } from '../../api/admin.ts';
import { Badge } from '../../components/Badge.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { useI18n } from '../../i18n/useI18n.ts';

/**
 * Per-model readiness of one GPU account (from its last health check), what is missing, and a copyable setup
 * script for the ComfyUI host that installs exactly that.
 */
export function AccountReadiness({ account }: { account: AccountView }) {
  const { t } = useI18n();
  const [script, setScript] = useState<string | null>(null);
  const [scriptError, setScriptError] = useState(false);
  const byModel = new Map(account.readiness.map((r) => [r.model, r]));
  const missing = account.readiness.filter((r) => !r.ready);

  const loadScript = (): void => {
    setScriptError(false);
    getSetupScript(account.id).then(setScript, () => setScriptError(true));
  };

  return (
    <div className="readiness" data-testid="account-readiness">
      <ul className="readiness__models">
        {account.models.map((m) => {
          const r = byModel.get(m);
          const state = r === undefined ? 'unknown' : r.ready ? 'ready' : 'missing';
          return (
            <li key={m} data-testid="model-readiness" data-model={m} data-state={state}>
              <Badge tone={state === 'ready' ? 'success' : state === 'missing' ? 'danger' : 'muted'}>
                {`${MODELS[m].label}: ${t(`readiness.${state}`)}`}
              </Badge>
            </li>
          );
        })}
      </ul>
      {missing.length > 0 ? (
        <details className="readiness__missing">
          <summary>{t('readiness.whatIsMissing')}</summary>
          {missing.map((r) => (
            <div key={r.model} data-testid="missing-for-model" data-model={r.model}>
              <strong>{MODELS[r.model].label}</strong>
              <ul>
                {r.missing_packs.map((p) => (
                  <li key={`pack-${p.name}`}>
                    {t('readiness.pack')}: <code>{p.name}</code>
                    {p.commit ? (
                      <>
                        {' '}
                        @ <code>{p.commit.slice(0, 10)}</code>
                      </>
                    ) : null}
                  </li>
                ))}
                {r.missing_nodes
                  .filter((n) => !r.missing_packs.some((p) => p.nodes.includes(n)))
                  .map((n) => (
                    <li key={`node-${n}`}>
                      {t('readiness.node')}: <code>{n}</code>
                    </li>
                  ))}
                {r.missing_files.map((f) => (
                  <li key={`file-${f.folder}/${f.file}`} data-testid="missing-file">
                    {t('readiness.file')}:{' '}
                    <code>
                      models/{f.folder}/{f.file}
                    </code>
                    {f.size ? ` (${f.size})` : ''}
                  </li>
                ))}
              </ul>
            </div>
          ))}
          {script === null ? (
            <button type="button" className="btn btn--small" data-testid="setup-script-show" onClick={loadScript}>
              {t('readiness.showScript')}
            </button>
          ) : (
            <div className="setup-script">
              <p className="field__hint">{t('readiness.scriptHint')}</p>
              <pre data-testid="setup-script">{script}</pre>
              <CopyButton
                text={script}
                label={t('readiness.copyScript')}
                copiedLabel={t('action.copied')}
                testId="setup-script-copy"
              />
            </div>
          )}
          {scriptError ? <p className="field__error">{t('readiness.scriptFailed')}</p> : null}
        </details>
      ) : null}
      {account.warnings.map((w) => (
        <p key={w} className="field__hint readiness__warning" data-testid="account-warning">
          ⚠ {w}
        </p>
      ))}
    </div>
  );
}
