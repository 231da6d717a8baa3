import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '#test/fakes/memory-store.ts';
import { LaneControl } from './lane-control.ts';

describe('LaneControl across gateways', () => {
  it('announces each change, and a change made on one gateway is kept when another changes another lane', async () => {
    const store = createMemoryStore();
    let announced = 0;
    const a = new LaneControl({ store, onResume: () => undefined, onChanged: () => void (announced += 1) });
    const b = new LaneControl({ store, onResume: () => undefined });
    await Promise.all([a.init(), b.init()]);
    await a.pause('video');
    expect(announced).toBe(1);
    expect(await b.pause('image')).toEqual(['video', 'image']); // b had not re-read yet: it does before writing
    await a.init(); // what a `lanes-changed` signal makes the others do
    expect(a.list()).toEqual(['video', 'image']);
    await a.resume('video');
    expect(announced).toBe(2);
  });

  it('two gateways pausing two lanes at the same moment: both stay paused', async () => {
    const store = createMemoryStore();
    const a = new LaneControl({ store, onResume: () => undefined });
    const b = new LaneControl({ store, onResume: () => undefined });
    await Promise.all([a.pause('video'), b.pause('image')]);
    const c = new LaneControl({ store, onResume: () => undefined });
    await c.init();
    expect(c.list()).toEqual(['video', 'image']);
    await Promise.all([a.resume('video'), b.pause('shared')]);
    await c.init();
    expect(c.list()).toEqual(['image', 'shared']);
  });

  it('lanes paused in the older single list stay paused until changed', async () => {
    const store = createMemoryStore();
    await store.settings.set('lanes.paused', JSON.stringify(['video', 'shared']));
    const a = new LaneControl({ store, onResume: () => undefined });
    await a.init();
    expect(a.list()).toEqual(['video', 'shared']);
    expect(await a.resume('video')).toEqual(['shared']);
    expect(await a.pause('image')).toEqual(['image', 'shared']);
  });
});
