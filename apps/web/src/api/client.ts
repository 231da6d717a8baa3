import {
  buildPath,
  isJsonResponse,
  type RouteBodyInput,
  type RouteDef,
  type RouteQueryInput,
  type RouteResponse,
} from '@mediagen/contract';
import { ApiError } from './ApiError.ts';
import { readJson, send, type RequestOptions } from './http.ts';

type ParamsOf<R extends RouteDef> = R['params'] extends { shape: infer S } ? { [K in keyof S]: string } : undefined;

export interface CallInput<R extends RouteDef> {
  params?: ParamsOf<R>;
  query?: RouteQueryInput<R>;
  body?: RouteBodyInput<R>;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  retries?: number;
}

/** The URL of a route of the contract, with its path parameters and query. */
export function routeUrl<R extends RouteDef>(route: R, input: Pick<CallInput<R>, 'params' | 'query'> = {}): string {
  const path = buildPath(route.path, input.params ?? {});
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Call a route declared in the contract; the answer is parsed with the schema the route declares for the
 * status that came back (a mismatch is a `bad_response` ApiError). Empty answers resolve to undefined.
 */
export async function call<R extends RouteDef>(route: R, input: CallInput<R> = {}): Promise<RouteResponse<R>> {
  const opts: RequestOptions = { method: route.method };
  if (input.body !== undefined) opts.body = input.body;
  if (input.headers) opts.headers = input.headers;
  if (input.signal) opts.signal = input.signal;
  if (input.retries !== undefined) opts.retries = input.retries;
  const res = await send(routeUrl(route, input), opts);
  const spec = route.responses[res.status];
  if (!spec) {
    throw new ApiError({ status: res.status, code: 'bad_response', message: `Unexpected status ${res.status}` });
  }
  if (!isJsonResponse(spec)) return undefined as RouteResponse<R>;
  return readJson(res, spec) as Promise<RouteResponse<R>>;
}
