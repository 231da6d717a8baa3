import {
  ADMIN_COOKIE,
  ADMIN_TTL_SECONDS,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  type SessionInfo,
} from '@mediagen/contract';
import { AppError } from '#domain/app-error.ts';
import type { AuditService } from './audit.service.ts';
import { hashToken, userView, type AuthService } from './auth.service.ts';
import { empty, json, type EmptyReply, type JsonReply } from './replies.ts';
import type { RequestContext } from './request-context.ts';

/** A stable, non-secret name for an admin session in the audit log. */
export function adminActor(token: string | undefined): string {
  return token ? `admin-session:${hashToken(token).slice(0, 12)}` : 'anonymous';
}

const iso = (t: number): string => new Date(t).toISOString();

/** Log in and out: user sessions (gg_session) and admin sessions (gg_admin), SPEC §5. */
export class SessionsService {
  constructor(private readonly d: { auth: AuthService; audit: AuditService; now: () => number }) {}

  /** Body `{access_key}`, or the X-API-Key header alone (the seed's server-to-server login); open mode needs neither. */
  async login(ctx: RequestContext, accessKey: string | undefined): Promise<JsonReply<SessionInfo>> {
    const key = accessKey ?? ctx.header('x-api-key');
    const { token, user, expiresAt } = await this.d.auth.createSession(key || undefined);
    return json(
      200,
      { valid: true, expires_at: iso(expiresAt), user: userView(user), auth_mode: this.d.auth.authMode },
      { cookies: [{ name: SESSION_COOKIE, value: token, maxAgeSeconds: SESSION_TTL_SECONDS, sameSite: 'lax' }] },
    );
  }

  async current(ctx: RequestContext): Promise<SessionInfo> {
    const token = ctx.cookie(SESSION_COOKIE);
    const session = token ? await this.d.auth.sessionUser(token) : undefined;
    if (session) {
      return {
        valid: true,
        expires_at: iso(session.expiresAt),
        user: userView(session.user),
        auth_mode: this.d.auth.authMode,
      };
    }
    const local = await this.d.auth.localUser();
    if (local) {
      return {
        valid: true,
        expires_at: iso(this.d.now() + SESSION_TTL_SECONDS * 1000),
        user: userView(local),
        auth_mode: 'open',
      };
    }
    throw new AppError('unauthorized', 'No valid session');
  }

  async logout(ctx: RequestContext): Promise<EmptyReply> {
    const token = ctx.cookie(SESSION_COOKIE);
    if (token) await this.d.auth.endSession(token);
    return empty(204, { cookies: [{ name: SESSION_COOKIE, value: null, sameSite: 'lax' }] });
  }

  async adminLogin(ctx: RequestContext): Promise<JsonReply<{ valid: true; expires_at: string }>> {
    const key = ctx.header('x-admin-key');
    const audit = (status: number, actor: string): Promise<void> =>
      this.d.audit.record({ actor, action: 'admin login', target: null, status, ip: ctx.ip });
    if (!key) {
      await audit(401, 'anonymous');
      throw new AppError('unauthorized', 'x-admin-key header required');
    }
    let session: { token: string; expiresAt: number };
    try {
      session = await this.d.auth.createAdminSession(key);
    } catch (err) {
      await audit(401, 'anonymous');
      throw err;
    }
    await audit(200, adminActor(session.token));
    return json(
      200,
      { valid: true as const, expires_at: iso(session.expiresAt) },
      { cookies: [{ name: ADMIN_COOKIE, value: session.token, maxAgeSeconds: ADMIN_TTL_SECONDS, sameSite: 'strict' }] },
    );
  }

  async adminCurrent(ctx: RequestContext): Promise<{ valid: true; expires_at: string }> {
    const token = ctx.cookie(ADMIN_COOKIE);
    const session = token ? await this.d.auth.adminSession(token) : undefined;
    if (!session) throw new AppError('unauthorized', 'No valid admin session');
    return { valid: true, expires_at: iso(session.expiresAt) };
  }

  async adminLogout(ctx: RequestContext): Promise<EmptyReply> {
    const token = ctx.cookie(ADMIN_COOKIE);
    if (token) await this.d.auth.endSession(token);
    return empty(204, { cookies: [{ name: ADMIN_COOKIE, value: null, sameSite: 'strict' }] });
  }
}
