import crypto from 'node:crypto';
import type { LedgerPage, UserBalance, UserCreated, UserListItem } from '@mediagen/contract';
import { notFound } from '#domain/app-error.ts';
import type { Store, UserRecord } from '#ports/store.ts';
import { hashToken, newToken } from './auth.service.ts';
import type { CreditsService } from './credits.service.ts';

const iso = (t: number): string => new Date(t).toISOString();

/** Users and their access keys (admin API, SPEC §6). Keys are shown once and stored hashed. */
export class UsersService {
  constructor(
    private readonly d: {
      store: Store;
      now: () => number;
      credits: CreditsService;
      creditsEnabled: boolean;
      /** a user's key changed or was revoked (caches of keys forget it) */
      onKeyChanged?: (userId: string) => void;
    },
  ) {}

  async list(): Promise<{ items: UserListItem[] }> {
    const users = await this.d.store.users.list();
    const settings = new Map((await this.d.store.content.listUserSettings()).map((s) => [s.userId, s]));
    return {
      items: users.map((u) => ({
        id: u.id,
        name: u.name,
        credits: u.credits,
        created_at: iso(u.createdAt),
        sfw: settings.get(u.id)?.sfw ?? false,
        retention_days: settings.get(u.id)?.retentionDays ?? null,
      })),
    };
  }

  async create(name: string, credits?: number): Promise<UserCreated> {
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
    await this.d.store.users.insert(user);
    if (this.d.creditsEnabled && credits) await this.d.credits.grant(user.id, credits);
    const created = await this.get(user.id);
    return { id: created.id, name: created.name, access_key: accessKey, credits: created.credits };
  }

  async get(id: string): Promise<UserRecord> {
    const u = await this.d.store.users.get(id);
    if (!u || u.deletedAt !== null) throw notFound('User');
    return u;
  }

  async grant(id: string, amount: number): Promise<UserBalance> {
    await this.get(id);
    await this.d.credits.grant(id, amount);
    const u = await this.get(id);
    return { id: u.id, name: u.name, credits: u.credits };
  }

  async ledger(id: string): Promise<LedgerPage> {
    const u = await this.get(id);
    const entries = await this.d.store.credits.ledger(u.id, 500);
    return {
      user_id: u.id,
      balance: u.credits,
      items: entries.map((e) => ({
        id: e.id,
        task_id: e.taskId,
        kind: e.kind,
        amount: e.amount,
        balance_after: e.balanceAfter,
        created_at: iso(e.createdAt),
      })),
    };
  }

  /** A new key, shown once; the old key stops working and every session it opened ends. */
  async rotateKey(id: string): Promise<UserCreated> {
    const u = await this.get(id);
    const accessKey = newToken('mgk_');
    await this.d.store.users.setKeyHash(u.id, hashToken(accessKey));
    await this.d.store.sessions.deleteOfUser(u.id);
    this.d.onKeyChanged?.(u.id);
    return { id: u.id, name: u.name, access_key: accessKey, credits: u.credits };
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.d.store.users.markDeleted(id, this.d.now());
    await this.d.store.sessions.deleteOfUser(id);
    this.d.onKeyChanged?.(id);
  }
}
