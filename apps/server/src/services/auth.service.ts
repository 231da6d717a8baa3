import crypto from 'node:crypto';
import { ADMIN_TTL_SECONDS, SESSION_TTL_SECONDS, type AuthMode, type UserView } from '@mediagen/contract';
import { AppError } from '#domain/app-error.ts';
import type { Store, UserRecord } from '#ports/store.ts';

export const LOCAL_USER_ID = 'local';

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** ≥128 random bits, URL-safe. */
export function newToken(prefix = ''): string {
  return prefix + crypto.randomBytes(32).toString('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function userView(u: UserRecord): UserView {
  return { id: u.id, name: u.name, credits: u.credits };
}

export interface AuthServiceDeps {
  store: Store;
  authMode: AuthMode;
  adminKey: string;
  now: () => number;
}

/** Sessions (hashed tokens), access keys, admin sessions. */
export class AuthService {
  constructor(private readonly d: AuthServiceDeps) {}

  /** Open mode: the local single user exists. */
  async init(): Promise<void> {
    if (this.d.authMode !== 'open') return;
    if (await this.d.store.users.get(LOCAL_USER_ID)) return;
    await this.d.store.users.insert({
      id: LOCAL_USER_ID,
      name: 'local',
      keyHash: null,
      credits: null,
      createdAt: this.d.now(),
      deletedAt: null,
    });
  }

  get authMode(): AuthMode {
    return this.d.authMode;
  }

  /** Resolve an access key (X-API-Key / Bearer / login body) to its user. */
  userByKey(key: string): Promise<UserRecord | undefined> {
    return this.d.store.users.byKeyHash(hashToken(key));
  }

  /** Open mode's local user (with its current balance); undefined in key mode. */
  async localUser(): Promise<UserRecord | undefined> {
    return this.d.authMode === 'open' ? this.d.store.users.get(LOCAL_USER_ID) : undefined;
  }

  async createSession(accessKey: string | undefined): Promise<{ token: string; user: UserRecord; expiresAt: number }> {
    let user: UserRecord | undefined;
    if (accessKey) user = await this.userByKey(accessKey);
    else user = await this.localUser();
    if (!user) throw new AppError('unauthorized', accessKey ? 'Invalid access key' : 'An access key is required');
    const token = newToken();
    const expiresAt = this.d.now() + SESSION_TTL_SECONDS * 1000;
    await this.d.store.sessions.insert({
      tokenHash: hashToken(token),
      kind: 'user',
      userId: user.id,
      expiresAt,
      createdAt: this.d.now(),
    });
    return { token, user, expiresAt };
  }

  async sessionUser(token: string): Promise<{ user: UserRecord; expiresAt: number } | undefined> {
    const s = await this.d.store.sessions.get(hashToken(token));
    if (!s || s.kind !== 'user' || !s.userId || s.expiresAt <= this.d.now()) return undefined;
    const user = await this.d.store.users.get(s.userId);
    if (!user || user.deletedAt !== null) return undefined;
    return { user, expiresAt: s.expiresAt };
  }

  async endSession(token: string): Promise<void> {
    await this.d.store.sessions.delete(hashToken(token));
  }

  async createAdminSession(key: string): Promise<{ token: string; expiresAt: number }> {
    if (!constantTimeEqual(key, this.d.adminKey)) throw new AppError('unauthorized', 'Invalid admin key');
    const token = newToken();
    const expiresAt = this.d.now() + ADMIN_TTL_SECONDS * 1000;
    await this.d.store.sessions.insert({
      tokenHash: hashToken(token),
      kind: 'admin',
      userId: null,
      expiresAt,
      createdAt: this.d.now(),
    });
    return { token, expiresAt };
  }

  async adminSession(token: string): Promise<{ expiresAt: number } | undefined> {
    const s = await this.d.store.sessions.get(hashToken(token));
    if (!s || s.kind !== 'admin' || s.expiresAt <= this.d.now()) return undefined;
    return { expiresAt: s.expiresAt };
  }
}
