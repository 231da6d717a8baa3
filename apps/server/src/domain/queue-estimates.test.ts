import { describe, expect, it } from 'vitest';
import {
  queueEstimates,
  queueOrder,
  runningSecondsLeft,
  type EstimateBackend,
  type EstimateJob,
} from './queue-estimates.ts';

const video: EstimateBackend = {
  id: 'v',
  lane: 'video',
  models: ['anisora', 'phr00t'],
  available: true,
  busySeconds: 0,
};
const image: EstimateBackend = { id: 'i', lane: 'image', models: ['pony', 'flux'], available: true, busySeconds: 0 };
let t = 0;
const job = (id: string, model: EstimateJob['model'], seconds = 10, extra: Partial<EstimateJob> = {}): EstimateJob => ({
  id,
  model,
  type: model === 'anisora' || model === 'phr00t' ? 'video' : 'image',
  createdAt: ++t,
  priority: 0,
  seconds,
  ...extra,
});

describe('queueEstimates', () => {
  it('counts only the jobs that compete for the same GPUs (video jobs do not push image jobs back)', () => {
    const jobs = [job('v1', 'anisora', 30), job('v2', 'phr00t', 30), job('i1', 'pony', 5), job('i2', 'flux', 8)];
    const e = queueEstimates(jobs, [video, image], true);
    expect(e.get('v1')).toEqual({ position: 1, etaSeconds: 30 });
    expect(e.get('v2')).toEqual({ position: 2, etaSeconds: 60 });
    expect(e.get('i1')).toEqual({ position: 1, etaSeconds: 5 });
    expect(e.get('i2')).toEqual({ position: 2, etaSeconds: 13 });
  });

  it('adds the time left of what the GPU runs now, and spreads jobs over several GPUs', () => {
    const a = { ...image, id: 'a', busySeconds: 20 };
    const b = { ...image, id: 'b', busySeconds: 4 };
    const e = queueEstimates([job('x', 'pony', 10), job('y', 'pony', 10), job('z', 'pony', 10)], [a, b], true);
    expect([...e.values()]).toEqual([
      { position: 1, etaSeconds: 14 },
      { position: 2, etaSeconds: 24 },
      { position: 3, etaSeconds: 30 },
    ]);
  });

  it('in degraded mode video competes with images on shared GPUs', () => {
    const shared: EstimateBackend = { ...image, id: 's', lane: 'shared', models: ['anisora', 'pony'] };
    const e = queueEstimates([job('v', 'anisora', 30), job('p', 'pony', 5)], [shared], false);
    expect(e.get('p')).toEqual({ position: 2, etaSeconds: 35 });
  });

  it('admin priority goes first; no available GPU means no ETA but still a position', () => {
    const jobs = [job('old', 'pony'), job('vip', 'pony', 10, { priority: 1 })];
    expect(queueOrder(jobs).map((j) => j.id)).toEqual(['vip', 'old']);
    const e = queueEstimates(jobs, [{ ...image, available: false }], true);
    expect(e.get('vip')).toEqual({ position: 1, etaSeconds: undefined });
    expect(e.get('old')).toEqual({ position: 2, etaSeconds: undefined });
  });

  it('jobs no backend serves compete with their own type only', () => {
    const e = queueEstimates([job('a', 'pony'), job('b', 'flux'), job('c', 'anisora')], [], true);
    expect([...e.values()].map((x) => x.position)).toEqual([1, 2, 1]);
  });
});

describe('runningSecondsLeft', () => {
  it('estimate minus elapsed, at least one second', () => {
    expect(runningSecondsLeft(30, 1000, 11_000)).toBe(20);
    expect(runningSecondsLeft(30, 1000, 100_000)).toBe(1);
    expect(runningSecondsLeft(12, null, 0)).toBe(12);
  });
});
