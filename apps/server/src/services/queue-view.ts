import type { Lane } from '@mediagen/contract';
import { lanesFor } from '#domain/scheduler.ts';
import type { Store } from '#ports/store.ts';
import type { AccountsService } from './accounts.service.ts';

export interface QueueSnapshot {
  lanes: Array<{ lane: Lane; accounts: number; accounts_ready: number; depth: number; running: number }>;
  degraded: boolean;
  queued: number;
  running: Array<{ task_id: string; account_id: string | null; model: string; progress: number }>;
}

/** Admin view of lanes and depths (SPEC §6 GET /api/admin/queue). */
export class QueueView {
  constructor(private readonly d: { store: Store; accounts: AccountsService }) {}

  snapshot(): QueueSnapshot {
    const accounts = this.d.accounts.list();
    const queued = this.d.store.tasks.byStatus(['queued']);
    const running = this.d.store.tasks.byStatus(['running']);
    const videoLaneReady = accounts.some((a) => a.lane === 'video' && a.status === 'ready');
    const laneOf = (type: 'image' | 'video'): Lane => lanesFor(type, videoLaneReady)[0] ?? 'shared';
    const lanes = (['video', 'image', 'shared'] as const).map((lane) => ({
      lane,
      accounts: accounts.filter((a) => a.lane === lane).length,
      accounts_ready: accounts.filter((a) => a.lane === lane && a.status === 'ready').length,
      depth: queued.filter((t) => laneOf(t.params.type) === lane).length,
      running: running.filter((t) => accounts.find((a) => a.id === t.accountId)?.lane === lane).length,
    }));
    return {
      lanes,
      degraded: !videoLaneReady && accounts.some((a) => a.lane === 'shared' && a.status === 'ready'),
      queued: queued.length,
      running: running.map((t) => ({
        task_id: t.id,
        account_id: t.accountId,
        model: t.params.model,
        progress: t.progress,
      })),
    };
  }
}
