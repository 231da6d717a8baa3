import { useEffect, useState } from 'react';
import { MODELS, type TrashItem } from '@mediagen/contract';
import { apiUrl } from '../../api/config.ts';
import { getTrash, restoreItem } from '../../api/workspace.ts';
import { Banner } from '../../components/Banner.tsx';
import { useI18n } from '../../i18n/useI18n.ts';

/** Deleted items, kept for the retention period; each can be restored. */
export function TrashView({ onRestored }: { onRestored: () => void }) {
  const { t } = useI18n();
  const [items, setItems] = useState<TrashItem[] | null>(null);
  const [days, setDays] = useState(7);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    getTrash(ctl.signal).then(
      (p) => {
        setItems(p.items);
        setDays(p.retention_days);
      },
      (err: unknown) => {
        if (!ctl.signal.aborted) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => ctl.abort();
  }, []);
  const restore = (id: string): void => {
    restoreItem(id).then(
      () => {
        setItems((l) => (l ?? []).filter((i) => i.task_id !== id));
        onRestored();
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  };
  return (
    <div className="trash" data-testid="gallery-trash">
      <p className="field__hint">{t('trash.explain', { days })}</p>
      {error ? <Banner tone="error">{error}</Banner> : null}
      {items && items.length === 0 ? (
        <p className="empty" data-testid="trash-empty">
          {t('trash.empty')}
        </p>
      ) : null}
      <ul className="gallery__grid">
        {(items ?? []).map((item) => (
          <li key={item.task_id} className="tile" data-testid="trash-item" data-task-id={item.task_id}>
            {item.thumbnail_url ? (
              <img className="tile__thumb" src={apiUrl(item.thumbnail_url)} alt="" loading="lazy" />
            ) : null}
            <div className="tile__meta">
              <span className="tile__model">{MODELS[item.model].label}</span>
              <span className="tile__prompt" title={item.prompt}>
                {item.prompt}
              </span>
              <span className="tile__date">
                {t('trash.purgeAt', { date: new Date(item.purge_at).toLocaleDateString() })}
              </span>
              <button
                type="button"
                className="btn btn--small"
                data-testid="trash-restore"
                onClick={() => restore(item.task_id)}
              >
                {t('trash.restore')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
