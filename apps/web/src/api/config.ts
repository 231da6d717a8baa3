/**
 * Where the API lives. Empty means same origin: the gateway serves this build at `/` and the API
 * under `/api`. VITE_API_BASE_URL (build config) points a UI hosted elsewhere at the gateway.
 */
const configured = import.meta.env.VITE_API_BASE_URL ?? '';

export const API_BASE = configured.trim().replace(/\/+$/, '');

/** Cross-origin needs `include` so the HttpOnly session cookie travels; same origin sends it anyway. */
export const FETCH_CREDENTIALS: RequestCredentials = API_BASE === '' ? 'same-origin' : 'include';

/** Absolute URL for an API path (`/api/...`), including media URLs used by <img>/<video>. */
export function apiUrl(path: string): string {
  if (/^(https?:|data:|blob:)/i.test(path)) return path;
  return API_BASE + path;
}
