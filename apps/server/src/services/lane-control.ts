import { zLane, type Lane } from '@mediagen/contract';
import type { Store } from '#ports/store.ts';

const KEY = 'lanes.paused';

/** Lanes an admin paused: their GPUs start no new job (running ones finish). Kept in the store's settings. */
export class LaneControl {
  private paused = new Set<Lane>();

  constructor(private readonly d: { store: Store; onResume: () => void }) {}

  async init(): Promise<void> {
    const raw = await this.d.store.settings.get(KEY);
    const parsed = zLane.array().safeParse(raw ? JSON.parse(raw) : []);
    this.paused = new Set(parsed.success ? parsed.data : []);
  }

  isPaused(lane: Lane): boolean {
    return this.paused.has(lane);
  }

  list(): Lane[] {
    return zLane.options.filter((l) => this.paused.has(l));
  }

  async pause(lane: Lane): Promise<Lane[]> {
    this.paused.add(lane);
    await this.d.store.settings.set(KEY, JSON.stringify(this.list()));
    return this.list();
  }

  async resume(lane: Lane): Promise<Lane[]> {
    this.paused.delete(lane);
    await this.d.store.settings.set(KEY, JSON.stringify(this.list()));
    this.d.onResume();
    return this.list();
  }
}
