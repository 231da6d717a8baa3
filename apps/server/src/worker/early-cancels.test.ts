import { describe, expect, it } from 'vitest';
import { ManualClock } from '#test/fakes/manual-clock.ts';
import { EarlyCancels } from './early-cancels.ts';

describe('EarlyCancels', () => {
  it('a cancel counts once, for a task that starts within a minute; older ones are forgotten', () => {
    const clock = new ManualClock();
    const early = new EarlyCancels(clock.now);
    early.remember('a');
    expect(early.take('b')).toBe(false);
    expect(early.take('a')).toBe(true);
    expect(early.take('a')).toBe(false); // once
    early.remember('late');
    clock.advance(60_001);
    expect(early.take('late')).toBe(false); // it ran elsewhere, or the cancel is long past
    early.remember('c'); // and remembering sweeps the stale ones
    expect(early.take('c')).toBe(true);
  });
});
