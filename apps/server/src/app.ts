import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { installErrorHandler, type ErrorReporter } from '#http/error-handler.ts';
import { contentSecurityPolicy, createRateLimits, installSecurityHeaders } from '#http/security.ts';
import { adminRoutes } from '#routes/admin.routes.ts';
import { authRoutes } from '#routes/auth.routes.ts';
import { galleryRoutes } from '#routes/gallery.routes.ts';
import { generateRoutes } from '#routes/generate.routes.ts';
import { systemRoutes } from '#routes/system.routes.ts';
import { taskRoutes } from '#routes/tasks.routes.ts';
import type { AppServices } from '#services/app-services.ts';

export interface BuildAppOptions {
  logger: Logger | false;
  reporter?: ErrorReporter;
  webDistDir?: string;
  trustProxy?: boolean;
}

/** A Fastify instance over the given services; tests can `inject` or `listen` it. */
export async function buildApp(s: AppServices, opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger || undefined,
    logger: opts.logger ? undefined : false,
    bodyLimit: 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    },
    // per-request lines come from our onResponse hook at debug level (no bodies, no prompts)
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
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
  installErrorHandler(app, opts.reporter);

  await app.register(cookie);
  installSecurityHeaders(app);
  const limiters = createRateLimits({
    generatePerUserPerMinute: s.config.RATE_LIMIT_GENERATE_PER_MINUTE,
    generatePerIpPerMinute: s.config.RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE,
    adminLoginPerIpPerMinute: s.config.RATE_LIMIT_LOGIN_PER_MINUTE,
    sessionLoginPerIpPerMinute: s.config.RATE_LIMIT_LOGIN_PER_MINUTE * 3,
  });
  await app.register(cors, {
    origin: s.config.CORS_ORIGINS.length > 0 ? [...s.config.CORS_ORIGINS] : false,
    credentials: true,
  });
  await app.register(multipart, {
    limits: { fileSize: s.config.MAX_UPLOAD_MB * 1048576, files: 3, fields: 40, fieldSize: 64 * 1024, parts: 50 },
    throwFileSizeLimit: true,
  });
  await app.register(swagger, {
    openapi: { info: { title: 'MediaGen API', version: s.version }, servers: [] },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.addHook('onResponse', (req, reply, done) => {
    s.onRequestTimed?.(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
    if (req.log.level === 'debug' || req.log.level === 'trace')
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
    done();
  });

  generateRoutes(app, s, limiters.generate);
  taskRoutes(app, s);
  galleryRoutes(app, s);
  authRoutes(app, s, limiters);
  adminRoutes(app, s);
  systemRoutes(app, s);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const dist = opts.webDistDir;
  if (dist && fs.existsSync(path.join(dist, 'index.html'))) {
    await app.register(fastifyStatic, { root: dist, prefix: '/', wildcard: false, index: ['index.html'] });
    const indexHtml = fs.readFileSync(path.join(dist, 'index.html'));
    const csp = contentSecurityPolicy(s.config.CORS_ORIGINS);
    app.addHook('onSend', async (req, reply) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html') && !req.url.startsWith('/api/docs'))
        reply.header('content-security-policy', csp);
    });
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
  return app;
}
