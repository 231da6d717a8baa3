import { describe, expect, it } from 'vitest';
import { admit, stalledJobs, type AdmissionInput, type LaneAccount } from './admission.ts';
import { schedule, type IdleBackend, type QueuedJob } from './scheduler.ts';

// Issue #18: a job that names LoRAs goes only to backends that hold their files.

const acc = (loras: string[], status: 'ready' | 'checking' = 'ready'): LaneAccount => ({
  lane: 'image',
  models: ['pony'],
  readyModels: status === 'ready' ? ['pony'] : [],
  ready: status === 'ready',
  disabled: false,
  checking: status === 'checking',
  loras,
});
const input = (over: Partial<AdmissionInput>): AdmissionInput => ({
  type: 'image',
  model: 'pony',
  accounts: [acc(['a.safetensors'])],
  waitingVideo: 0,
  oldestVideoWaitMs: 0,
  queuedOfType: 0,
  ownerQueued: 0,
  limits: { maxQueue: 10, maxQueuedPerUser: 10, degradedMaxWaiting: 1, degradedMaxWaitMs: 1000 },
  ...over,
});
const job = (id: string, loraFiles?: string[]): QueuedJob => ({
  id,
  ownerId: 'u',
  model: 'pony',
  type: 'image',
  createdAt: 1,
  ...(loraFiles ? { loraFiles } : {}),
});
const opts = { now: 10, agingMs: 60_000, videoLaneReady: false, runningByOwner: new Map<string, number>() };

describe('LoRA-aware admission', () => {
  it('admits when a ready backend holds every file of every LoRA', () => {
    expect(admit(input({ loras: [{ name: 'a', files: ['a.safetensors'] }] }))).toEqual({ ok: true, degraded: false });
  });

  it('503 no_backend_available naming the first LoRA nobody holds, with its index', () => {
    const d = admit(
      input({
        loras: [
          { name: 'a', files: ['a.safetensors'] },
          { name: 'pair', files: ['a.safetensors', 'low.safetensors'] },
        ],
      }),
    );
    expect(d).toMatchObject({ ok: false, code: 'no_backend_available', lora: { name: 'pair', index: 1 } });
    expect(d.ok ? '' : d.reason).toContain('"pair"');
  });

  it('LoRAs held only on different backends cannot run together', () => {
    const d = admit(
      input({
        accounts: [acc(['a.safetensors']), acc(['b.safetensors'])],
        loras: [
          { name: 'a', files: ['a.safetensors'] },
          { name: 'b', files: ['b.safetensors'] },
        ],
      }),
    );
    expect(d).toMatchObject({ ok: false, code: 'no_backend_available' });
    expect(d.ok ? '' : d.reason).toMatch(/all the requested LoRAs together/);
  });

  it('a backend being checked counts with the LoRA files it last listed', () => {
    expect(
      admit(
        input({ accounts: [acc(['a.safetensors'], 'checking')], loras: [{ name: 'a', files: ['a.safetensors'] }] }),
      ),
    ).toMatchObject({ ok: true });
  });

  it('queued jobs whose LoRA no backend holds any more expire after the bound', () => {
    const jobs = [
      { id: 'held', type: 'image' as const, model: 'pony' as const, createdAt: 0, loraFiles: ['a.safetensors'] },
      { id: 'gone', type: 'image' as const, model: 'pony' as const, createdAt: 0, loraFiles: ['b.safetensors'] },
    ];
    expect(stalledJobs(jobs, [acc(['a.safetensors'])], 1000, 500).map((j) => j.id)).toEqual(['gone']);
  });
});

describe('LoRA-aware scheduling', () => {
  it('a job needing a LoRA skips an idle backend without it and goes to the one that holds it', () => {
    const gpu1: IdleBackend = { id: 'g1', lane: 'image', models: ['pony'], loras: [] };
    const gpu2: IdleBackend = { id: 'g2', lane: 'image', models: ['pony'], loras: ['x.safetensors'] };
    expect(schedule([job('j', ['x.safetensors'])], [gpu1, gpu2], opts)).toEqual([{ jobId: 'j', backendId: 'g2' }]);
    expect(schedule([job('j', ['x.safetensors'])], [gpu1], opts)).toEqual([]);
  });

  it('prefers the job whose LoRA set the backend applied last (no re-patching)', () => {
    const gpu: IdleBackend = {
      id: 'g',
      lane: 'image',
      models: ['pony'],
      loadedModel: 'pony',
      loras: ['x.safetensors', 'y.safetensors'],
      loadedLoras: ['y.safetensors'],
    };
    expect(schedule([job('x', ['x.safetensors']), job('y', ['y.safetensors'])], [gpu], opts)[0]?.jobId).toBe('y');
  });
});
