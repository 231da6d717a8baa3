import { describe, expect, it } from 'vitest';
import type { SharedWindowCounter } from '#ports/rate-counter.ts';
import { ManualClock } from '#test/fakes/manual-clock.ts';
import { FixedWindowLimiter, SharedWindowLimiter } from './security.ts';

/** The database's rate_windows table in memory: one counter every gateway's limiter shares. */
class MemoryWindowCounter implements SharedWindowCounter {
  readonly totals = new Map<string, number>();
  calls = 0;
  failing = false;
  async hit(key: string, windowStart: number): Promise<number> {
    this.calls += 1;
    if (this.failing) throw new Error('database down');
    const k = `${windowStart}:${key}`;
    const n = (this.totals.get(k) ?? 0) + 1;
    this.totals.set(k, n);
    return n;
  }
}

describe('rate limits across gateways', () => {
  it('the bound holds for two gateways together, and a new window opens at the minute', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1, 0, 0, 10));
    const counter = new MemoryWindowCounter();
    const a = new SharedWindowLimiter('gen', 5, counter, 60_000, clock.now);
    const b = new SharedWindowLimiter('gen', 5, counter, 60_000, clock.now);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await a.take('user:alice'), await b.take('user:alice'));
    expect(answers.filter((r) => r === undefined)).toHaveLength(5);
    expect(answers.at(-1)).toBe(50); // seconds until the window that started at :00 ends
    expect(await a.take('user:bob')).toBeUndefined(); // keys are separate
    clock.advance(50_000);
    expect(await b.take('user:alice')).toBeUndefined();
  });

  it('a key already over its bound is refused without asking the database', async () => {
    const clock = new ManualClock();
    const counter = new MemoryWindowCounter();
    const a = new SharedWindowLimiter('gen', 2, counter, 60_000, clock.now);
    for (let i = 0; i < 2; i++) expect(await a.take('k')).toBeUndefined();
    expect(await a.take('k')).toBeDefined();
    const calls = counter.calls;
    for (let i = 0; i < 100; i++) expect(await a.take('k')).toBeDefined();
    expect(counter.calls).toBe(calls);
  });

  it('if the database cannot answer, this gateway still limits on its own count', async () => {
    const clock = new ManualClock();
    const counter = new MemoryWindowCounter();
    counter.failing = true;
    const a = new SharedWindowLimiter('gen', 3, counter, 60_000, clock.now);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await a.take('k'));
    expect(answers.map((r) => r === undefined)).toEqual([true, true, true, false, false]);
  });

  it('one gateway: a fixed window in memory', () => {
    const clock = new ManualClock();
    const l = new FixedWindowLimiter(2, 60_000, clock.now);
    expect([l.take('k'), l.take('k'), l.take('k')]).toEqual([undefined, undefined, 60]);
    clock.advance(60_000);
    expect(l.take('k')).toBeUndefined();
  });
});
