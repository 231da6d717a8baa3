import type {
  Access,
  Routes,
  RouteBody,
  RouteDef,
  RouteName,
  RouteParams,
  RouteQuery,
  RouteResponse,
} from '@mediagen/contract';
import type { UserRecord } from '#ports/store.ts';
import type { Reply } from './replies.ts';

export type Lang = 'en' | 'ru';

/** What a use case may know of the request it serves: never the transport objects themselves. */
export interface RequestContext {
  requestId: string;
  ip: string;
  lang: Lang;
  /** lower-case header names */
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  /** aborted when the client goes away */
  signal: AbortSignal;
}

export interface UserContext extends RequestContext {
  user: UserRecord;
}

export interface AdminContext extends RequestContext {
  /** a stable, non-secret name of the admin session for the audit log */
  adminActor: string;
}

/** A file part of a multipart request, already on disk (streamed, size-bounded); deleted after the request. */
export interface UploadedFile {
  field: string;
  path: string;
  bytes: number;
}

type ContextFor<A extends Access> = A extends 'user' ? UserContext : A extends 'admin' ? AdminContext : RequestContext;

export interface RouteInput<R extends RouteDef> {
  params: RouteParams<R>;
  query: RouteQuery<R>;
  body: RouteBody<R>;
  /** multipart routes: the uploaded files (their fields are in `body`) */
  files: UploadedFile[];
  ctx: ContextFor<R['access']>;
}

/** A route's use case: a JSON body of one of its declared responses (answered with the first 2xx), or a Reply. */
export type RouteHandler<R extends RouteDef> = (input: RouteInput<R>) => Promise<RouteResponse<R> | Reply>;

export type RouteHandlers<K extends RouteName = RouteName> = { [N in K]: RouteHandler<Routes[N]> };
