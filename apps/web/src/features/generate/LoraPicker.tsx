import { useEffect, useMemo, useState } from 'react';
import { LORA_STRENGTH, MAX_LORAS, type LoraList, type LoraView } from '@mediagen/contract';
import { listLoras } from '../../api/loras.ts';
import { apiUrl } from '../../api/config.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { clampStrength, toggleLora, withLoraChange } from './loraState.ts';
import type { StudioForm } from './useStudioForm.ts';

/** Pick up to 4 LoRAs of the model's family from the library: search, strengths, trigger words on request. */
export function LoraPicker({ form, err }: { form: StudioForm; err: (path: string) => string | undefined }) {
  const { t } = useI18n();
  const { state: s, patch } = form;
  const picked = s.loras ?? [];
  const [list, setList] = useState<LoraList | null>(null);
  const [query, setQuery] = useState('');
  useEffect(() => {
    const ctrl = new AbortController();
    listLoras(s.model, ctrl.signal).then(setList, () => setList(null));
    return () => ctrl.abort();
  }, [s.model]);
  const byName = useMemo(() => new Map((list?.items ?? []).map((l) => [l.name, l])), [list]);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (list?.items ?? []).filter(
      (l) =>
        !q ||
        l.name.toLowerCase().includes(q) ||
        l.title.toLowerCase().includes(q) ||
        l.trigger_words.some((w) => w.toLowerCase().includes(q)),
    );
  }, [list, query]);
  if (!list || (list.items.length === 0 && picked.length === 0)) return null;
  const error = err('loras');
  const addWord = (word: string): void => {
    if (!s.prompt.toLowerCase().includes(word.toLowerCase()))
      patch({ prompt: s.prompt.trim() ? `${s.prompt.trim()}, ${word}` : word });
  };

  return (
    <fieldset className="form-section loras" data-testid="lora-picker">
      <legend className="field__label">
        {t('loras.title')} <span className="field__hint">({list.family ?? ''})</span>
      </legend>
      {!list.supported ? (
        <p className="field__hint" data-testid="lora-unsupported">
          {t('loras.unsupported')} {list.reason}
        </p>
      ) : null}
      <input
        type="search"
        className="input"
        placeholder={t('loras.search')}
        aria-label={t('loras.search')}
        value={query}
        data-testid="lora-search"
        onChange={(e) => setQuery(e.target.value)}
      />
      <ul className="loras__list">
        {shown.map((l: LoraView) => {
          const on = picked.some((p) => p.name === l.name);
          return (
            <li key={l.name} className="loras__item">
              <label>
                <input
                  type="checkbox"
                  checked={on}
                  disabled={!on && picked.length >= MAX_LORAS}
                  data-testid={`lora-toggle-${l.name}`}
                  onChange={() => patch({ loras: toggleLora(picked, l.name, l.default_strength) })}
                />
                {l.preview_url ? <img src={apiUrl(l.preview_url)} alt="" width={32} height={32} /> : null}
                <span>{l.title}</span>
                {!l.available ? <span className="badge">{t('loras.unavailable')}</span> : null}
              </label>
            </li>
          );
        })}
        {shown.length === 0 ? <li className="empty">{t('loras.none')}</li> : null}
      </ul>
      {picked.map((p) => {
        const view = byName.get(p.name);
        return (
          <div key={p.name} className="loras__picked" data-testid={`lora-picked-${p.name}`}>
            <label>
              <span>
                {view?.title ?? p.name} · {t('loras.strength')} {p.strength}
              </span>
              <input
                type="range"
                min={LORA_STRENGTH.min}
                max={LORA_STRENGTH.max}
                step={0.05}
                value={p.strength}
                data-testid={`lora-strength-${p.name}`}
                onChange={(e) =>
                  patch({ loras: withLoraChange(picked, p.name, { strength: clampStrength(Number(e.target.value)) }) })
                }
              />
            </label>
            {view && view.trigger_words.length > 0 ? (
              <div className="chips" aria-label={t('loras.triggerWords')}>
                {view.trigger_words.map((w) => (
                  <button
                    key={w}
                    type="button"
                    className="chip"
                    title={t('loras.addWord')}
                    data-testid={`lora-word-${w}`}
                    onClick={() => addWord(w)}
                  >
                    + {w}
                  </button>
                ))}
              </div>
            ) : null}
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={() => patch({ loras: picked.filter((x) => x.name !== p.name) })}
            >
              {t('loras.remove')}
            </button>
          </div>
        );
      })}
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
