import { describe, expect, it } from 'vitest';
import { secondsLeft } from './timeLeft.ts';

const base = { etaAt: 0, startedAt: undefined, now: 0, progress: 0 } as const;

describe('secondsLeft', () => {
  it('counts the server ETA down from when it arrived', () => {
    expect(secondsLeft({ ...base, status: 'queued', stage: 'queued', etaSeconds: 30, now: 10_000 })).toBe(20);
    expect(secondsLeft({ ...base, status: 'queued', stage: 'queued', etaSeconds: 30, now: 60_000 })).toBe(1);
  });
  it('while sampling, the pace so far', () => {
    expect(
      secondsLeft({
        ...base,
        status: 'running',
        stage: 'sampling',
        etaSeconds: 99,
        progress: 25,
        startedAt: 0,
        now: 10_000,
      }),
    ).toBe(30);
  });
  it('says nothing while saving', () => {
    expect(secondsLeft({ ...base, status: 'running', stage: 'saving', etaSeconds: 5, progress: 99 })).toBeUndefined();
    expect(secondsLeft({ ...base, status: 'queued', stage: 'queued', etaSeconds: undefined })).toBeUndefined();
  });
});
