import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.ts';

describe('TtlCache', () => {
  it('forgets an entry once its time to live has passed', () => {
    let now = 0;
    const c = new TtlCache<string, number>({ max: 10, ttlMs: 100, now: () => now });
    c.set('a', 1);
    now = 99;
    expect(c.get('a')).toBe(1);
    now = 100;
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('holds at most max entries, dropping the one stored longest ago', () => {
    const c = new TtlCache<string, number>({ max: 2, ttlMs: 1000, now: () => 0 });
    c.set('a', 1);
    c.set('b', 2);
    c.set('a', 3); // storing again makes it the newest
    c.set('c', 4);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([3, undefined, 4]);
  });

  it('drops every entry a predicate matches', () => {
    const c = new TtlCache<string, { user: string }>({ max: 10, ttlMs: 1000, now: () => 0 });
    c.set('k1', { user: 'u1' });
    c.set('k2', { user: 'u2' });
    c.set('s1', { user: 'u1' });
    c.deleteWhere((v) => v.user === 'u1');
    expect([c.get('k1'), c.get('k2'), c.get('s1')]).toEqual([undefined, { user: 'u2' }, undefined]);
  });
});
