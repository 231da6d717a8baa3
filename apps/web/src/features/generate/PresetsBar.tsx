import { useEffect, useRef, useState } from 'react';
import { zPresetImport, type Preset } from '@mediagen/contract';
import { deletePreset, importPresets, listPresets, savePreset } from '../../api/workspace.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { buildPayload } from './formState.ts';
import type { StudioForm } from './useStudioForm.ts';

/** Named presets per user (kept on the server): apply (undoable), save the form under a name, import/export JSON. */
export function PresetsBar({ form }: { form: StudioForm }) {
  const { t } = useI18n();
  const [presets, setPresets] = useState<Preset[]>([]);
  const [picked, setPicked] = useState('');
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    listPresets().then(setPresets, () => undefined);
  }, []);
  const fail = (err: unknown): void => setNote(err instanceof Error ? err.message : String(err));

  const save = (): void => {
    const clean = name.trim();
    if (!clean) return;
    const { reference_image: _r, first_frame_image: _f, last_frame_image: _l, ...params } = buildPayload(form.state);
    savePreset({ name: clean, params }).then((p) => {
      setPresets((list) => [...list.filter((x) => x.name !== p.name), p].sort((a, b) => a.name.localeCompare(b.name)));
      setPicked(p.id);
      setNaming(false);
      setNote(t('presets.saved', { name: p.name }));
    }, fail);
  };
  const exportJson = (): void => {
    const body = JSON.stringify({ presets: presets.map((p) => ({ name: p.name, params: p.params })) }, null, 2);
    const url = URL.createObjectURL(new Blob([body], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'mediagen-presets.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const importJson = async (file: File): Promise<void> => {
    const parsed = zPresetImport.safeParse(JSON.parse(await file.text()));
    if (!parsed.success) {
      setNote(t('presets.badFile'));
      return;
    }
    setPresets(await importPresets(parsed.data.presets));
    setNote(t('presets.imported', { n: parsed.data.presets.length }));
  };

  return (
    <div className="form-section presets" data-testid="presets">
      <label className="presets__pick">
        <span className="field__label">{t('presets.title')}</span>
        <select
          value={picked}
          data-testid="preset-select"
          onChange={(e) => {
            setPicked(e.target.value);
            const p = presets.find((x) => x.id === e.target.value);
            if (p) form.reuse(p.params, 'preset');
          }}
        >
          <option value="">{presets.length === 0 ? t('presets.none') : t('presets.choose')}</option>
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <div className="presets__actions">
        {naming ? (
          <>
            <input
              aria-label={t('presets.name')}
              placeholder={t('presets.name')}
              value={name}
              maxLength={80}
              data-testid="preset-name"
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  save();
                }
              }}
            />
            <button type="button" className="btn btn--small" data-testid="preset-save-confirm" onClick={save}>
              {t('presets.save')}
            </button>
          </>
        ) : (
          <button type="button" className="btn btn--small" data-testid="preset-save" onClick={() => setNaming(true)}>
            {t('presets.saveAs')}
          </button>
        )}
        {picked ? (
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => {
              deletePreset(picked).then(() => {
                setPresets((l) => l.filter((p) => p.id !== picked));
                setPicked('');
              }, fail);
            }}
          >
            {t('presets.delete')}
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn--ghost btn--small"
          onClick={exportJson}
          disabled={presets.length === 0}
        >
          {t('presets.export')}
        </button>
        <button type="button" className="btn btn--ghost btn--small" onClick={() => fileInput.current?.click()}>
          {t('presets.import')}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) importJson(f).catch(fail);
            e.target.value = '';
          }}
        />
      </div>
      {note ? (
        <p className="field__hint" role="status">
          {note}
        </p>
      ) : null}
    </div>
  );
}
