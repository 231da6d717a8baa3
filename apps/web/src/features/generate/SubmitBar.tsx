import { useEffect, useRef } from 'react';
import { MODELS } from '@mediagen/contract';
import { Banner } from '../../components/Banner.tsx';
import type { ApiError } from '../../api/ApiError.ts';
import type { Translate } from '../../i18n/catalog.ts';
import { formatDuration } from '../../i18n/formatDuration.ts';
import { localizeDetail, localizeUserAction } from '../../i18n/localizeDetail.ts';
import { useI18n } from '../../i18n/useI18n.ts';
import { estimateFor } from './formState.ts';
import { MAX_AUTO_RETRIES, MAX_IN_FLIGHT, type GenerateControl } from './useGenerate.ts';
import type { StudioForm } from './useStudioForm.ts';

export function errorTitle(t: Translate, error: ApiError): string {
  return t(`error.${error.code}`);
}

/** Server message plus what the user can do about it (the body's user_action). */
function ErrorText({ error }: { error: ApiError }) {
  const { t } = useI18n();
  return (
    <>
      <span className="banner__text">{error.message}</span>
      {error.userAction ? (
        <span className="banner__action" data-testid="user-action">
          {localizeUserAction(t, error.code, error.userAction)}
        </span>
      ) : null}
    </>
  );
}

export function SubmitBar({
  form,
  control,
  inFlight,
}: {
  form: StudioForm;
  control: GenerateControl;
  inFlight: number;
}) {
  const { t } = useI18n();
  const { countdown, problem, sending } = control;
  const estimate = estimateFor(form.state);
  const full = inFlight >= MAX_IN_FLIGHT;
  // Only the refused model waits for its retry; any other model or type can be generated meanwhile.
  const waitsForRetry = countdown !== null && countdown.model === form.state.model;
  // The countdown is in the button too: on phones the banner may be scrolled out of view.
  const label = sending
    ? t('generate.sending')
    : waitsForRetry
      ? t('generate.waitingIn', { seconds: countdown.secondsLeft })
      : t('generate.button');
  const otherType = countdown?.type === 'video' ? 'image' : 'video';
  const notes = useRef<HTMLDivElement>(null);
  const problemKind = problem?.kind;
  useEffect(() => {
    // Field errors move focus to the field; other problems bring their banner into view.
    if (problemKind && problemKind !== 'invalid')
      notes.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [problemKind]);

  // Two blocks: the notes, and the button row, which stays in reach (sticky) on phones.
  return (
    <>
      <div className="form-section submit-bar" ref={notes}>
        <p className="estimate" data-testid="estimate" aria-live="polite">
          {t('estimate.label')} <strong>≈ {formatDuration(t, estimate)}</strong>
        </p>

        {countdown ? (
          <Banner tone="warning" testId="retry-countdown" title={t(`error.${countdown.code}`)}>
            <span className="banner__text" data-testid="overload-reason">
              {countdown.reason}
            </span>
            {countdown.waiting !== undefined ? (
              <span className="banner__text" data-testid="overload-waiting">
                {t('retry.waiting', { n: countdown.waiting, type: t(`type.${countdown.type}`) })}
                {countdown.retryAfter !== undefined
                  ? ` · ${t('retry.retryAfter', { seconds: countdown.retryAfter })}`
                  : ''}
              </span>
            ) : null}
            <span className="banner__text">
              {t('retry.countdownJob', {
                seconds: countdown.secondsLeft,
                attempt: countdown.attempt,
                max: MAX_AUTO_RETRIES,
                model: MODELS[countdown.model].label,
              })}
            </span>
            {countdown.availableTypes.includes(otherType) ? (
              <span className="banner__action" data-testid="other-type-available">
                {t(otherType === 'image' ? 'retry.imagesAvailable' : 'retry.videosAvailable')}{' '}
                {form.state.type !== otherType ? (
                  <button type="button" className="btn btn--small" onClick={() => form.setType(otherType)}>
                    {t('retry.switchTo', { type: t(`type.${otherType}`) })}
                  </button>
                ) : null}
              </span>
            ) : null}
            {countdown.userAction ? (
              <span className="banner__action" data-testid="user-action">
                {localizeUserAction(t, countdown.code, countdown.userAction)}
              </span>
            ) : null}
            <span className="banner__buttons">
              <button type="button" className="btn btn--small" onClick={control.retryNow} data-testid="retry-now">
                {t('retry.now')}
              </button>
              <button
                type="button"
                className="btn btn--ghost btn--small"
                onClick={control.stopRetry}
                data-testid="retry-stop"
              >
                {t('retry.stop')}
              </button>
            </span>
          </Banner>
        ) : null}

        {problem?.kind === 'invalid' ? (
          <Banner
            tone="error"
            testId="validation-banner"
            title={t('problem.invalid')}
            onDismiss={control.dismiss}
            dismissLabel={t('action.dismiss')}
          >
            {problem.unplaced.length > 0 ? (
              <ul className="banner__list">
                {problem.unplaced.map((d) => (
                  <li key={`${d.path}:${d.message}`}>
                    <code>{d.path}</code> {localizeDetail(t, d.message)}
                  </li>
                ))}
              </ul>
            ) : null}
          </Banner>
        ) : null}
        {problem?.kind === 'too_many' ? (
          <Banner tone="warning" testId="error-banner" onDismiss={control.dismiss} dismissLabel={t('action.dismiss')}>
            {t('problem.tooMany', { max: MAX_IN_FLIGHT })}
          </Banner>
        ) : null}
        {problem?.kind === 'api' || problem?.kind === 'gave_up' ? (
          <Banner
            tone="error"
            testId="error-banner"
            title={errorTitle(t, problem.error)}
            onDismiss={control.dismiss}
            dismissLabel={t('action.dismiss')}
          >
            <ErrorText error={problem.error} />
            {problem.kind === 'gave_up' ? <span className="banner__text">{t('problem.gaveUp')}</span> : null}
          </Banner>
        ) : null}
      </div>

      <div className="submit-bar__row">
        <button
          type="submit"
          className="btn btn--primary btn--large"
          data-testid="generate-button"
          disabled={sending || waitsForRetry || full}
          aria-describedby="generate-hint"
        >
          {label}
        </button>
        <p id="generate-hint" className="field__hint">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> · {t('generate.inFlight', { n: inFlight, max: MAX_IN_FLIGHT })}
          {full ? ` · ${t('problem.tooMany', { max: MAX_IN_FLIGHT })}` : ''}
        </p>
      </div>
    </>
  );
}
