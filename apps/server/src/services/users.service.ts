import crypto from 'node:crypto';
import { AppError, notFound } from '#domain/app-error.ts';
import type { Store, UserRecord } from '#ports/store.ts';
import { hashToken, newToken } from './auth.service.ts';

/** Users and their access keys (admin API, SPEC §6). Keys are shown once and stored hashed. */
export class UsersService {
  constructor(private readonly d: { store: Store; now: () => number }) {}

  list(): UserRecord[] {
    return this.d.store.users.list();
  }

  create(name: string, credits?: number): { user: UserRecord; accessKey: string } {
    const accessKey = newToken('mgk_');
    const user: UserRecord = {
      id: crypto.randomUUID(), name, keyHash: hashToken(accessKey), credits: credits ?? null, createdAt: this.d.now(), deletedAt: null,
    };
    this.d.store.users.insert(user);
    return { user, accessKey };
  }

  get(id: string): UserRecord {
    const u = this.d.store.users.get(id);
    if (!u || u.deletedAt !== null) throw notFound('User');
    return u;
  }

  grant(id: string, amount: number): UserRecord {
    this.get(id);
    if (!Number.isInteger(amount) || amount === 0) throw new AppError('validation_error', 'amount must be a non-zero integer', [{ path: 'amount', message: 'must be a non-zero integer' }]);
    this.d.store.users.addCredits(id, amount);
    return this.get(id);
  }

  remove(id: string): void {
    this.get(id);
    this.d.store.users.markDeleted(id, this.d.now());
    this.d.store.sessions.deleteOfUser(id);
  }
}
