import { zLane, type Lane } from '@mediagen/contract';
import type { Store } from '#ports/store.ts';

const KEY = 'lanes.paused';

/**
 * Lanes an admin paused: their GPUs start no new job (running ones finish). Kept in the store's settings; with
 * several gateways a change here is announced (`onChanged`) and the others re-read it (`init`).
 */
export class LaneControl {
  private paused = new Set<Lane>();

  constructor(private readonly d: { store: Store; onResume: () => void; onChanged?: () => void }) {}

  /** Read the paused lanes (at start, and when another gateway changed them). */
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
    await this.init(); // another gateway may have changed them since
    this.paused.add(lane);
    await this.d.store.settings.set(KEY, JSON.stringify(this.list()));
    this.d.onChanged?.();
    return this.list();
  }

  async resume(lane: Lane): Promise<Lane[]> {
    await this.init();
    this.paused.delete(lane);
    await this.d.store.settings.set(KEY, JSON.stringify(this.list()));
    this.d.onChanged?.();
    this.d.onResume();
    return this.list();
  }
}
