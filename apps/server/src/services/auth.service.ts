import crypto from 'node:crypto';
import { ADMIN_TTL_SECONDS, SESSION_TTL_SECONDS, type AuthMode, type UserView } from '@mediagen/contract';
import { AppError } from '#domain/app-error.ts';
import type { ClusterSignals } from '#ports/cluster-signals.ts';
import type { Store, UserRecord } from '#ports/store.ts';
import { TtlCache } from './ttl-cache.ts';

export const LOCAL_USER_ID = 'local';

export function hashToken(token: string): string {
  // one-shot: a third of createHash().update().digest()'s cost, on every authenticated request
  return crypto.hash('sha256', token, 'hex');
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
  /**
   * How long a key or session lookup is remembered (default 30 s). Changes made here (logout, rotate, delete)
   * take effect at once; one made by another gateway, as soon as its `auth-forget` signal arrives (else within
   * this time).
   */
  cacheTtlMs?: number;
  /** several gateways: what one forgets, the others forget too */
  signals?: ClusterSignals;
}

type CachedSession = { kind: 'user'; user: UserRecord; expiresAt: number } | { kind: 'admin'; expiresAt: number };

/** Sessions (hashed tokens), access keys, admin sessions. Lookups are cached: every request makes one. */
export class AuthService {
  private readonly keys: TtlCache<string, UserRecord | null>;
  private readonly sessions: TtlCache<string, CachedSession | null>;

  constructor(private readonly d: AuthServiceDeps) {
    const o = { max: 10_000, ttlMs: d.cacheTtlMs ?? 30_000, now: d.now };
    this.keys = new TtlCache(o);
    this.sessions = new TtlCache(o);
    d.signals?.on((s) => {
      if (s.kind !== 'auth-forget') return;
      if (s.userId !== undefined) this.forgetUserHere(s.userId);
      if (s.tokenHash !== undefined) this.sessions.delete(s.tokenHash);
    });
  }

  /** A user's key changed or was revoked, or the user was deleted: forget every cached lookup of theirs. */
  forgetUser(userId: string): void {
    this.forgetUserHere(userId);
    this.d.signals?.send({ kind: 'auth-forget', userId });
  }

  private forgetUserHere(userId: string): void {
    this.keys.deleteWhere((u) => u?.id === userId);
    this.sessions.deleteWhere((s) => s?.kind === 'user' && s.user.id === userId);
  }

  /** Open mode: the local single user exists. */
  async init(): Promise<void> {
    if (this.d.authMode !== 'open') return;
    if (await this.d.store.users.get(LOCAL_USER_ID)) return;
    try {
      await this.d.store.users.insert({
        id: LOCAL_USER_ID,
        name: 'local',
        keyHash: null,
        credits: null,
        createdAt: this.d.now(),
        deletedAt: null,
      });
    } catch (err) {
      // gateways started together on one database: another made it between the read and this insert
      if (await this.d.store.users.get(LOCAL_USER_ID)) return;
      throw err;
    }
  }

  get authMode(): AuthMode {
    return this.d.authMode;
  }

  /** Resolve an access key (X-API-Key / Bearer / login body) to its user. */
  async userByKey(key: string): Promise<UserRecord | undefined> {
    const hash = hashToken(key);
    const cached = this.keys.get(hash);
    if (cached !== undefined) return cached ?? undefined;
    const user = await this.d.store.users.byKeyHash(hash);
    this.keys.set(hash, user ?? null);
    return user;
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

  private async session(token: string): Promise<CachedSession | undefined> {
    const hash = hashToken(token);
    let s = this.sessions.get(hash);
    if (s === undefined) {
      s = await this.readSession(hash);
      this.sessions.set(hash, s);
    }
    return s && s.expiresAt > this.d.now() ? s : undefined;
  }

  private async readSession(hash: string): Promise<CachedSession | null> {
    const s = await this.d.store.sessions.get(hash);
    if (!s) return null;
    if (s.kind === 'admin') return { kind: 'admin', expiresAt: s.expiresAt };
    const user = s.userId ? await this.d.store.users.get(s.userId) : undefined;
    if (!user || user.deletedAt !== null) return null;
    return { kind: 'user', user, expiresAt: s.expiresAt };
  }

  async sessionUser(token: string): Promise<{ user: UserRecord; expiresAt: number } | undefined> {
    const s = await this.session(token);
    return s?.kind === 'user' ? { user: s.user, expiresAt: s.expiresAt } : undefined;
  }

  async endSession(token: string): Promise<void> {
    const hash = hashToken(token);
    await this.d.store.sessions.delete(hash);
    this.sessions.delete(hash);
    this.d.signals?.send({ kind: 'auth-forget', tokenHash: hash });
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
    const s = await this.session(token);
    return s?.kind === 'admin' ? { expiresAt: s.expiresAt } : undefined;
  }
}
