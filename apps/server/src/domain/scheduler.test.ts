import { describe, expect, it } from 'vitest';
import { lanesFor, schedule, type IdleBackend, type QueuedJob } from './scheduler.ts';
import {
  REALISTIC_LOAD_SECONDS,
  simulateSchedule,
  syntheticWorkload,
  type SimGpu,
} from '#test/scheduling-simulation.ts';

const job = (id: string, model: QueuedJob['model'], createdAt: number, ownerId = 'u1'): QueuedJob => ({
  id,
  ownerId,
  model,
  type: model === 'anisora' || model === 'phr00t' ? 'video' : 'image',
  createdAt,
});
const opts = { now: 10_000, agingMs: 60_000, videoLaneReady: true, runningByOwner: new Map<string, number>() };

describe('scheduler (pure)', () => {
  it('lanes: video on video lanes (shared when no video lane is ready), images on image or shared', () => {
    expect(lanesFor('video', true)).toEqual(['video']);
    expect(lanesFor('video', false)).toEqual(['shared']);
    expect(lanesFor('image', true)).toEqual(['image', 'shared']);
  });

  it('prefers a job whose model the backend already has loaded', () => {
    const gpu: IdleBackend = { id: 'g', lane: 'image', models: ['pony', 'flux'], loadedModel: 'flux' };
    expect(schedule([job('a', 'pony', 1), job('b', 'flux', 2)], [gpu], opts)).toEqual([{ jobId: 'b', backendId: 'g' }]);
  });

  it('round-robin across users: the user with fewer running jobs goes first', () => {
    const gpu: IdleBackend = { id: 'g', lane: 'image', models: ['pony'] };
    const q = [job('a', 'pony', 1, 'heavy'), job('b', 'pony', 2, 'light')];
    expect(schedule(q, [gpu], { ...opts, runningByOwner: new Map([['heavy', 2]]) })[0]?.jobId).toBe('b');
  });

  it('aging: an old job beats affinity and fairness, so nothing starves', () => {
    const gpu: IdleBackend = { id: 'g', lane: 'image', models: ['pony', 'flux'], loadedModel: 'flux' };
    const q = [job('old', 'pony', 0), job('fresh', 'flux', 20_000)];
    expect(schedule(q, [gpu], { ...opts, now: 70_000 })[0]?.jobId).toBe('old');
  });

  it('never gives a backend a model it does not serve, nor a job to two backends', () => {
    const a: IdleBackend = { id: 'a', lane: 'video', models: ['anisora'] };
    const b: IdleBackend = { id: 'b', lane: 'video', models: ['anisora', 'phr00t'] };
    const plan = schedule([job('x', 'phr00t', 1), job('y', 'anisora', 2)], [a, b], opts);
    expect(plan).toEqual([
      { jobId: 'y', backendId: 'a' },
      { jobId: 'x', backendId: 'b' },
    ]);
  });
});

describe('scheduling a synthetic mixed workload against FIFO', () => {
  for (const n of [2, 3, 4]) {
    it(`${n} GPUs: fewer model switches, no longer makespan`, () => {
      const gpus: SimGpu[] = Array.from({ length: n }, (_, i) => ({
        id: `g${i}`,
        lane: 'shared',
        models: ['anisora', 'phr00t', 'pony', 'flux'],
      }));
      const jobs = syntheticWorkload(200);
      const ours = simulateSchedule(jobs, gpus, REALISTIC_LOAD_SECONDS, 'mediagen');
      const base = simulateSchedule(jobs, gpus, REALISTIC_LOAD_SECONDS, 'fifo');
      expect(ours.switches).toBeLessThanOrEqual(base.switches / 2);
      expect(ours.makespan).toBeLessThanOrEqual(base.makespan);
    });
  }
});
