import { useState } from 'react';
import type { GenerationResult } from '@mediagen/contract';
import { apiUrl } from '../../api/config.ts';
import { fetchAsDataUrl } from '../../api/endpoints.ts';
import { CopyButton } from '../../components/CopyButton.tsx';
import { MediaView } from '../../components/MediaView.tsx';
import { formatDuration } from '../../i18n/formatDuration.ts';
import { useI18n } from '../../i18n/useI18n.ts';

export interface ResultViewProps {
  result: GenerationResult;
  onUseAsReference: (value: string, previewUrl: string) => void;
}

/** A finished job: the media, and per output download, copy seed and "use as reference". */
export function ResultView({ result, onUseAsReference }: ResultViewProps) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);
  const urls = (result.urls.length > 0 ? result.urls : [result.url]).map((u) => apiUrl(u));
  const kind = result.type === 'video' && result.output_format !== 'gif' ? 'video' : 'image';
  const canReference = result.type === 'image';
  const m = result.metadata;

  const applyAsReference = async (index: number): Promise<void> => {
    setBusy(index);
    setFailed(false);
    try {
      // asset:<id> reuses the stored output; when the id is unknown the pixels travel instead.
      const id = result.asset_ids[index];
      const asset = id ? `asset:${id}` : null;
      const source = result.urls[index] ?? result.url;
      const value = asset ?? (await fetchAsDataUrl(source));
      onUseAsReference(value, apiUrl(source));
    } catch {
      setFailed(true);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="result" data-testid="result">
      <MediaView urls={urls} kind={kind} alt={t('job.resultAlt')} />
      <ul className="result__outputs">
        {urls.map((url, i) => {
          const seed = result.seeds[i] ?? result.seed + i;
          return (
            <li key={url} className="result__output">
              {urls.length > 1 ? <span className="result__index">#{i + 1}</span> : null}
              <a className="btn btn--small" href={url} download data-testid="download">
                {t('job.download')}
              </a>
              <CopyButton
                text={String(seed)}
                label={t('job.copySeed', { seed })}
                copiedLabel={t('action.copied')}
                testId="copy-seed"
              />
              {canReference ? (
                <button
                  type="button"
                  className="btn btn--small"
                  data-testid="use-as-reference"
                  disabled={busy !== null}
                  onClick={() => void applyAsReference(i)}
                >
                  {busy === i ? t('job.preparing') : t('job.useAsReference')}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      {failed ? (
        <p className="field__error" role="alert">
          {t('job.referenceFailed')}
        </p>
      ) : null}
      <p className="result__meta">
        {result.width}×{result.height}
        {m.num_frames !== undefined ? ` · ${t('job.frames', { n: m.num_frames })}` : ''}
        {m.requested_num_frames !== undefined && m.num_frames !== undefined && m.requested_num_frames !== m.num_frames
          ? ` (${t('job.framesRequested', { n: m.requested_num_frames })})`
          : ''}
        {m.fps !== undefined ? ` · ${m.fps} fps` : ''}
        {` · ${t('job.gpuTime', { time: formatDuration(t, m.gpu_time) })}`}
      </p>
      {m.ignored_params.length > 0 ? (
        <div className="result__ignored" data-testid="ignored-params">
          <strong>{t('job.ignored')}</strong>
          <ul>
            {m.ignored_params.map((p) => (
              <li key={p.param}>
                <code>{p.param}</code> — {p.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
