import { MODEL_LIST, type Availability } from '@mediagen/contract';
import { admit, type AdmissionLimits, type LaneAccount } from '#domain/admission.ts';
import type { Store } from '#ports/store.ts';

/** What admission would answer for each model right now, so a refused type never blocks the others. */
export class AvailabilityService {
  constructor(
    private readonly d: {
      store: Store;
      accounts: { lanes(): LaneAccount[] };
      limits: AdmissionLimits;
      now: () => number;
    },
  ) {}

  /** What admission would answer this user for each model right now. */
  async now(ownerId: string): Promise<Availability> {
    const q = await this.d.store.tasks.queueStats();
    const ownerQueued = await this.d.store.tasks.countQueuedOf(ownerId);
    const accounts = this.d.accounts.lanes();
    return {
      models: MODEL_LIST.map((m) => {
        const decision = admit({
          type: m.type,
          model: m.id,
          accounts,
          queuedOfType: m.type === 'video' ? q.waitingVideo : q.queued - q.waitingVideo,
          ownerQueued,
          waitingVideo: q.waitingVideo,
          oldestVideoWaitMs: q.oldestVideoCreatedAt === null ? 0 : this.d.now() - q.oldestVideoCreatedAt,
          limits: this.d.limits,
        });
        return decision.ok
          ? { model: m.id, type: m.type, available: true }
          : {
              model: m.id,
              type: m.type,
              available: false,
              code: decision.code,
              reason: decision.reason,
              retry_after_seconds: decision.retryAfterSeconds,
            };
      }),
      waiting: { image: q.queued - q.waitingVideo, video: q.waitingVideo },
      degraded_max_waiting: this.d.limits.degradedMaxWaiting,
    };
  }
}
