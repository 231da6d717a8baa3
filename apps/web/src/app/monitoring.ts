import type * as SentryReact from '@sentry/react';

type SentryModule = typeof SentryReact;

let sentry: SentryModule | null = null;

/**
 * Sentry only when VITE_SENTRY_DSN is set, imported lazily so it is never part of the first
 * load (and, without a DSN, the chunk is never fetched).
 */
export function initMonitoring(): void {
  const dsn = import.meta.env.VITE_SENTRY_DSN;
  if (!dsn) return;
  import('@sentry/react').then(
    (mod) => {
      mod.init({ dsn, environment: import.meta.env.MODE });
      sentry = mod;
    },
    () => undefined, // monitoring must never break the app
  );
}

export function reportError(error: unknown, componentStack?: string): void {
  if (!sentry) return;
  sentry.captureException(error, componentStack ? { extra: { componentStack } } : undefined);
}
