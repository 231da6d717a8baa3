import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AppError } from '#domain/app-error.ts';
import type { SharedWindowCounter } from '#ports/rate-counter.ts';

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
 * Fixed one-minute windows in memory (one gateway). Own code rather than @fastify/rate-limit: that plugin runs only one
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

/**
 * Fixed one-minute windows counted across every gateway on the database (`counter`), aligned to the clock so all
 * of them agree on where a window starts. A key already over its bound in this window is refused here without
 * asking the database (a flood stays cheap); if the database cannot answer, this gateway's own count decides.
 */
export class SharedWindowLimiter {
  /** the last total the database answered per key, for the window it belongs to */
  private readonly known = new Map<string, { windowStart: number; total: number }>();
  private readonly fallback: FixedWindowLimiter;
  private sweptAt = 0;

  constructor(
    private readonly name: string,
    private readonly max: number,
    private readonly counter: SharedWindowCounter,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.fallback = new FixedWindowLimiter(max, windowMs, now);
  }

  async take(key: string): Promise<number | undefined> {
    const t = this.now();
    const windowStart = t - (t % this.windowMs);
    const retry = Math.max(1, Math.ceil((windowStart + this.windowMs - t) / 1000));
    if (t - this.sweptAt > this.windowMs) this.sweep(windowStart);
    const k = this.known.get(key);
    if (k?.windowStart === windowStart && k.total >= this.max) return retry;
    let total: number;
    try {
      total = await this.counter.hit(`${this.name}:${key}`, windowStart);
    } catch {
      return this.fallback.take(key);
    }
    this.known.set(key, { windowStart, total });
    return total > this.max ? retry : undefined;
  }

  private sweep(windowStart: number): void {
    this.sweptAt = this.now();
    for (const [k, w] of this.known) if (w.windowStart < windowStart) this.known.delete(k);
  }
}

type Limiter = FixedWindowLimiter | SharedWindowLimiter;

function refused(retry: number): AppError {
  return new AppError('rate_limited', 'Too many requests; slow down', undefined, { retryAfterSeconds: retry });
}

/** A limit checked in the request's first hooks (after authentication), before any body is read. */
function limit(limiter: Limiter, key: (req: FastifyRequest) => string): onRequestHookHandler {
  if (limiter instanceof SharedWindowLimiter) {
    return (req, _reply, done) => {
      limiter.take(key(req)).then(
        (retry) => (retry === undefined ? done() : done(refused(retry))),
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    };
  }
  return (req, _reply, done) => {
    const retry = limiter.take(key(req));
    if (retry === undefined) return done();
    done(refused(retry));
  };
}

/**
 * Rate limits only where they matter (generation, logins): status polling stays unthrottled and fast. With a
 * shared counter (several gateways on PostgreSQL) each bound holds for all of them together.
 */
export function createRateLimits(limits: RateLimits, shared?: SharedWindowCounter): RateLimiters {
  const make = (name: string, max: number): Limiter =>
    shared ? new SharedWindowLimiter(name, max, shared) : new FixedWindowLimiter(max);
  const genUser = make('generate-user', limits.generatePerUserPerMinute);
  const genIp = make('generate-ip', limits.generatePerIpPerMinute);
  const admin = make('admin-login', limits.adminLoginPerIpPerMinute);
  const login = make('session-login', limits.sessionLoginPerIpPerMinute);
  return {
    generate: [limit(genIp, (req) => req.ip), limit(genUser, principalKey)],
    adminLogin: [limit(admin, (req) => req.ip)],
    sessionLogin: [limit(login, (req) => req.ip)],
  };
}
