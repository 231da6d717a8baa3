import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Who may call a route: anyone, a user (session cookie, API key, or the local user in open mode), an admin session. */
export type Access = 'public' | 'user' | 'admin';

/** A non-JSON answer: file bytes, a Server-Sent Events stream, plain text, or nothing (204). */
export interface BinaryResponse {
  kind: 'binary';
  contentTypes: readonly string[];
  description: string;
}
export interface EventStreamResponse {
  kind: 'events';
  description: string;
}
export interface TextResponse {
  kind: 'text';
  contentType: string;
  description: string;
}
export interface EmptyResponse {
  kind: 'empty';
  description: string;
}
export type ResponseSpec = z.ZodType | BinaryResponse | EventStreamResponse | TextResponse | EmptyResponse;

export interface RouteDef {
  method: HttpMethod;
  /** Fastify-style path: `/api/status/:id` */
  path: string;
  summary: string;
  tags: readonly string[];
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /**
   * `schema`: the body is validated against `body` before the handler runs (400 on mismatch).
   * `handler`: the body schema documents the request; the service validates it itself (SPEC §3's 400/422 split).
   */
  bodyValidation?: 'schema' | 'handler';
  body?: z.ZodType;
  /** also accepts multipart/form-data with the same fields (files in the image fields) */
  multipart?: boolean;
  /** request headers the route reads (documented, not validated) */
  headers?: Readonly<Record<string, string>>;
  /** success answers by status */
  responses: Readonly<Record<number, ResponseSpec>>;
  /** error statuses the route can answer (always the SPEC §3 error body) */
  errors: readonly number[];
  /** the route is left out of the OpenAPI document */
  hidden?: boolean;
}

/** Keeps the literal types of a route declaration. */
export function defineRoute<const R extends RouteDef>(route: R): R {
  return route;
}

export function isJsonResponse(spec: ResponseSpec): spec is z.ZodType {
  return !('kind' in spec && typeof (spec as { kind?: unknown }).kind === 'string');
}

type Out<S> = S extends z.ZodType ? z.output<S> : never;
type In<S> = S extends z.ZodType ? z.input<S> : never;

export type RouteParams<R extends RouteDef> = R['params'] extends z.ZodType
  ? z.output<R['params']>
  : Record<string, never>;
export type RouteQuery<R extends RouteDef> = R['query'] extends z.ZodType
  ? z.output<R['query']>
  : Record<string, never>;
export type RouteQueryInput<R extends RouteDef> = R['query'] extends z.ZodType ? z.input<R['query']> : never;
/** What the server's handler receives (validated routes) or must validate itself (`bodyValidation: 'handler'`). */
export type RouteBody<R extends RouteDef> = R['bodyValidation'] extends 'handler'
  ? unknown
  : R['body'] extends z.ZodType
    ? z.output<R['body']>
    : undefined;
/** What a client sends. */
export type RouteBodyInput<R extends RouteDef> = In<R['body']>;

type JsonResponses<R extends RouteDef> = {
  [S in keyof R['responses']]: R['responses'][S] extends z.ZodType ? Out<R['responses'][S]> : never;
}[keyof R['responses']];
/** Every JSON success body the route can answer. */
export type RouteResponse<R extends RouteDef> = JsonResponses<R>;

/** Fill a route path's `:params` (URI-encoded). */
export function buildPath(path: string, params: Readonly<Record<string, string | number>> = {}): string {
  return path.replace(/:([A-Za-z_]\w*)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`buildPath: ${path} needs :${name}`);
    return encodeURIComponent(String(v));
  });
}
