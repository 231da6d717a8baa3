import { useState, type FormEvent } from 'react';
import { zLoraFamily, type LoraAccess, type LoraAdminView, type LoraFamily } from '@mediagen/contract';
import { isApiError } from '../../api/ApiError.ts';
import { createLora, deleteLora, getLoraCatalog, getLoraSetupScript } from '../../api/loras.ts';
import { Banner } from '../../components/Banner.tsx';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { FieldShell } from '../../components/FieldShell.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { LoraEntryEditor } from './LoraEntryEditor.tsx';
import { usePolled } from './usePolled.ts';

const ACCESS: readonly LoraAccess[] = ['everyone', 'users', 'admins'];

/** The operator's LoRA catalog: add/edit/delete entries, where each is placed, and a script that places it. */
export function LoraCatalogPanel() {
  const { t } = useI18n();
  const catalog = usePolled(getLoraCatalog, 0);
  const [name, setName] = useState('');
  const [file, setFile] = useState('');
  const [family, setFamily] = useState<LoraFamily>('sdxl');
  const [access, setAccess] = useState<LoraAccess>('everyone');
  const [error, setError] = useState<string | null>(null);
  const [script, setScript] = useState<{ name: string; text: string } | null>(null);
  const describe = (err: unknown): string =>
    isApiError(err) ? `${t(`error.${err.code}`)}: ${err.message}` : String(err);
  const run = (p: Promise<unknown>): void => {
    setError(null);
    p.then(
      () => catalog.reload(),
      (err: unknown) => setError(describe(err)),
    );
  };

  const add = (e: FormEvent): void => {
    e.preventDefault();
    run(
      createLora({ name: name.trim(), file: file.trim(), family, access }).then(() => {
        setName('');
        setFile('');
      }),
    );
  };

  return (
    <section className="panel" aria-labelledby="admin-loras-title" data-testid="admin-loras">
      <header className="panel__head">
        <h2 id="admin-loras-title">{t('adminLoras.title')}</h2>
        <button type="button" className="btn btn--ghost btn--small" onClick={catalog.reload}>
          {t('action.refresh')}
        </button>
      </header>
      {error ? (
        <Banner tone="error" onDismiss={() => setError(null)} dismissLabel={t('action.dismiss')}>
          {error}
        </Banner>
      ) : null}
      <form className="inline-form" onSubmit={add} noValidate>
        <FieldShell id="l-name" label={t('adminLoras.name')}>
          <input id="l-name" data-testid="lora-name-input" value={name} onChange={(e) => setName(e.target.value)} />
        </FieldShell>
        <FieldShell id="l-file" label={t('adminLoras.file')}>
          <input id="l-file" data-testid="lora-file-input" value={file} onChange={(e) => setFile(e.target.value)} />
        </FieldShell>
        <FieldShell id="l-family" label={t('adminLoras.family')}>
          <select id="l-family" value={family} onChange={(e) => setFamily(zLoraFamily.parse(e.target.value))}>
            {zLoraFamily.options.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </FieldShell>
        <FieldShell id="l-access" label={t('adminLoras.access')}>
          <select
            id="l-access"
            value={access}
            onChange={(e) => setAccess(ACCESS.find((a) => a === e.target.value) ?? 'everyone')}
          >
            {ACCESS.map((a) => (
              <option key={a} value={a}>
                {t(`adminLoras.access.${a}`)}
              </option>
            ))}
          </select>
        </FieldShell>
        <button type="submit" className="btn btn--primary" data-testid="lora-create">
          {t('adminLoras.add')}
        </button>
      </form>
      {catalog.data && catalog.data.items.length === 0 ? <p className="empty">{t('adminLoras.empty')}</p> : null}
      <ul className="lora-catalog">
        {(catalog.data?.items ?? []).map((l: LoraAdminView) => (
          <li key={l.name} className="lora-catalog__item" data-testid={`lora-entry-${l.name}`}>
            <strong>{l.title}</strong> <code>{l.file}</code> · {l.family} · {t(`adminLoras.access.${l.access}`)}
            <ul className="lora-catalog__backends" aria-label={t('adminLoras.backends')}>
              {l.backends.map((b) => (
                <li key={b.account_id} data-testid={`lora-backend-${l.name}-${b.name}`}>
                  {b.name}:{' '}
                  {b.holds ? t('adminLoras.holds') : t('adminLoras.missing', { files: b.missing_files.join(', ') })}
                </li>
              ))}
            </ul>
            <LoraEntryEditor entry={l} onSaved={catalog.reload} onError={(err) => setError(describe(err))} />
            <button
              type="button"
              className="btn btn--small"
              data-testid={`lora-script-${l.name}`}
              onClick={() =>
                getLoraSetupScript(l.name).then(
                  (text) => setScript({ name: l.name, text }),
                  (err: unknown) => setError(describe(err)),
                )
              }
            >
              {t('adminLoras.script')}
            </button>
            <ConfirmButton
              label={t('adminLoras.delete')}
              confirmLabel={t('admin.confirmDelete')}
              cancelLabel={t('action.cancel')}
              question={t('adminLoras.deleteQuestion', { name: l.name })}
              testId={`lora-delete-${l.name}`}
              onConfirm={() => run(deleteLora(l.name))}
            />
            {script?.name === l.name ? (
              <div className="key-box">
                <pre data-testid="lora-script-text">{script.text}</pre>
                <CopyButton text={script.text} label={t('adminLoras.copy')} copiedLabel={t('adminLoras.copied')} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {(catalog.data?.unlisted ?? []).length > 0 ? (
        <>
          <h3>{t('adminLoras.unlisted')}</h3>
          <ul>
            {catalog.data?.unlisted.map((u) => (
              <li key={u.file}>
                <code>{u.file}</code> — {u.accounts.join(', ')}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
