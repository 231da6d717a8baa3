import type { UsageStats } from '@mediagen/contract';
import type { Store } from '#ports/store.ts';
import { usageStats } from './usage-stats.ts';

/** Admin usage figures (SPEC §6 GET /api/admin/stats). */
export class StatsService {
  constructor(private readonly d: { store: Store; now: () => number }) {}

  usage(days: number): Promise<UsageStats> {
    return usageStats(this.d.store, this.d.now(), days);
  }
}
