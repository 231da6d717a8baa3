import { describe, expect, it } from 'vitest';
import { MODEL_LIST } from '@mediagen/contract';
import {
  admit,
  expiredDegradedJobs,
  expiryWindows,
  stalledJobs,
  type AdmissionInput,
  type LaneAccount,
} from './admission.ts';

/** An account as admission sees it: ready accounts are ready for every model they serve unless told otherwise. */
const acc = (
  lane: LaneAccount['lane'],
  models: LaneAccount['models'],
  status: 'ready' | 'checking' | 'failed' | 'disabled' = 'ready',
  readyModels: LaneAccount['models'] = models,
): LaneAccount => ({
  lane,
  models,
  readyModels: status === 'ready' ? readyModels : [],
  ready: status === 'ready',
  disabled: status === 'disabled',
  checking: status === 'checking',
  loras: [],
});
const video = acc('video', ['anisora', 'phr00t']);
const image = acc('image', ['pony', 'flux']);
const shared = acc('shared', ['anisora', 'phr00t', 'pony', 'flux']);
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
    const accounts = [acc('video', ['anisora', 'phr00t'], 'failed'), shared];
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
    expect(admit(base({ accounts: [acc('video', ['anisora'], 'disabled')] }))).toMatchObject({
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
  it('an account counts for a model only when ready for it, or while it is being checked', () => {
    // pony files only: it serves pony, and flux jobs are refused at once (503), not queued forever
    const ponyOnly = acc('image', ['pony', 'flux'], 'ready', ['pony']);
    expect(admit(base({ type: 'image', model: 'pony', accounts: [ponyOnly] }))).toMatchObject({ ok: true });
    expect(admit(base({ type: 'image', model: 'flux', accounts: [ponyOnly] }))).toMatchObject({
      ok: false,
      code: 'no_backend_available',
    });
    expect(admit(base({ type: 'image', model: 'flux', accounts: [acc('image', ['flux'], 'checking')] }))).toMatchObject(
      {
        ok: true,
      },
    );
    expect(admit(base({ type: 'image', model: 'flux', accounts: [acc('image', ['flux'], 'failed')] }))).toMatchObject({
      ok: false,
      code: 'no_backend_available',
    });
  });
  it('queued jobs for a model nobody can serve expire after the bound; servable ones do not', () => {
    const now = 1_000_000;
    const jobs = [
      { id: 'old-flux', type: 'image' as const, model: 'flux' as const, createdAt: now - 300_000 },
      { id: 'new-flux', type: 'image' as const, model: 'flux' as const, createdAt: now - 1_000 },
      { id: 'old-pony', type: 'image' as const, model: 'pony' as const, createdAt: now - 300_000 },
    ];
    const ponyOnly = acc('image', ['pony', 'flux'], 'ready', ['pony']);
    expect(stalledJobs(jobs, [ponyOnly], now, 300_000).map((j) => j.id)).toEqual(['old-flux']);
    expect(stalledJobs(jobs, [acc('image', ['flux'], 'checking'), ponyOnly], now, 300_000)).toEqual([]);
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

describe('expiryWindows: which old queued jobs the timer must look at', () => {
  const bounds = { degradedMaxWaitMs: 30_000, noBackendMaxWaitMs: 300_000 };
  it('none while every model has a ready account of its lanes and video has its own lane', () => {
    expect(expiryWindows(MODEL_LIST, [video, image], bounds)).toEqual([]);
  });
  it('video from the degraded bound when only shared lanes serve it; images stay out', () => {
    expect(expiryWindows(MODEL_LIST, [shared], bounds)).toEqual([{ type: 'video', minAgeMs: 30_000 }]);
  });
  it('a type with a model no account serves (or is being checked for), from the no-backend bound', () => {
    expect(expiryWindows(MODEL_LIST, [video, acc('image', ['pony'])], bounds)).toEqual([
      { type: 'image', minAgeMs: 300_000 },
    ]);
    expect(
      expiryWindows(MODEL_LIST, [video, acc('image', ['pony']), acc('image', ['flux'], 'checking')], bounds),
    ).toEqual([]);
    expect(expiryWindows(MODEL_LIST, [], bounds)).toEqual([
      { type: 'image', minAgeMs: 300_000 },
      { type: 'video', minAgeMs: 30_000 },
    ]);
  });
});
