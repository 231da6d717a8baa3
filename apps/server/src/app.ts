import fs from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { API, buildOpenApi } from '@mediagen/contract';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { LazyChildLogger } from '#http/lazy-child-logger.ts';
import { installErrorHandler, type ErrorReporter } from '#http/error-handler.ts';
import { registerRoutes } from '#http/route-registry.ts';
import { contentSecurityPolicy, createRateLimits, installSecurityHeaders } from '#http/security.ts';
import { SseHub } from '#http/sse-hub.ts';
import { adminQueueHandlers } from '#routes/admin-queue.routes.ts';
import { adminHandlers } from '#routes/admin.routes.ts';
import { authHandlers } from '#routes/auth.routes.ts';
import { contentHandlers } from '#routes/content.routes.ts';
import { galleryHandlers } from '#routes/gallery.routes.ts';
import { generateHandlers } from '#routes/generate.routes.ts';
import { loraHandlers } from '#routes/loras.routes.ts';
import { myTasksHandlers } from '#routes/my-tasks.routes.ts';
import { systemHandlers } from '#routes/system.routes.ts';
import { taskHandlers } from '#routes/tasks.routes.ts';
import { webhookHandlers } from '#routes/webhooks.routes.ts';
import type { SharedWindowCounter } from '#ports/rate-counter.ts';
import type { AppServices } from '#services/app-services.ts';

/** What the HTTP layer needs to know of the configuration. */
export interface HttpSettings {
  version: string;
  corsOrigins: readonly string[];
  maxUploadMb: number;
  rateLimits: {
    generatePerUserPerMinute: number;
    generatePerIpPerMinute: number;
    loginPerMinute: number;
  };
  /** where multipart uploads are streamed to while a request runs */
  uploadDir: string;
  /** proxies whose X-Forwarded-* headers are believed: a hop count or their addresses/CIDRs */
  trustProxy?: number | readonly string[];
  /** PUBLIC_BASE_URL's origin: cookie-authenticated requests from it pass the CSRF check; https → Secure cookies */
  publicOrigin?: string;
  timeouts: { requestMs: number; headersMs: number; keepAliveMs: number };
  maxStreamsPerUser: number;
}

export interface BuildAppOptions {
  logger: Logger | false;
  reporter?: ErrorReporter;
  webDistDir?: string;
  /** check every JSON answer against its declared response schema (tests) */
  checkResponses?: boolean;
  onRequestTimed?: (route: string, method: string, status: number, seconds: number) => void;
  /** several gateways: rate-limit windows counted across all of them */
  rateCounter?: SharedWindowCounter;
}

export interface BuiltApp {
  app: FastifyInstance;
  hub: SseHub;
}

/** A hop count trusts that many proxies nearest to the gateway; a list trusts those addresses/CIDRs only. */
function trustProxyOption(
  t: HttpSettings['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof t === 'number') return (_address, hop) => hop < t;
  return t ? [...t] : false;
}

/** A Fastify instance over the given services; tests can `inject` or `listen` it. */
export async function buildApp(s: AppServices, http: HttpSettings, opts: BuildAppOptions): Promise<BuiltApp> {
  // typed as Fastify's logger so the instance keeps Fastify's default generics
  const loggerInstance: FastifyBaseLogger | undefined = opts.logger || undefined;
  const app = Fastify({
    ...(loggerInstance ? { loggerInstance } : { logger: false }),
    bodyLimit: 1024 * 1024,
    trustProxy: trustProxyOption(http.trustProxy),
    // slow-header and slow-body clients are dropped (checked every second, not Node's default 30 s); an event
    // stream is a response and is not bounded by these
    serverFactory: (handler) =>
      createServer(
        {
          headersTimeout: http.timeouts.headersMs,
          requestTimeout: http.timeouts.requestMs,
          keepAliveTimeout: http.timeouts.keepAliveMs,
          connectionsCheckingInterval: 1000,
        },
        handler,
      ),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    },
    // per-request lines come from our onResponse hook at debug level (no bodies, no prompts)
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger, bindings, options) => new LazyChildLogger(logger, bindings, options),
  });
  // plain JSON.parse: the default parser's prototype-poisoning scan recurses and overflows on deeply nested input
  // (an own "__proto__" key from JSON.parse is just data; strict schemas refuse unknown keys anyway)
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('The body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandler(app, opts.reporter);

  await app.register(cookie);
  installSecurityHeaders(app);
  const limiters = createRateLimits(
    {
      generatePerUserPerMinute: http.rateLimits.generatePerUserPerMinute,
      generatePerIpPerMinute: http.rateLimits.generatePerIpPerMinute,
      adminLoginPerIpPerMinute: http.rateLimits.loginPerMinute,
      sessionLoginPerIpPerMinute: http.rateLimits.loginPerMinute * 3,
    },
    opts.rateCounter,
  );
  await app.register(cors, {
    origin: http.corsOrigins.length > 0 ? [...http.corsOrigins] : false,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  });
  await app.register(multipart, {
    limits: { fileSize: http.maxUploadMb * 1048576, files: 3, fields: 40, fieldSize: 64 * 1024, parts: 50 },
  });
  const openapi = buildOpenApi(http.version);
  await app.register(swagger, { mode: 'static', specification: { document: openapi as never } });
  // its own CSP with hashes of the page's inline scripts (the UI shell's CSP would break it)
  await app.register(swaggerUi, { routePrefix: API.docs, staticCSP: true });
  app.get(API.openapi, { schema: { hide: true } }, async () => openapi);

  if (opts.onRequestTimed) {
    const timed = opts.onRequestTimed;
    app.addHook('onResponse', (req, reply, done) => {
      timed(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
      if (req.log.level === 'debug' || req.log.level === 'trace') {
        req.log.debug(
          {
            reqId: req.id,
            method: req.method,
            route: req.routeOptions.url,
            status: reply.statusCode,
            ms: reply.elapsedTime,
          },
          'request',
        );
      }
      done();
    });
  }

  const hub = new SseHub();
  const maxImages = 3;
  registerRoutes(
    app,
    {
      ...generateHandlers(s),
      ...taskHandlers(s),
      ...authHandlers(s),
      ...adminHandlers(s),
      ...systemHandlers(s),
      ...webhookHandlers(s),
      ...myTasksHandlers(s),
      ...galleryHandlers(s),
      ...adminQueueHandlers(s),
      ...contentHandlers(s),
      ...loraHandlers(s),
    },
    {
      services: s,
      csrf: { allowedOrigins: [...http.corsOrigins, ...(http.publicOrigin ? [http.publicOrigin] : [])] },
      hub,
      uploadDir: http.uploadDir,
      limits: {
        generate: limiters.generate,
        sessionCreate: limiters.sessionLogin,
        adminSessionCreate: limiters.adminLogin,
      },
      bodyLimits: {
        // base64 reference images travel in JSON too
        generate: Math.ceil(http.maxUploadMb * 1048576 * maxImages * 1.4) + 1048576,
        sessionCreate: 4096,
        adminSessionCreate: 4096,
      },
      // Secure whenever the page is https: directly, through a trusted proxy, or by PUBLIC_BASE_URL
      isSecure: (req) => req.protocol === 'https' || (http.publicOrigin?.startsWith('https:') ?? false),
      maxStreamsPerUser: http.maxStreamsPerUser,
      ...(opts.checkResponses ? { checkResponses: true } : {}),
    },
  );

  const dist = opts.webDistDir;
  if (dist && fs.existsSync(path.join(dist, 'index.html'))) {
    // set where HTML is served (the shell and static .html), not in a hook every API answer would pass
    const csp = contentSecurityPolicy(http.corsOrigins);
    await app.register(fastifyStatic, {
      root: dist,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      // the build writes .br and .gz beside each asset (vite.config.ts): served by Accept-Encoding, no CPU per request
      preCompressed: true,
      cacheControl: false,
      // source maps are for error tracking uploads only, never served
      allowedPath: (p) => !p.endsWith('.map'),
      // hashed file names never change: cache them for a year; everything else is revalidated
      setHeaders: (res, filePath) => {
        if (filePath.endsWith('.html')) res.header('content-security-policy', csp);
        res.header(
          'cache-control',
          /[/\\]assets[/\\]/.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    const indexHtml = fs.readFileSync(path.join(dist, 'index.html'));
    // SPA routes (/admin, /gallery) get the shell; unknown /api paths stay JSON 404s
    app.get('/*', { schema: { hide: true } }, async (req, reply) => {
      const urlPath = req.url.split('?')[0] ?? '/';
      if (urlPath.startsWith('/api/') || path.extname(urlPath)) {
        return reply.callNotFound();
      }
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', csp)
        .send(indexHtml);
    });
  }
  return { app, hub };
}
