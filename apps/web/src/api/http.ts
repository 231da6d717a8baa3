import { ApiError, errorFromResponse } from './ApiError.ts';
import { apiUrl, FETCH_CREDENTIALS } from './config.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The part of a zod schema this client needs; keeps the web app free of a direct zod import. */
export interface Schema<T> {
  safeParse(
    data: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}
export type Parsed<S> = S extends Schema<infer T> ? T : never;

export interface RequestOptions {
  method?: Method;
  /** JSON-encoded when present */
  body?: unknown;
  headers?: Record<string, string>;
  /** extra attempts after a network failure or a 502/504 (default: 3 for GET, 0 otherwise) */
  retries?: number;
  signal?: AbortSignal | undefined;
}

/** Gateway hiccups worth retrying; 503 and 429 are policy answers handled by the caller. */
const RETRYABLE_STATUS = new Set([502, 504]);

type UnauthorizedListener = (path: string) => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** The session layer listens here so any 401 (expired cookie) brings back the sign-in screen. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Exponential backoff with jitter (half fixed, half random) so retries from many tabs spread out. */
export function backoffMs(attempt: number, baseMs = 400, capMs = 5000): number {
  const exp = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(exp / 2 + (Math.random() * exp) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

let requestLanguage: string | undefined;

/** Accept-Language for every API call: the UI's language, not the browser's. */
export function setRequestLanguage(lang: string): void {
  requestLanguage = lang;
}

/** One HTTP call with retries; resolves with an OK response or throws ApiError. */
export async function send(path: string, opts: RequestOptions = {}): Promise<Response> {
  const method = opts.method ?? 'GET';
  const retries = opts.retries ?? (method === 'GET' ? 3 : 0);
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(requestLanguage ? { 'accept-language': requestLanguage } : {}),
    ...opts.headers,
  };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      const init: RequestInit = { method, headers, credentials: FETCH_CREDENTIALS };
      if (body !== undefined) init.body = body;
      if (opts.signal) init.signal = opts.signal;
      res = await fetch(apiUrl(path), init);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      if (attempt < retries) {
        await sleep(backoffMs(attempt), opts.signal);
        continue;
      }
      throw new ApiError({
        status: 0,
        code: 'network_error',
        message: err instanceof Error ? err.message : 'Network error',
      });
    }
    if (res.ok) return res;
    if (RETRYABLE_STATUS.has(res.status) && attempt < retries) {
      await sleep(backoffMs(attempt), opts.signal);
      continue;
    }
    const error = await errorFromResponse(res);
    if (res.status === 401) for (const listener of unauthorizedListeners) listener(path);
    throw error;
  }
}

/** Parse a JSON body with a contract schema; a mismatch is a `bad_response` ApiError. */
export async function readJson<T>(res: Response, schema: Schema<T>): Promise<T> {
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    throw new ApiError({
      status: res.status,
      code: 'bad_response',
      message: 'The server sent a body that is not JSON',
    });
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new ApiError({
    status: res.status,
    code: 'bad_response',
    message: 'The server sent an unexpected response',
    details: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}

/** A JSON body without a schema, for shapes the UI reads defensively. */
export async function readUnknown(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

export async function requestJson<T>(path: string, schema: Schema<T>, opts?: RequestOptions): Promise<T> {
  return readJson(await send(path, opts), schema);
}

/** RFC 4122 v4 key; falls back to getRandomValues where randomUUID is missing (plain-http LAN hosts). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
