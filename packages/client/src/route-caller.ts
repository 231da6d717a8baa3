import {
  buildPath,
  isJsonResponse,
  type RouteBodyInput,
  type RouteDef,
  type RouteQueryInput,
  type RouteResponse,
} from '@mediagen/contract';
import { BadResponseError, NetworkError, errorFromResponse } from './errors.ts';

type ParamsOf<R extends RouteDef> = R['params'] extends { shape: infer S } ? { [K in keyof S]: string } : undefined;

/** What a call of one route of the contract takes: typed by its declaration. */
export interface CallInput<R extends RouteDef> {
  params?: ParamsOf<R>;
  query?: RouteQueryInput<R>;
  body?: RouteBodyInput<R>;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** retrying after no answer (or a 502/504) cannot do the work twice (GET, PUT, cancel, POST with an Idempotency-Key) */
  idempotent?: boolean;
}

export interface CallerOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  fetch: typeof fetch;
  /** extra tries after a 429/503 (honouring Retry-After) or, for idempotent calls, after no answer */
  maxRetries: number;
  /** no single wait is longer, whatever Retry-After says */
  maxRetryDelayMs: number;
  headers: Record<string, string>;
}

const GATEWAY_HICCUP = new Set([502, 504]);
const POLICY_REFUSAL = new Set([429, 503]);

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with jitter for tries without a Retry-After. */
function backoffMs(attempt: number): number {
  const exp = Math.min(8000, 500 * 2 ** attempt);
  return Math.round(exp / 2 + (Math.random() * exp) / 2);
}

/** Calls the routes the contract declares (ROUTES): builds the URL, sends, retries, and parses the answer. */
export class RouteCaller {
  constructor(readonly o: CallerOptions) {}

  url<R extends RouteDef>(route: R, input: Pick<CallInput<R>, 'params' | 'query'> = {}): string {
    const path = buildPath(route.path, input.params ?? {});
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const qs = q.toString();
    return `${this.o.baseUrl.replace(/\/$/, '')}${path}${qs ? `?${qs}` : ''}`;
  }

  /** The raw 2xx response (files, event streams); any other answer is thrown as its typed error. */
  async send<R extends RouteDef>(route: R, input: CallInput<R> = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.o.headers, ...input.headers };
    if (this.o.apiKey) headers['x-api-key'] = this.o.apiKey;
    let body: string | undefined;
    if (input.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(input.body);
    }
    const idempotent = input.idempotent ?? route.method !== 'POST';
    const url = this.url(route, input);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.o.maxRetries;
      let res: Response;
      try {
        res = await this.o.fetch(url, {
          method: route.method,
          headers,
          ...(body !== undefined ? { body } : {}),
          ...(input.signal ? { signal: input.signal } : {}),
          credentials: 'include',
        });
      } catch (err) {
        if (input.signal?.aborted) throw err;
        if (idempotent && !last) {
          await sleep(backoffMs(attempt), input.signal);
          continue;
        }
        throw new NetworkError({
          code: 'network_error',
          status: 0,
          message: `${route.method} ${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
        });
      }
      if (res.ok) return res;
      const retryable = POLICY_REFUSAL.has(res.status) || (idempotent && GATEWAY_HICCUP.has(res.status));
      const error = await errorFromResponse(res);
      if (!retryable || last) throw error;
      const wait = error.retryAfter !== undefined ? error.retryAfter * 1000 : backoffMs(attempt);
      await sleep(Math.min(wait, this.o.maxRetryDelayMs), input.signal);
    }
  }

  /** A JSON route: the answer parsed by the schema the route declares for the status that came back. */
  async call<R extends RouteDef>(route: R, input: CallInput<R> = {}): Promise<RouteResponse<R>> {
    const res = await this.send(route, input);
    const spec = route.responses[res.status];
    if (!spec)
      throw new BadResponseError({
        code: 'bad_response',
        status: res.status,
        message: `Unexpected status ${res.status}`,
      });
    if (!isJsonResponse(spec)) return undefined as RouteResponse<R>;
    let data: unknown;
    try {
      data = await res.json();
    } catch {
      throw new BadResponseError({ code: 'bad_response', status: res.status, message: 'The answer is not JSON' });
    }
    const parsed = spec.safeParse(data);
    if (parsed.success) return parsed.data as RouteResponse<R>;
    throw new BadResponseError({
      code: 'bad_response',
      status: res.status,
      message: `The answer of ${route.method} ${route.path} does not match the contract`,
      details: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
}
