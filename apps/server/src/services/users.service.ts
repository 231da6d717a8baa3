import crypto from 'node:crypto';
import { notFound } from '#domain/app-error.ts';
import type { Store, UserRecord } from '#ports/store.ts';
import { hashToken, newToken } from './auth.service.ts';
import type { CreditsService } from './credits.service.ts';

/** Users and their access keys (admin API, SPEC §6). Keys are shown once and stored hashed. */
export class UsersService {
  constructor(
    private readonly d: { store: Store; now: () => number; credits: CreditsService; creditsEnabled: boolean },
  ) {}

  list(): UserRecord[] {
    return this.d.store.users.list();
  }

  create(name: string, credits?: number): { user: UserRecord; accessKey: string } {
    const accessKey = newToken('mgk_');
    // with credits on, a new user starts at 0 and the initial amount is a ledger grant
    const user: UserRecord = {
      id: crypto.randomUUID(),
      name,
      keyHash: hashToken(accessKey),
      credits: this.d.creditsEnabled ? 0 : (credits ?? null),
      createdAt: this.d.now(),
      deletedAt: null,
    };
    this.d.store.users.insert(user);
    if (this.d.creditsEnabled && credits) this.d.credits.grant(user.id, credits);
    return { user: this.get(user.id), accessKey };
  }

  get(id: string): UserRecord {
    const u = this.d.store.users.get(id);
    if (!u || u.deletedAt !== null) throw notFound('User');
    return u;
  }

  grant(id: string, amount: number): UserRecord {
    this.get(id);
    this.d.credits.grant(id, amount);
    return this.get(id);
  }

  remove(id: string): void {
    this.get(id);
    this.d.store.users.markDeleted(id, this.d.now());
    this.d.store.sessions.deleteOfUser(id);
  }
}
