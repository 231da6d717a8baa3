import { zLane, type Lane } from '@mediagen/contract';
import type { Store } from '#ports/store.ts';

/** Before each lane had its own setting, one JSON list held the paused lanes: still read for a lane without its own. */
const LEGACY_KEY = 'lanes.paused';
const laneKey = (lane: Lane): string => `lanes.paused.${lane}`;

/**
 * Lanes an admin paused: their GPUs start no new job (running ones finish). Kept in the store's settings, one key
 * per lane, so two gateways changing two lanes at once cannot undo each other (a shared list was read, changed and
 * written whole: the later write dropped the other's change). A change is announced (`onChanged`) and the other
 * gateways re-read (`init`).
 */
export class LaneControl {
  private paused = new Set<Lane>();

  constructor(private readonly d: { store: Store; onResume: () => void; onChanged?: () => void }) {}

  /** Read the paused lanes (at start, and when another gateway changed them). */
  async init(): Promise<void> {
    const [legacy, ...own] = await Promise.all([
      this.d.store.settings.get(LEGACY_KEY),
      ...zLane.options.map((l) => this.d.store.settings.get(laneKey(l))),
    ]);
    const listed = zLane.array().safeParse(legacy ? JSON.parse(legacy) : []);
    const inList = new Set<Lane>(listed.success ? listed.data : []);
    this.paused = new Set(
      zLane.options.filter((l, i) => {
        const v = own[i];
        return v === undefined ? inList.has(l) : v === 'paused';
      }),
    );
  }

  isPaused(lane: Lane): boolean {
    return this.paused.has(lane);
  }

  list(): Lane[] {
    return zLane.options.filter((l) => this.paused.has(l));
  }

  async pause(lane: Lane): Promise<Lane[]> {
    await this.d.store.settings.set(laneKey(lane), 'paused');
    await this.init(); // another gateway may have changed the others since
    this.d.onChanged?.();
    return this.list();
  }

  async resume(lane: Lane): Promise<Lane[]> {
    await this.d.store.settings.set(laneKey(lane), 'running');
    await this.init();
    this.d.onChanged?.();
    this.d.onResume();
    return this.list();
  }
}
