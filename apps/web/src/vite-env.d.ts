// Build-time configuration read through import.meta.env (see README of apps/web).
interface ImportMetaEnv {
  /** API origin when the UI is hosted elsewhere (e.g. https://api.example.com); empty = same origin. */
  readonly VITE_API_BASE_URL?: string;
  /** Sentry DSN; Sentry is loaded lazily only when set. */
  readonly VITE_SENTRY_DSN?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
