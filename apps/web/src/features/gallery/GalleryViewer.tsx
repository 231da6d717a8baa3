import { useEffect, useState } from 'react';
import { MODELS, type GalleryItem } from '@mediagen/contract';
import { apiUrl } from '../../api/config.ts';
import { lastFrame } from '../../api/workspace.ts';
import { MediaView } from '../../components/MediaView.tsx';
import { Modal } from '../../components/Modal.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { ParameterTable } from './ParameterTable.tsx';

export interface GalleryViewerProps {
  item: GalleryItem;
  /** ←/→ move to the neighbours (undefined at the ends) */
  onPrev: (() => void) | undefined;
  onNext: (() => void) | undefined;
  onClose: () => void;
  onDelete: (id: string) => void;
  onReuse: (params: Record<string, unknown>) => void;
  onUseAsReference: (value: string, previewUrl: string) => void;
  /** a video's last frame as the start of an i2v job with its settings */
  onContinue: (params: Record<string, unknown>, value: string, previewUrl: string) => void;
  onStar: (id: string, starred: boolean) => void;
}

export function GalleryViewer(p: GalleryViewerProps) {
  const { t } = useI18n();
  const { item } = p;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const urls = (item.urls.length > 0 ? item.urls : item.url ? [item.url] : []).map((u) => apiUrl(u));
  const kind = item.type === 'video' && item.output_format !== 'gif' ? 'video' : 'image';
  // parameters carry the resolved values; the top-level seed is the one actually used
  const params = { ...item.parameters, model: item.model, mode: item.mode, seed: item.seed };
  const { onPrev, onNext } = p;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
      if (e.key === 'ArrowLeft' && onPrev) onPrev();
      if (e.key === 'ArrowRight' && onNext) onNext();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onPrev, onNext]);
  const continueVideo = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const frame = await lastFrame(item.task_id);
      p.onContinue(params, `asset:${frame.asset_id}`, apiUrl(frame.preview_url));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={`${MODELS[item.model].label} · ${t(`mode.${item.mode}`)}`}
      onClose={p.onClose}
      closeLabel={t('action.close')}
      testId="gallery-viewer"
    >
      <div className="viewer__nav">
        <button type="button" className="btn btn--small" onClick={onPrev} disabled={!onPrev} data-testid="viewer-prev">
          ← {t('gallery.previous')}
        </button>
        <button
          type="button"
          className="btn btn--small"
          aria-pressed={item.starred ?? false}
          data-testid="viewer-star"
          onClick={() => p.onStar(item.task_id, !(item.starred ?? false))}
        >
          {item.starred ? `★ ${t('gallery.starred')}` : `☆ ${t('gallery.star')}`}
        </button>
        <button type="button" className="btn btn--small" onClick={onNext} disabled={!onNext} data-testid="viewer-next">
          {t('gallery.next')} →
        </button>
      </div>
      <MediaView key={item.task_id} urls={urls} kind={kind} alt={item.prompt} testId="gallery-media" />
      <div className="viewer__actions">
        {urls.map((url, i) => (
          <span key={url} className="viewer__output">
            {urls.length > 1 ? <span className="result__index">#{i + 1}</span> : null}
            <a className="btn btn--small" href={url} download data-testid="gallery-download">
              {t('job.download')}
            </a>
            {item.type === 'image' && item.asset_ids[i] ? (
              <button
                type="button"
                className="btn btn--small"
                data-testid="gallery-use-as-reference"
                onClick={() => p.onUseAsReference(`asset:${item.asset_ids[i] ?? ''}`, url)}
              >
                {t('job.useAsReference')}
              </button>
            ) : null}
          </span>
        ))}
        {kind === 'video' ? (
          <button
            type="button"
            className="btn btn--small"
            data-testid="gallery-continue"
            disabled={busy}
            onClick={() => void continueVideo()}
          >
            {busy ? t('job.preparing') : t('gallery.continue')}
          </button>
        ) : null}
        <button type="button" className="btn btn--small" data-testid="gallery-reuse" onClick={() => p.onReuse(params)}>
          {t('job.reuse')}
        </button>
        <button
          type="button"
          className="btn btn--ghost btn--small"
          data-testid="gallery-viewer-delete"
          onClick={() => p.onDelete(item.task_id)}
        >
          {t('gallery.toTrash')}
        </button>
      </div>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="viewer__prompt">{item.prompt}</p>
      <ParameterTable params={params} createdAt={item.created_at} />
    </Modal>
  );
}
