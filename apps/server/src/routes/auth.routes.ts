import {
  ADMIN_COOKIE,
  ADMIN_TTL_SECONDS,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  zSessionRequest,
} from '@mediagen/contract';
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { AppError } from '#domain/app-error.ts';
import { adminActor, authenticate, checkOrigin, cookieOptions } from '#http/request-auth.ts';
import type { AppServices } from '#services/app-services.ts';
import { userView } from '#services/auth.service.ts';

export function authRoutes(
  app: FastifyInstance,
  s: AppServices,
  limits: { adminLogin: preHandlerHookHandler[]; sessionLogin: preHandlerHookHandler[] } = {
    adminLogin: [],
    sessionLogin: [],
  },
): void {
  const policy = { allowedOrigins: s.config.CORS_ORIGINS };
  const tags = ['auth'];

  app.post(
    '/api/auth/session',
    { schema: { tags, body: zSessionRequest.optional() }, bodyLimit: 4096, preHandler: limits.sessionLogin },
    async (req, reply) => {
      checkOrigin(req, policy);
      const body = (req.body ?? {}) as { access_key?: string };
      const header = req.headers['x-api-key'];
      const key = body.access_key ?? (typeof header === 'string' ? header : undefined);
      const { token, user, expiresAt } = s.auth.createSession(key);
      reply.setCookie(SESSION_COOKIE, token, cookieOptions(req, SESSION_TTL_SECONDS, 'lax'));
      return {
        valid: true,
        expires_at: new Date(expiresAt).toISOString(),
        user: userView(user),
        auth_mode: s.auth.authMode,
      };
    },
  );

  app.get('/api/auth/session', { schema: { tags } }, async (req) => {
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? s.auth.sessionUser(token) : undefined;
    if (session) {
      return {
        valid: true,
        expires_at: new Date(session.expiresAt).toISOString(),
        user: userView(session.user),
        auth_mode: s.auth.authMode,
      };
    }
    if (s.auth.authMode === 'open') {
      const user = authenticate(req, s.auth, policy);
      return {
        valid: true,
        expires_at: new Date(Date.now() + SESSION_TTL_SECONDS * 1000).toISOString(),
        user: userView(user),
        auth_mode: 'open',
      };
    }
    throw new AppError('unauthorized', 'No valid session');
  });

  app.delete('/api/auth/session', { schema: { tags } }, async (req, reply) => {
    checkOrigin(req, policy);
    const token = req.cookies[SESSION_COOKIE];
    if (token) s.auth.endSession(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.post(
    '/api/admin/session',
    { schema: { tags: ['admin'] }, bodyLimit: 4096, preHandler: limits.adminLogin },
    async (req, reply) => {
      checkOrigin(req, policy);
      const key = req.headers['x-admin-key'];
      const audit = (status: number, actor: string): void =>
        s.store.audit.append({ at: Date.now(), actor, action: 'admin login', target: null, status, ip: req.ip });
      if (typeof key !== 'string' || key === '') {
        audit(401, 'anonymous');
        throw new AppError('unauthorized', 'x-admin-key header required');
      }
      let session: { token: string; expiresAt: number };
      try {
        session = s.auth.createAdminSession(key);
      } catch (err) {
        audit(401, 'anonymous');
        throw err;
      }
      const { token, expiresAt } = session;
      audit(200, adminActor(token));
      reply.setCookie(ADMIN_COOKIE, token, cookieOptions(req, ADMIN_TTL_SECONDS, 'strict'));
      return { valid: true, expires_at: new Date(expiresAt).toISOString() };
    },
  );

  app.get('/api/admin/session', { schema: { tags: ['admin'] } }, async (req) => {
    const token = req.cookies[ADMIN_COOKIE];
    const session = token ? s.auth.adminSession(token) : undefined;
    if (!session) throw new AppError('unauthorized', 'No valid admin session');
    return { valid: true, expires_at: new Date(session.expiresAt).toISOString() };
  });

  app.delete('/api/admin/session', { schema: { tags: ['admin'] } }, async (req, reply) => {
    checkOrigin(req, policy);
    const token = req.cookies[ADMIN_COOKIE];
    if (token) s.auth.endSession(token);
    reply.clearCookie(ADMIN_COOKIE, { path: '/' });
    return reply.status(204).send();
  });
}
