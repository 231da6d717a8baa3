import { useState } from 'react';
import { MODELS, type GalleryItem } from '@mediagen/contract';
import { apiUrl } from '../../api/config.ts';
import { MediaView } from '../../components/MediaView.tsx';
import { Modal } from '../../components/Modal.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { ParameterTable } from './ParameterTable.tsx';

function mediaOf(item: GalleryItem): { urls: string[]; kind: 'image' | 'video' } {
  return {
    urls: (item.urls.length > 0 ? item.urls : item.url ? [item.url] : []).map((u) => apiUrl(u)),
    kind: item.type === 'video' && item.output_format !== 'gif' ? 'video' : 'image',
  };
}

/** A/B of two items: side by side, or one over the other with a divider to drag (images). */
export function CompareView({ a, b, onClose }: { a: GalleryItem; b: GalleryItem; onClose: () => void }) {
  const { t } = useI18n();
  const [split, setSplit] = useState(50);
  const both = [a, b];
  const overlay = a.type === 'image' && b.type === 'image';
  const differ = Object.keys({ ...a.parameters, ...b.parameters }).filter(
    (k) =>
      JSON.stringify(a.parameters[k]) !== JSON.stringify(b.parameters[k]) && !['seeds', 'ignored_params'].includes(k),
  );
  return (
    <Modal title={t('gallery.compareTitle')} onClose={onClose} closeLabel={t('action.close')} testId="compare-view">
      {overlay ? (
        <div className="compare__overlay">
          <img src={mediaOf(a).urls[0]} alt={`A: ${a.prompt}`} />
          <img src={mediaOf(b).urls[0]} alt={`B: ${b.prompt}`} style={{ clipPath: `inset(0 0 0 ${split}%)` }} />
          <label className="compare__slider">
            <span className="visually-hidden">{t('gallery.compareSplit')}</span>
            <input type="range" min={0} max={100} value={split} onChange={(e) => setSplit(Number(e.target.value))} />
          </label>
        </div>
      ) : null}
      <div className="compare__grid">
        {both.map((item, i) => {
          const m = mediaOf(item);
          return (
            <figure key={item.task_id} className="compare__side" data-testid="compare-side">
              <figcaption>
                <strong>{i === 0 ? 'A' : 'B'}</strong> · {MODELS[item.model].label}
              </figcaption>
              {overlay ? null : <MediaView urls={m.urls} kind={m.kind} alt={item.prompt} />}
              <p className="viewer__prompt">{item.prompt}</p>
              <ParameterTable params={{ ...item.parameters, seed: item.seed }} createdAt={item.created_at} />
            </figure>
          );
        })}
      </div>
      {differ.length > 0 ? (
        <p className="field__hint" data-testid="compare-differ">
          {t('gallery.compareDiffer', { list: differ.join(', ') })}
        </p>
      ) : null}
    </Modal>
  );
}
