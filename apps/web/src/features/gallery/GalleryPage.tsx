import { useEffect, useMemo, useRef, useState } from 'react';
import {
  MODEL_LIST,
  MODELS,
  modelsOfType,
  zGenerationType,
  zModelId,
  type GalleryItem,
  type GenerationType,
  type ModelId,
} from '@mediagen/contract';
import { apiUrl } from '../../api/config.ts';
import { zipUrl } from '../../api/workspace.ts';
import { Banner } from '../../components/Banner.tsx';
import { Icon } from '../../components/Icon.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { CompareView } from './CompareView.tsx';
import { GalleryViewer } from './GalleryViewer.tsx';
import { TrashView } from './TrashView.tsx';
import { useGallery } from './useGallery.ts';

export interface GalleryPageProps {
  onReuse: (params: Record<string, unknown>) => void;
  onUseAsReference: (value: string, previewUrl: string) => void;
  onContinue: (params: Record<string, unknown>, value: string, previewUrl: string) => void;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

export function GalleryPage({ onReuse, onUseAsReference, onContinue }: GalleryPageProps) {
  const { t, lang } = useI18n();
  const [type, setType] = useState<GenerationType | undefined>(undefined);
  const [model, setModel] = useState<ModelId | undefined>(undefined);
  const [search, setSearch] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [starred, setStarred] = useState(false);
  const [loraInput, setLoraInput] = useState('');
  const lora = useDebounced(loraInput, 250);
  const [view, setView] = useState<'items' | 'trash'>('items');
  const q = useDebounced(search, 250);
  const filter = useMemo(
    () => ({ type, model, q, from, to, starred, lora }),
    [type, model, q, from, to, starred, lora],
  );
  const gallery = useGallery(filter);
  const [openId, setOpenId] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [comparing, setComparing] = useState<[GalleryItem, GalleryItem] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);

  // Infinite scroll; the "load more" button below stays as the fallback (and for keyboards).
  const { loadMore } = gallery;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return undefined;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) loadMore();
      },
      { rootMargin: '400px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [loadMore]);

  const fail = (err: unknown): void => setNote(err instanceof Error ? err.message : String(err));
  const items = gallery.items;
  const openIndex = items.findIndex((i) => i.task_id === openId);
  const open = openIndex >= 0 ? items[openIndex] : undefined;
  const toggle = (id: string): void =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const trashSelected = (): void => {
    const ids = [...selected];
    gallery.removeMany(ids).then(() => {
      setSelected(new Set());
      setNote(t('gallery.movedToTrash', { n: ids.length }));
    }, fail);
  };
  const remove = (id: string): void => {
    gallery.removeMany([id]).then(() => {
      setOpenId(null);
      setNote(t('gallery.movedToTrash', { n: 1 }));
    }, fail);
  };
  const dateFmt = useMemo(() => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }), [lang]);

  const models = type ? modelsOfType(type) : MODEL_LIST;
  const picked = items.filter((i) => selected.has(i.task_id));
  return (
    <section className="gallery" aria-labelledby="gallery-title">
      <div className="gallery__bar">
        <h1 id="gallery-title" className="section-title">
          {t('gallery.title')}
        </h1>
        <div className="gallery__views" role="group" aria-label={t('gallery.view')}>
          <button
            type="button"
            className={`btn btn--small${view === 'items' ? ' btn--on' : ''}`}
            aria-pressed={view === 'items'}
            onClick={() => setView('items')}
          >
            {t('gallery.items')}
          </button>
          <button
            type="button"
            className={`btn btn--small${view === 'trash' ? ' btn--on' : ''}`}
            aria-pressed={view === 'trash'}
            data-testid="gallery-show-trash"
            onClick={() => setView('trash')}
          >
            {t('trash.title')}
          </button>
        </div>
      </div>

      {note ? (
        <Banner tone="info" testId="gallery-note" onDismiss={() => setNote(null)} dismissLabel={t('action.dismiss')}>
          <span className="banner__text">{note}</span>
          {view === 'items' ? (
            <button type="button" className="btn btn--small" onClick={() => setView('trash')}>
              {t('trash.open')}
            </button>
          ) : null}
        </Banner>
      ) : null}

      {view === 'trash' ? (
        <TrashView onRestored={gallery.reload} />
      ) : (
        <>
          <div className="gallery__filters">
            <label className="field gallery__search">
              <span className="field__label">{t('gallery.search')}</span>
              <input
                type="search"
                value={search}
                data-testid="gallery-search"
                placeholder={t('gallery.searchPlaceholder')}
                onChange={(e) => setSearch(e.target.value)}
              />
            </label>
            <SelectField
              id="g-type"
              testId="gallery-filter-type"
              label={t('field.type')}
              value={type ?? ''}
              options={[
                { value: '', label: t('gallery.all') },
                ...zGenerationType.options.map((v) => ({ value: v, label: t(`type.${v}`) })),
              ]}
              onChange={(v) => {
                const parsed = zGenerationType.safeParse(v);
                const next = parsed.success ? parsed.data : undefined;
                setType(next);
                if (next && model && MODELS[model].type !== next) setModel(undefined);
              }}
            />
            <SelectField
              id="g-model"
              testId="gallery-filter-model"
              label={t('field.model')}
              value={model ?? ''}
              options={[
                { value: '', label: t('gallery.all') },
                ...models.map((m) => ({ value: m.id, label: m.label })),
              ]}
              onChange={(v) => {
                const parsed = zModelId.safeParse(v);
                setModel(parsed.success ? parsed.data : undefined);
              }}
            />
            <label className="field">
              <span className="field__label">{t('gallery.from')}</span>
              <input type="date" value={from} data-testid="gallery-from" onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label className="field">
              <span className="field__label">{t('gallery.to')}</span>
              <input type="date" value={to} data-testid="gallery-to" onChange={(e) => setTo(e.target.value)} />
            </label>
            <label className="field">
              <span className="field__label">{t('gallery.lora')}</span>
              <input
                type="search"
                value={loraInput}
                data-testid="gallery-filter-lora"
                onChange={(e) => setLoraInput(e.target.value)}
              />
            </label>
            <label className="check gallery__starred">
              <input
                type="checkbox"
                checked={starred}
                data-testid="gallery-filter-starred"
                onChange={(e) => setStarred(e.target.checked)}
              />
              <span>{t('gallery.onlyStarred')}</span>
            </label>
          </div>

          {selected.size > 0 ? (
            <div
              className="gallery__selection"
              role="region"
              aria-label={t('gallery.selection')}
              data-testid="gallery-selection"
            >
              <strong>{t('gallery.selected', { n: selected.size })}</strong>
              <button
                type="button"
                className="btn btn--small"
                data-testid="gallery-delete-selected"
                onClick={trashSelected}
              >
                {t('gallery.toTrash')}
              </button>
              <a className="btn btn--small" href={zipUrl([...selected])} download data-testid="gallery-zip">
                {t('gallery.zip')}
              </a>
              <button
                type="button"
                className="btn btn--small"
                data-testid="gallery-compare"
                disabled={picked.length !== 2}
                title={picked.length !== 2 ? t('gallery.compareHint') : undefined}
                onClick={() => {
                  const [a, b] = picked;
                  if (a && b) setComparing([a, b]);
                }}
              >
                {t('gallery.compare')}
              </button>
              <button type="button" className="btn btn--ghost btn--small" onClick={() => setSelected(new Set())}>
                {t('gallery.clearSelection')}
              </button>
            </div>
          ) : null}

          {gallery.error ? (
            <Banner tone="error" testId="error-banner" title={t(`error.${gallery.error.code}`)}>
              <span className="banner__text">{gallery.error.message}</span>
              <button type="button" className="btn btn--small" onClick={gallery.reload}>
                {t('action.retry')}
              </button>
            </Banner>
          ) : null}

          {!gallery.loading && items.length === 0 && !gallery.error ? (
            <p className="empty" data-testid="gallery-empty">
              {t('gallery.empty')}
            </p>
          ) : null}

          <ul className="gallery__grid">
            {items.map((item) => (
              <li
                key={item.task_id}
                className={`tile${selected.has(item.task_id) ? ' tile--selected' : ''}`}
                data-testid="gallery-item"
                data-task-id={item.task_id}
              >
                <button
                  type="button"
                  className="tile__open"
                  onClick={() => setOpenId(item.task_id)}
                  aria-label={t('gallery.open', { prompt: item.prompt.slice(0, 60) })}
                >
                  {item.thumbnail_url ? (
                    <img src={apiUrl(item.thumbnail_url)} alt="" loading="lazy" decoding="async" />
                  ) : (
                    <span className="tile__placeholder">
                      <Icon name={item.type === 'video' ? 'film' : 'image'} size={32} />
                    </span>
                  )}
                  {item.type === 'video' ? (
                    <span className="tile__badge">
                      <Icon name="play" size={12} />
                    </span>
                  ) : null}
                </button>
                <label className="tile__select">
                  <input
                    type="checkbox"
                    checked={selected.has(item.task_id)}
                    data-testid="gallery-select"
                    onChange={() => toggle(item.task_id)}
                  />
                  <span className="visually-hidden">{t('gallery.select', { prompt: item.prompt.slice(0, 60) })}</span>
                </label>
                <button
                  type="button"
                  className={`tile__star${item.starred ? ' tile__star--on' : ''}`}
                  aria-pressed={item.starred ?? false}
                  aria-label={t('gallery.star')}
                  data-testid="gallery-star"
                  onClick={() => gallery.setStar(item.task_id, !(item.starred ?? false)).catch(fail)}
                >
                  {item.starred ? '★' : '☆'}
                </button>
                <div className="tile__meta">
                  <span className="tile__model">{MODELS[item.model].label}</span>
                  <time className="tile__date" dateTime={item.created_at} data-testid="gallery-item-date">
                    {Number.isFinite(Date.parse(item.created_at)) ? dateFmt.format(new Date(item.created_at)) : ''}
                  </time>
                  <span className="tile__prompt" title={item.prompt}>
                    {item.prompt}
                  </span>
                </div>
              </li>
            ))}
          </ul>

          <div ref={sentinel} className="gallery__sentinel" data-testid="gallery-sentinel" aria-hidden="true" />
          {gallery.loading ? (
            <p className="empty" role="status">
              {t('gallery.loading')}
            </p>
          ) : null}
          {gallery.hasMore && !gallery.loading && items.length > 0 ? (
            <button
              type="button"
              className="btn gallery__more"
              data-testid="gallery-load-more"
              onClick={gallery.loadMore}
            >
              {t('gallery.loadMore')}
            </button>
          ) : null}
        </>
      )}

      {open ? (
        <GalleryViewer
          item={open}
          onPrev={openIndex > 0 ? () => setOpenId(items[openIndex - 1]?.task_id ?? null) : undefined}
          onNext={openIndex < items.length - 1 ? () => setOpenId(items[openIndex + 1]?.task_id ?? null) : undefined}
          onClose={() => setOpenId(null)}
          onDelete={remove}
          onStar={(id, s) => void gallery.setStar(id, s).catch(fail)}
          onReuse={(p) => {
            setOpenId(null);
            onReuse(p);
          }}
          onUseAsReference={(value, url) => {
            setOpenId(null);
            onUseAsReference(value, url);
          }}
          onContinue={(p, value, url) => {
            setOpenId(null);
            onContinue(p, value, url);
          }}
        />
      ) : null}
      {comparing ? <CompareView a={comparing[0]} b={comparing[1]} onClose={() => setComparing(null)} /> : null}
    </section>
  );
}
