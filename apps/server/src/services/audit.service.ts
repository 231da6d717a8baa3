import type { AuditPage } from '@mediagen/contract';
import type { AuditEntry, Store } from '#ports/store.ts';

/** Who did what, when: admin logins and every changing admin request, with its outcome. */
export class AuditService {
  constructor(private readonly d: { store: Store; now: () => number }) {}

  async record(e: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    await this.d.store.audit.append({ ...e, at: this.d.now() });
  }

  async list(limit: number): Promise<AuditPage> {
    const items = await this.d.store.audit.list(limit);
    return { items: items.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
  }
}
