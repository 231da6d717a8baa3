import { MODELS, type GalleryItem } from '@mediagen/contract';
import { apiUrl } from '../../api/config.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { MediaView } from '../../components/MediaView.tsx';
import { Modal } from '../../components/Modal.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { ParameterTable } from './ParameterTable.tsx';

export interface GalleryViewerProps {
  item: GalleryItem;
  onClose: () => void;
  onDelete: (id: string) => void;
  onReuse: (params: Record<string, unknown>) => void;
  onUseAsReference: (value: string, previewUrl: string) => void;
}

export function GalleryViewer({ item, onClose, onDelete, onReuse, onUseAsReference }: GalleryViewerProps) {
  const { t } = useI18n();
  const urls = (item.urls.length > 0 ? item.urls : item.url ? [item.url] : []).map((u) => apiUrl(u));
  const kind = item.type === 'video' && item.output_format !== 'gif' ? 'video' : 'image';
  // parameters carry the resolved values; the top-level seed is the one actually used
  const params = { ...item.parameters, model: item.model, mode: item.mode, seed: item.seed };
  return (
    <Modal
      title={`${MODELS[item.model].label} · ${t(`mode.${item.mode}`)}`}
      onClose={onClose}
      closeLabel={t('action.close')}
      testId="gallery-viewer"
    >
      <MediaView urls={urls} kind={kind} alt={item.prompt} testId="gallery-media" />
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
                onClick={() => onUseAsReference(`asset:${item.asset_ids[i] ?? ''}`, url)}
              >
                {t('job.useAsReference')}
              </button>
            ) : null}
          </span>
        ))}
        <button type="button" className="btn btn--small" data-testid="gallery-reuse" onClick={() => onReuse(params)}>
          {t('job.reuse')}
        </button>
        <ConfirmButton
          label={t('gallery.delete')}
          confirmLabel={t('gallery.confirmDelete')}
          cancelLabel={t('action.cancel')}
          question={t('gallery.deleteQuestion')}
          testId="gallery-viewer-delete"
          onConfirm={() => onDelete(item.task_id)}
        />
      </div>
      <p className="viewer__prompt">{item.prompt}</p>
      <ParameterTable params={params} />
    </Modal>
  );
}
