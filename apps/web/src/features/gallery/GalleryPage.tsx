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
import { Banner } from '../../components/Banner.tsx';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { Icon } from '../../components/Icon.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { GalleryViewer } from './GalleryViewer.tsx';
import { useGallery } from './useGallery.ts';

export interface GalleryPageProps {
  onReuse: (params: Record<string, unknown>) => void;
  onUseAsReference: (value: string, previewUrl: string) => void;
}

export function GalleryPage({ onReuse, onUseAsReference }: GalleryPageProps) {
  const { t } = useI18n();
  const [type, setType] = useState<GenerationType | undefined>(undefined);
  const [model, setModel] = useState<ModelId | undefined>(undefined);
  const filter = useMemo(() => ({ type, model }), [type, model]);
  const gallery = useGallery(filter);
  const [open, setOpen] = useState<GalleryItem | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
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

  const remove = (id: string): void => {
    setDeleteError(null);
    gallery.remove(id).then(
      () => setOpen((o) => (o?.task_id === id ? null : o)),
      (err: unknown) => setDeleteError(err instanceof Error ? err.message : String(err)),
    );
  };

  const models = type ? modelsOfType(type) : MODEL_LIST;
  return (
    <section className="gallery" aria-label={t('gallery.title')}>
      <div className="gallery__bar">
        <h1 className="section-title">{t('gallery.title')}</h1>
        <div className="gallery__filters">
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
            options={[{ value: '', label: t('gallery.all') }, ...models.map((m) => ({ value: m.id, label: m.label }))]}
            onChange={(v) => {
              const parsed = zModelId.safeParse(v);
              setModel(parsed.success ? parsed.data : undefined);
            }}
          />
        </div>
      </div>

      {gallery.error ? (
        <Banner tone="error" testId="error-banner" title={t(`error.${gallery.error.code}`)}>
          <span className="banner__text">{gallery.error.message}</span>
          <button type="button" className="btn btn--small" onClick={gallery.reload}>
            {t('action.retry')}
          </button>
        </Banner>
      ) : null}
      {deleteError ? (
        <Banner tone="error" onDismiss={() => setDeleteError(null)} dismissLabel={t('action.dismiss')}>
          {deleteError}
        </Banner>
      ) : null}

      {!gallery.loading && gallery.items.length === 0 && !gallery.error ? (
        <p className="empty" data-testid="gallery-empty">
          {t('gallery.empty')}
        </p>
      ) : null}

      <ul className="gallery__grid">
        {gallery.items.map((item) => (
          <li key={item.task_id} className="tile" data-testid="gallery-item" data-task-id={item.task_id}>
            <button
              type="button"
              className="tile__open"
              onClick={() => setOpen(item)}
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
            <div className="tile__meta">
              <span className="tile__model">{MODELS[item.model].label}</span>
              <span className="tile__prompt" title={item.prompt}>
                {item.prompt}
              </span>
              <ConfirmButton
                label={t('gallery.delete')}
                confirmLabel={t('gallery.confirmDelete')}
                cancelLabel={t('action.cancel')}
                question={t('gallery.deleteQuestion')}
                testId="gallery-delete"
                onConfirm={() => remove(item.task_id)}
              />
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
      {gallery.hasMore && !gallery.loading && gallery.items.length > 0 ? (
        <button type="button" className="btn gallery__more" data-testid="gallery-load-more" onClick={gallery.loadMore}>
          {t('gallery.loadMore')}
        </button>
      ) : null}

      {open ? (
        <GalleryViewer
          item={open}
          onClose={() => setOpen(null)}
          onDelete={remove}
          onReuse={(p) => {
            setOpen(null);
            onReuse(p);
          }}
          onUseAsReference={(value, url) => {
            setOpen(null);
            onUseAsReference(value, url);
          }}
        />
      ) : null}
    </section>
  );
}
