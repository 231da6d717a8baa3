import type { ReactNode } from 'react';

export type BannerTone = 'error' | 'warning' | 'info' | 'success';

export function Banner({
  tone,
  title,
  children,
  testId,
  onDismiss,
  dismissLabel,
}: {
  tone: BannerTone;
  title?: string | undefined;
  children?: ReactNode;
  testId?: string;
  onDismiss?: (() => void) | undefined;
  dismissLabel?: string;
}) {
  return (
    <div className={`banner banner--${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <div className="banner__body">
        {title ? <strong className="banner__title">{title}</strong> : null}
        {children}
      </div>
      {onDismiss ? (
        <button
          type="button"
          className="btn btn--ghost btn--small banner__close"
          aria-label={dismissLabel ?? 'Dismiss'}
          onClick={onDismiss}
        >
          ✕
        </button>
      ) : null}
    </div>
  );
}
