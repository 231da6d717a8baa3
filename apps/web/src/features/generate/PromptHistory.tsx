import { useEffect, useState } from 'react';
import type { PromptHistoryItem } from '@mediagen/contract';
import { deletePrompt, searchPrompts } from '../../api/workspace.ts';
import { Modal } from '../../components/Modal.tsx';
import { useI18n } from '../../i18n/useI18n.ts';

/** The user's last 200 prompts (kept on the server), searchable; picking one fills prompt and negative prompt. */
export function PromptHistory({ onPick }: { onPick: (prompt: string, negative: string) => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [items, setItems] = useState<PromptHistoryItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return undefined;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      searchPrompts(q, ctl.signal).then(setItems, (err: unknown) => {
        if (!ctl.signal.aborted) setError(err instanceof Error ? err.message : String(err));
      });
    }, 200);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [open, q]);
  return (
    <>
      <button
        type="button"
        className="btn btn--ghost btn--small"
        data-testid="prompt-history"
        onClick={() => setOpen(true)}
      >
        {t('history.open')}
      </button>
      {open ? (
        <Modal
          title={t('history.title')}
          onClose={() => setOpen(false)}
          closeLabel={t('action.close')}
          testId="history-dialog"
        >
          <label className="field">
            <span className="field__label">{t('history.search')}</span>
            <input
              type="search"
              value={q}
              data-testid="history-search"
              onChange={(e) => setQ(e.target.value)}
              placeholder={t('history.searchPlaceholder')}
            />
          </label>
          {error ? <p className="field__error">{error}</p> : null}
          {items && items.length === 0 ? <p className="empty">{t('history.empty')}</p> : null}
          <ul className="history">
            {(items ?? []).map((i) => (
              <li key={i.id} className="history__item" data-testid="history-item">
                <button
                  type="button"
                  className="history__pick"
                  onClick={() => {
                    onPick(i.prompt, i.negative_prompt);
                    setOpen(false);
                  }}
                >
                  <span className="history__prompt">{i.prompt}</span>
                  {i.negative_prompt ? (
                    <span className="history__negative">
                      {t('field.negative')}: {i.negative_prompt}
                    </span>
                  ) : null}
                  <span className="history__meta">
                    {new Date(i.last_used_at).toLocaleString()} · ×{i.uses}
                  </span>
                </button>
                <button
                  type="button"
                  className="btn btn--ghost btn--small"
                  aria-label={t('history.forget')}
                  title={t('history.forget')}
                  onClick={() => {
                    void deletePrompt(i.id).then(() => setItems((l) => (l ?? []).filter((x) => x.id !== i.id)));
                  }}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        </Modal>
      ) : null}
    </>
  );
}
