import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AppError } from '#domain/app-error.ts';

/** CSP for the web UI shell: same-origin scripts, inline styles (React style props), media from the API and blobs. */
export function contentSecurityPolicy(apiOrigins: readonly string[]): string {
  const connect = ["'self'", ...apiOrigins].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src ${connect}`,
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Cheap headers on every answer (helmet costs ~60% of throughput on small routes; these cost ~nothing). */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

export function installSecurityHeaders(app: FastifyInstance): void {
  // a callback hook: async hooks cost a promise per request on the hottest routes
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
}

/** Who a request is, for rate limits: the authenticated user (never the raw credential text), else its IP. */
function principalKey(req: FastifyRequest): string {
  return req.principal.kind === 'user' ? `user:${req.principal.user.id}` : `ip:${req.ip}`;
}

export interface RateLimits {
  generatePerUserPerMinute: number;
  generatePerIpPerMinute: number;
  adminLoginPerIpPerMinute: number;
  sessionLoginPerIpPerMinute: number;
}

export interface RateLimiters {
  generate: onRequestHookHandler[];
  adminLogin: onRequestHookHandler[];
  sessionLogin: onRequestHookHandler[];
}

/**
 * Fixed one-minute windows in memory. Own code rather than @fastify/rate-limit: that plugin runs only one
 * limiter per request, and a generate request must pass both its per-user and its per-IP bound.
 */
export class FixedWindowLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  private sweptAt = 0;

  constructor(
    private readonly max: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** undefined when allowed, else the seconds until the window resets */
  take(key: string): number | undefined {
    const t = this.now();
    if (t - this.sweptAt > this.windowMs) this.sweep(t);
    let w = this.hits.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + this.windowMs };
      this.hits.set(key, w);
    }
    w.count += 1;
    return w.count > this.max ? Math.max(1, Math.ceil((w.resetAt - t) / 1000)) : undefined;
  }

  private sweep(t: number): void {
    this.sweptAt = t;
    for (const [k, w] of this.hits) if (w.resetAt <= t) this.hits.delete(k);
  }
}

/** A limit checked in the request's first hooks (after authentication), before any body is read. */
function limit(limiter: FixedWindowLimiter, key: (req: FastifyRequest) => string): onRequestHookHandler {
  return (req, _reply, done) => {
    const retry = limiter.take(key(req));
    if (retry === undefined) return done();
    done(new AppError('rate_limited', 'Too many requests; slow down', undefined, { retryAfterSeconds: retry }));
  };
}

/** Rate limits only where they matter (generation, logins): status polling stays unthrottled and fast. */
export function createRateLimits(limits: RateLimits): RateLimiters {
  const genUser = new FixedWindowLimiter(limits.generatePerUserPerMinute);
  const genIp = new FixedWindowLimiter(limits.generatePerIpPerMinute);
  const admin = new FixedWindowLimiter(limits.adminLoginPerIpPerMinute);
  const login = new FixedWindowLimiter(limits.sessionLoginPerIpPerMinute);
  return {
    generate: [limit(genIp, (req) => req.ip), limit(genUser, principalKey)],
    adminLogin: [limit(admin, (req) => req.ip)],
    sessionLogin: [limit(login, (req) => req.ip)],
  };
}
