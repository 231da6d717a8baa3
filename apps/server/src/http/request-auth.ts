import { ADMIN_COOKIE, SESSION_COOKIE, type Access } from '@mediagen/contract';
import type { FastifyRequest } from 'fastify';
import { AppError } from '#domain/app-error.ts';
import type { UserRecord } from '#ports/store.ts';
import type { AuthService } from '#services/auth.service.ts';
import { adminActor } from '#services/sessions.service.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface CsrfPolicy {
  allowedOrigins: readonly string[];
}

/** Who a request is, once its route's access rule has run. */
export type Principal = { kind: 'user'; user: UserRecord } | { kind: 'admin'; actor: string } | { kind: 'anonymous' };

/** The request's own origin as the browser would see it (behind a proxy: X-Forwarded-*). */
function selfOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid';
  }
}

/** Browser-sent unsafe requests must come from our own origin or an allowed one (CSRF, SPEC §5). */
export function checkOrigin(req: FastifyRequest, policy: CsrfPolicy): void {
  if (!UNSAFE.has(req.method)) return;
  const origin = req.headers.origin ?? (req.headers.referer ? safeOrigin(req.headers.referer) : undefined);
  if (!origin) return; // non-browser clients send neither; SameSite covers cross-site browsers
  if (origin === selfOrigin(req) || policy.allowedOrigins.includes(origin)) return;
  throw new AppError('forbidden', 'Cross-origin request refused');
}

/** The access key a server-to-server caller sends: X-API-Key, or Authorization: Bearer (any spacing). */
export function presentedKey(req: FastifyRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

async function authenticateUser(req: FastifyRequest, auth: AuthService, policy: CsrfPolicy): Promise<UserRecord> {
  const key = presentedKey(req);
  if (key) {
    const user = await auth.userByKey(key);
    if (!user) throw new AppError('unauthorized', 'Invalid API key');
    return user; // a key is not ambient authority: no CSRF check
  }
  const token = req.cookies[SESSION_COOKIE];
  const session = token ? await auth.sessionUser(token) : undefined;
  if (session) {
    checkOrigin(req, policy);
    return session.user;
  }
  const local = await auth.localUser();
  if (local) {
    checkOrigin(req, policy);
    return local;
  }
  throw new AppError('unauthorized', 'Sign in first: no valid session or API key');
}

async function authenticateAdmin(req: FastifyRequest, auth: AuthService, policy: CsrfPolicy): Promise<string> {
  const token = req.cookies[ADMIN_COOKIE];
  if (!token || !(await auth.adminSession(token))) throw new AppError('unauthorized', 'Admin session required');
  checkOrigin(req, policy);
  return adminActor(token);
}

/** Runs a route's access rule (before its body is read). Public unsafe routes still get the CSRF check. */
export async function principalFor(
  req: FastifyRequest,
  access: Access,
  auth: AuthService,
  policy: CsrfPolicy,
): Promise<Principal> {
  if (access === 'user') return { kind: 'user', user: await authenticateUser(req, auth, policy) };
  if (access === 'admin') return { kind: 'admin', actor: await authenticateAdmin(req, auth, policy) };
  if (!presentedKey(req)) checkOrigin(req, policy);
  return { kind: 'anonymous' };
}

export function cookieOptions(secure: boolean, maxAgeSeconds: number | undefined, sameSite: 'lax' | 'strict') {
  return {
    httpOnly: true,
    sameSite,
    secure,
    path: '/',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}
