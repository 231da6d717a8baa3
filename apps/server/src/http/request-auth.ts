import { ADMIN_COOKIE, SESSION_COOKIE } from '@mediagen/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '#domain/app-error.ts';
import type { UserRecord } from '#ports/store.ts';
import { hashToken, type AuthService } from '#services/auth.service.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface CsrfPolicy {
  allowedOrigins: readonly string[];
}

/** The request's own origin as the browser would see it (behind a proxy: X-Forwarded-*). */
function selfOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

/** Cookie-authenticated unsafe requests must come from our own origin or an allowed one (CSRF, SPEC §5). */
export function checkOrigin(req: FastifyRequest, policy: CsrfPolicy): void {
  if (!UNSAFE.has(req.method)) return;
  const origin = req.headers.origin ?? (req.headers.referer ? safeOrigin(req.headers.referer) : undefined);
  if (!origin) return; // non-browser clients send neither; SameSite covers cross-site browsers
  if (origin === selfOrigin(req) || policy.allowedOrigins.includes(origin)) return;
  throw new AppError('forbidden', 'Cross-origin request refused');
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid';
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return undefined;
}

/** Who is calling: a server-to-server key, a session cookie, or (open mode) the local user. */
export function authenticate(req: FastifyRequest, auth: AuthService, policy: CsrfPolicy): UserRecord {
  const key = bearer(req);
  if (key) {
    const user = auth.userByKey(key);
    if (!user) throw new AppError('unauthorized', 'Invalid API key');
    return user;
  }
  const token = req.cookies[SESSION_COOKIE];
  if (token) {
    const s = auth.sessionUser(token);
    if (s) {
      checkOrigin(req, policy);
      return s.user;
    }
  }
  const local = auth.localUser();
  if (local) {
    checkOrigin(req, policy);
    return local;
  }
  throw new AppError('unauthorized', 'Sign in first: no valid session or API key');
}

export function requireAdmin(req: FastifyRequest, auth: AuthService, policy: CsrfPolicy): void {
  const token = req.cookies[ADMIN_COOKIE];
  if (!token || !auth.adminSession(token)) throw new AppError('unauthorized', 'Admin session required');
  checkOrigin(req, policy);
}

export function cookieOptions(req: FastifyRequest, maxAgeSeconds: number, sameSite: 'lax' | 'strict') {
  return { httpOnly: true, sameSite, secure: req.protocol === 'https', path: '/', maxAge: maxAgeSeconds };
}

export type { FastifyReply };

/** A stable, non-secret name for an admin session in the audit log. */
export function adminActor(token: string | undefined): string {
  return token ? `admin-session:${hashToken(token).slice(0, 12)}` : 'anonymous';
}
