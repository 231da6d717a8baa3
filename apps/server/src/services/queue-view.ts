import { MODELS, type Lane, type QueueSnapshot } from '@mediagen/contract';
import { lanesFor } from '#domain/scheduler.ts';
import type { Store } from '#ports/store.ts';
import type { AccountsService } from './accounts.service.ts';

/** Admin view of lanes and depths (SPEC §6 GET /api/admin/queue). */
export class QueueView {
  constructor(private readonly d: { store: Store; accounts: AccountsService; degradedMaxWaiting: number }) {}

  async snapshot(): Promise<QueueSnapshot> {
    const accounts = this.d.accounts.list();
    const queued = await this.d.store.tasks.queuedSummaries();
    const running = await this.d.store.tasks.byStatus(['running']);
    const videoLaneReady = accounts.some((a) => a.lane === 'video' && a.status === 'ready');
    const laneOf = (type: 'image' | 'video'): Lane => lanesFor(type, videoLaneReady)[0] ?? 'shared';
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const lanes = (['video', 'image', 'shared'] as const).map((lane) => ({
      lane,
      accounts: accounts.filter((a) => a.lane === lane).length,
      accounts_ready: accounts.filter((a) => a.lane === lane && a.status === 'ready').length,
      depth: queued.filter((t) => laneOf(t.type) === lane).length,
      running: running.filter((t) => (t.accountId ? byId.get(t.accountId)?.lane : undefined) === lane).length,
    }));
    // degraded: video runs on shared GPUs because no dedicated video lane is ready (SPEC §6)
    const sharedVideo = accounts.some(
      (a) => a.lane === 'shared' && a.status === 'ready' && a.models.some((m) => MODELS[m].type === 'video'),
    );
    return {
      lanes,
      degraded: !videoLaneReady && sharedVideo,
      waiting_video: queued.filter((t) => t.type === 'video').length,
      degraded_max_waiting: this.d.degradedMaxWaiting,
      queued: queued.length,
      running: running.map((t) => {
        const acc = t.accountId ? byId.get(t.accountId) : undefined;
        return {
          task_id: t.id,
          model: t.params.model,
          lane: acc?.lane ?? null,
          account_id: t.accountId,
          account_name: acc?.name ?? null,
          progress: t.progress,
        };
      }),
    };
  }
}
