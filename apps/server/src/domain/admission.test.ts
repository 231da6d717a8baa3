import { describe, expect, it } from 'vitest';
import { admit, expiredDegradedJobs, type AdmissionInput, type LaneAccount } from './admission.ts';

const video: LaneAccount = { lane: 'video', models: ['anisora', 'phr00t'], ready: true, disabled: false };
const image: LaneAccount = { lane: 'image', models: ['pony', 'flux'], ready: true, disabled: false };
const shared: LaneAccount = {
  lane: 'shared',
  models: ['anisora', 'phr00t', 'pony', 'flux'],
  ready: true,
  disabled: false,
};
const limits = { maxQueue: 100, maxQueuedPerUser: 20, degradedMaxWaiting: 25, degradedMaxWaitMs: 30_000 };
const base = (over: Partial<AdmissionInput>): AdmissionInput => ({
  type: 'video',
  model: 'anisora',
  accounts: [video, image, shared],
  waitingVideo: 0,
  oldestVideoWaitMs: 0,
  queuedOfType: 0,
  ownerQueued: 0,
  limits,
  ...over,
});

describe('admission', () => {
  it('video with a ready video lane is admitted, not degraded, whatever waits', () => {
    expect(admit(base({ waitingVideo: 80, oldestVideoWaitMs: 600_000 }))).toEqual({ ok: true, degraded: false });
  });
  it('no ready video lane → degraded on shared lanes, up to 25 waiting', () => {
    const accounts = [{ ...video, ready: false }, shared];
    expect(admit(base({ accounts, waitingVideo: 24 }))).toEqual({ ok: true, degraded: true });
    const refused = admit(base({ accounts, waitingVideo: 25 }));
    expect(refused).toMatchObject({ ok: false, code: 'queue_overloaded', retryAfterSeconds: 30 });
  });
  it('degraded: the oldest waiting 30 s refuses new video jobs', () => {
    const accounts = [shared];
    expect(admit(base({ accounts, oldestVideoWaitMs: 29_999 })).ok).toBe(true);
    expect(admit(base({ accounts, oldestVideoWaitMs: 30_000 }))).toMatchObject({ ok: false, code: 'queue_overloaded' });
  });
  it('images go to image or shared lanes and never count as degraded', () => {
    expect(admit(base({ type: 'image', model: 'pony', accounts: [shared], waitingVideo: 99 }))).toEqual({
      ok: true,
      degraded: false,
    });
    expect(admit(base({ type: 'image', model: 'pony', accounts: [video] }))).toMatchObject({
      ok: false,
      code: 'no_backend_available',
    });
  });
  it('no backend serving the model → no_backend_available; disabled ones do not count', () => {
    expect(admit(base({ model: 'anisora', accounts: [image] }))).toMatchObject({
      ok: false,
      code: 'no_backend_available',
    });
    expect(admit(base({ accounts: [{ ...video, disabled: true }] }))).toMatchObject({
      ok: false,
      code: 'no_backend_available',
    });
  });
  it('each type has its own queue bound: a full video queue never refuses an image', () => {
    expect(admit(base({ type: 'image', model: 'flux', queuedOfType: 100 }))).toMatchObject({
      ok: false,
      code: 'queue_overloaded',
    });
    expect(admit(base({ type: 'image', model: 'flux', queuedOfType: 3, waitingVideo: 100 }))).toEqual({
      ok: true,
      degraded: false,
    });
  });
  it("one user's share of the queue is bounded (429 user_queue_full), whatever the queue holds", () => {
    expect(admit(base({ type: 'image', model: 'flux', ownerQueued: 20 }))).toMatchObject({
      ok: false,
      code: 'user_queue_full',
    });
    expect(admit(base({ type: 'image', model: 'flux', ownerQueued: 19 }))).toMatchObject({ ok: true });
  });
  it('degraded video jobs older than 30 s expire; others do not', () => {
    const now = 100_000;
    const jobs = [
      { id: 'old-video', type: 'video' as const, model: 'anisora' as const, createdAt: now - 30_000 },
      { id: 'new-video', type: 'video' as const, model: 'anisora' as const, createdAt: now - 1_000 },
      { id: 'old-image', type: 'image' as const, model: 'pony' as const, createdAt: now - 90_000 },
    ];
    expect(expiredDegradedJobs(jobs, [shared], now, 30_000).map((j) => j.id)).toEqual(['old-video']);
    expect(expiredDegradedJobs(jobs, [video, shared], now, 30_000)).toEqual([]);
  });
});
