import { useEffect, useState, type FormEvent } from 'react';
import { zWebhookEvent, type WebhookEvent, type WebhookSecretCreated, type WebhookSettings } from '@mediagen/contract';
import { isApiError } from '../../api/ApiError.ts';
import { getWebhookSettings, rotateWebhookSecret, saveWebhookSettings } from '../../api/webhooks.ts';
import { Banner } from '../../components/Banner.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { describedBy, FieldShell } from '../../components/FieldShell.tsx';
import { useI18n } from '../../i18n/useI18n.ts';

const EVENTS: readonly WebhookEvent[] = zWebhookEvent.options;

/**
 * The user's default webhook (used by generations that name no webhook_url) and the signing secret:
 * created or rotated here, shown once.
 */
export function WebhookSettingsForm() {
  const { t, lang } = useI18n();
  const [settings, setSettings] = useState<WebhookSettings | null>(null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([]);
  const [urlError, setUrlError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [secret, setSecret] = useState<WebhookSecretCreated | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (s: WebhookSettings): void => {
    setSettings(s);
    setUrl(s.url ?? '');
    setEvents(s.events);
  };
  const describe = (err: unknown): string =>
    isApiError(err) ? `${t(`error.${err.code}`)}: ${err.message}` : String(err);

  useEffect(() => {
    getWebhookSettings().then(show, (err: unknown) => setError(describe(err)));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- load once when opened
  }, []);

  const save = async (e: FormEvent, clear = false): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setUrlError(undefined);
    setSaved(false);
    try {
      const target = clear ? null : url.trim() || null;
      show(await saveWebhookSettings({ url: target, ...(events.length > 0 ? { events } : {}) }));
      setSaved(true);
    } catch (err) {
      const field = isApiError(err) ? err.details.find((d) => d.path === 'url') : undefined;
      if (field) setUrlError(field.message);
      else setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  const rotate = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const created = await rotateWebhookSecret();
      setSecret(created);
      setSettings((s) => (s ? { ...s, secret_created_at: created.created_at } : s));
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  if (!settings && !error) return <p className="field__hint">{t('webhooks.loading')}</p>;
  return (
    <div className="webhook-settings" data-testid="webhook-settings">
      <p className="field__hint">{t('webhooks.intro')}</p>
      {error ? (
        <Banner tone="error" onDismiss={() => setError(null)} dismissLabel={t('action.dismiss')}>
          {error}
        </Banner>
      ) : null}

      <section aria-labelledby="wh-secret-title">
        <h3 id="wh-secret-title" className="field__label">
          {t('webhooks.secret')}
        </h3>
        <p className="field__hint" data-testid="webhook-secret-state">
          {settings?.secret_created_at
            ? t('webhooks.secretSince', { date: new Date(settings.secret_created_at).toLocaleString(lang) })
            : t('webhooks.noSecret')}
        </p>
        {secret ? (
          <Banner tone="success" title={t('webhooks.secretCreated')}>
            <span className="banner__text">{t('webhooks.secretOnce')}</span>
            <span className="key-box">
              <code data-testid="webhook-secret">{secret.secret}</code>
              <CopyButton
                text={secret.secret}
                label={t('action.copy')}
                copiedLabel={t('action.copied')}
                testId="webhook-secret-copy"
              />
            </span>
          </Banner>
        ) : null}
        <button
          type="button"
          className="btn btn--small"
          disabled={busy}
          onClick={() => void rotate()}
          data-testid="webhook-rotate"
        >
          {settings?.secret_created_at ? t('webhooks.rotate') : t('webhooks.create')}
        </button>
      </section>

      <form onSubmit={(e) => void save(e)} noValidate>
        <FieldShell id="wh-url" label={t('webhooks.url')} hint={t('webhooks.urlHint')} error={urlError}>
          <input
            id="wh-url"
            type="url"
            inputMode="url"
            placeholder="https://hooks.example.com/mediagen"
            data-testid="webhook-url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-invalid={urlError ? true : undefined}
            aria-describedby={describedBy('wh-url', true, urlError)}
          />
        </FieldShell>
        <fieldset className="checks">
          <legend className="field__label">{t('webhooks.events')}</legend>
          {EVENTS.map((ev) => (
            <label key={ev} className="check">
              <input
                type="checkbox"
                data-testid={`webhook-event-${ev}`}
                checked={events.includes(ev)}
                onChange={(e) => setEvents((prev) => (e.target.checked ? [...prev, ev] : prev.filter((x) => x !== ev)))}
              />
              {t(`webhooks.event.${ev}`)}
            </label>
          ))}
        </fieldset>
        <div className="row-actions">
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="webhook-save">
            {t('webhooks.save')}
          </button>
          {settings?.url ? (
            <button
              type="button"
              className="btn btn--ghost"
              disabled={busy}
              onClick={(e) => void save(e, true)}
              data-testid="webhook-clear"
            >
              {t('webhooks.clear')}
            </button>
          ) : null}
          {saved ? (
            <span role="status" className="field__hint" data-testid="webhook-saved">
              {t('webhooks.saved')}
            </span>
          ) : null}
        </div>
      </form>
    </div>
  );
}
