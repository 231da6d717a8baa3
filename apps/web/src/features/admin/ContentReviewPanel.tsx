import { MODELS } from '@mediagen/contract';
import { deleteQuarantined, listQuarantine, releaseQuarantined } from '../../api/content.ts';
import { Badge } from '../../components/Badge.tsx';
import { Banner } from '../../components/Banner.tsx';
import { useI18n } from '../../i18n/useI18n.ts';
import { usePolled } from './usePolled.ts';

/** Withheld outputs awaiting review: a blurred preview, the rule and scores (never the prompt), delete, release. */
export function ContentReviewPanel() {
  const { t, lang } = useI18n();
  const q = usePolled(listQuarantine, 10_000);
  const act = (p: Promise<void>): void => {
    p.then(q.reload, q.reload);
  };
  return (
    <section className="panel" aria-labelledby="admin-review-title" data-testid="admin-review">
      <header className="panel__head">
        <h2 id="admin-review-title">{t('admin.review')}</h2>
        {q.data ? <Badge tone="neutral">{t(`admin.outputCheck.${q.data.mode}`)}</Badge> : null}
      </header>
      {q.error ? (
        <Banner tone="error" title={t(`error.${q.error.code}`)}>
          {q.error.message}
        </Banner>
      ) : null}
      {q.data && q.data.items.length === 0 ? <p className="empty">{t('admin.reviewEmpty')}</p> : null}
      <ul className="review-list">
        {(q.data?.items ?? []).map((i) => (
          <li key={i.id} className="review-item" data-testid="review-item" data-rule={i.rule}>
            {i.thumbnail_url ? (
              <img src={i.thumbnail_url} alt={t('admin.reviewPreview')} width={96} height={96} loading="lazy" />
            ) : null}
            <div>
              <strong>{t(`admin.rule.${i.rule}`)}</strong>
              <div className="field__hint">
                {i.user_name ?? i.user_id} · {MODELS[i.model].label} · {new Date(i.created_at).toLocaleString(lang)}
              </div>
              <div className="field__hint" data-testid="review-scores">
                porn {i.scores.porn} · hentai {i.scores.hentai} · sexy {i.scores.sexy}
              </div>
              <div className="row-actions">
                <button
                  type="button"
                  className="btn btn--small"
                  data-testid="review-delete"
                  onClick={() => act(deleteQuarantined(i.id))}
                >
                  {t('admin.delete')}
                </button>
                {i.releasable ? (
                  <button
                    type="button"
                    className="btn btn--small"
                    data-testid="review-release"
                    onClick={() => act(releaseQuarantined(i.id))}
                  >
                    {t('admin.release')}
                  </button>
                ) : null}
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
