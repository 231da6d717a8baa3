import { ROUTES, isJsonResponse, type RouteDef, type RouteName } from '@mediagen/contract';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler, onRequestHookHandler } from 'fastify';
import { AppError } from '#domain/app-error.ts';
import type { AppServices } from '#services/app-services.ts';
import { isReply, replyKind } from '#services/replies.ts';
import type { Lang, RequestContext, RouteHandlers, RouteInput, UploadedFile } from '#services/request-context.ts';
import { readMultipart, removeUploads } from './multipart-body.ts';
import { writeReply } from './reply-writer.ts';
import { principalFor, type CsrfPolicy, type Principal } from './request-auth.ts';
import type { SseHub } from './sse-hub.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface RegistryOptions {
  services: AppServices;
  csrf: CsrfPolicy;
  hub: SseHub;
  /** where multipart file parts are streamed to */
  uploadDir: string;
  /** per-route limits (rate limits …), run right after authentication, before the body is read */
  limits: Partial<Record<RouteName, onRequestHookHandler[]>>;
  /** body size limits per route (bytes) */
  bodyLimits: Partial<Record<RouteName, number>>;
  /** check every JSON answer against the route's declared response schema (tests) */
  checkResponses?: boolean;
  /** cookies get Secure when this says the request came over HTTPS */
  isSecure: (req: FastifyRequest) => boolean;
  /** open event streams per user */
  maxStreamsPerUser: number;
}

function langOf(header: string | undefined): Lang {
  return /^\s*ru\b/i.test(header ?? '') ? 'ru' : 'en';
}

/**
 * The use cases' view of a request. A class, not an object of closures: it is made for every request, and its
 * methods (and the proxy-chain walk behind `ip`, and the abort signal) cost nothing until a use case asks.
 */
class FastifyRequestContext implements RequestContext {
  readonly requestId: string;
  readonly lang: Lang;
  user?: unknown;
  adminActor?: string;
  private controller: AbortController | undefined;

  constructor(private readonly req: FastifyRequest) {
    this.requestId = String(req.id);
    this.lang = langOf(this.header('accept-language'));
    if (req.principal.kind === 'user') this.user = req.principal.user;
    if (req.principal.kind === 'admin') this.adminActor = req.principal.actor;
  }

  get ip(): string {
    return this.req.ip;
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }

  cookie(name: string): string | undefined {
    return this.req.cookies[name];
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      const c = new AbortController();
      this.controller = c;
      this.req.raw.once('close', () => c.abort());
    }
    return this.controller.signal;
  }
}

/** The first 2xx a route declares: the status of a plain JSON answer. */
function defaultStatus(route: RouteDef): number {
  return Number(Object.keys(route.responses).find((s) => Number(s) < 300) ?? 200);
}

/** Tests: a JSON answer must match the schema its route declares for that status. */
function checkResponse(route: RouteDef, name: string, result: unknown): void {
  const status = isReply(result)
    ? replyKind(result) === 'json'
      ? (result as { status: number }).status
      : undefined
    : defaultStatus(route);
  if (status === undefined) return;
  const body = isReply(result) ? (result as { body: unknown }).body : result;
  const spec = route.responses[status];
  if (!spec) throw new Error(`route ${name} answered ${status}, which it does not declare`);
  if (!isJsonResponse(spec)) return;
  const parsed = spec.safeParse(body);
  if (!parsed.success)
    throw new Error(`route ${name} answered a body that breaks its ${status} schema: ${parsed.error.message}`);
}

/**
 * Registers every route of the contract's table with its handler: the access rule and limits in the first
 * hook (before the body is read), params/query/body validated by the declared zod schemas, and the use
 * case's answer written by one writer.
 */
export function registerRoutes(app: FastifyInstance, handlers: RouteHandlers, o: RegistryOptions): void {
  for (const [name, route] of Object.entries(ROUTES) as Array<[RouteName, RouteDef]>) {
    // each handler is typed by its own route (RouteHandlers); here they are called through one shape
    const handler: (input: never) => Promise<unknown> = handlers[name];
    const access: onRequestAsyncHookHandler = async (req) => {
      req.principal = await principalFor(req, route.access, o.services.auth, o.csrf);
    };
    const multipart = route.multipart === true;
    const status = defaultStatus(route);
    app.route({
      method: route.method,
      url: route.path,
      ...(o.bodyLimits[name] !== undefined ? { bodyLimit: o.bodyLimits[name] } : {}),
      schema: {
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { querystring: route.query } : {}),
        ...(route.body && route.bodyValidation !== 'handler' ? { body: route.body } : {}),
      },
      onRequest: [access, ...(o.limits[name] ?? [])],
      ...(route.access === 'admin' && route.method !== 'GET'
        ? {
            onResponse: async (req, reply) => {
              const target = (req.params as { id?: string } | undefined)?.id ?? null;
              await o.services.audit.record({
                actor: req.principal.kind === 'admin' ? req.principal.actor : 'anonymous',
                action: `${req.method} ${route.path}`,
                target,
                status: reply.statusCode,
                ip: req.ip,
              });
            },
          }
        : {}),
      handler: async (req, reply) => {
        let body: unknown = req.body;
        let files: UploadedFile[] = [];
        if (multipart && req.isMultipart()) ({ body, files } = await readMultipart(req, o.uploadDir));
        else if (req.isMultipart()) throw new AppError('unsupported_media_type', 'This route takes JSON');
        try {
          const input: RouteInput<RouteDef> = {
            params: (req.params ?? {}) as RouteInput<RouteDef>['params'],
            query: (req.query ?? {}) as RouteInput<RouteDef>['query'],
            body: body as RouteInput<RouteDef>['body'],
            files,
            ctx: new FastifyRequestContext(req),
          };
          const result = await handler(input as never);
          if (o.checkResponses) checkResponse(route, name, result);
          return writeReply(req, reply, result, {
            defaultStatus: status,
            secureCookies: o.isSecure(req),
            hub: o.hub,
            stream: {
              key: req.principal.kind === 'user' ? req.principal.user.id : `ip:${req.ip}`,
              max: o.maxStreamsPerUser,
            },
          });
        } finally {
          if (files.length > 0) await removeUploads(files);
        }
      },
    });
  }
}
