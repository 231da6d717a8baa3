import { describe, expect, it, vi } from 'vitest';
import type { GenerationResult } from '@mediagen/contract';
import { json, mockFetch } from '../test/mockFetch.ts';
import { subscribeTask, type TaskUpdate } from './taskEvents.ts';

const result: GenerationResult = {
  status: 'success',
  task_id: 't9',
  url: '/api/results/t9',
  urls: ['/api/results/t9'],
  asset_ids: ['asset-t9'],
  thumbnail_url: '/api/preview/t9',
  seed: 5,
  seeds: [5],
  width: 512,
  height: 512,
  model: 'pony',
  type: 'image',
  mode: 'txt2img',
  output_format: 'png',
  metadata: { inference_time: 1, gpu_time: 1, queue_time: 0, backend: 'sim', ignored_params: [] },
};
const base = { task_id: 't9', job_id: 't9', created_at: 'x', updated_at: 'x' };

describe('subscribeTask without EventSource', () => {
  it('falls back to polling /api/status and stops at the terminal state', async () => {
    const answers = [
      { ...base, status: 'queued', progress: 0, stage: 'queued', queue_position: 1 },
      { ...base, status: 'running', progress: 40, stage: 'sampling', preview_url: '/api/preview/t9', eta_seconds: 3 },
      { ...base, status: 'completed', progress: 100, stage: 'done', result },
    ];
    let i = 0;
    const calls = mockFetch((req) =>
      req.path === '/api/status/t9' ? json(answers[Math.min(i++, answers.length - 1)]) : undefined,
    );
    const updates: TaskUpdate[] = [];
    vi.useFakeTimers();
    try {
      subscribeTask('t9', (u) => updates.push(u), { pollIntervalMs: 5 });
      // runs every timer until none is left: polling that never stopped would make this throw
      await vi.runAllTimersAsync();
      expect(vi.getTimerCount()).toBe(0); // no polling after completion
    } finally {
      vi.useRealTimers();
    }
    expect(updates.map((u) => u.kind)).toEqual(['progress', 'progress', 'preview', 'completed']);
    expect(updates[2]).toEqual({ kind: 'preview', url: '/api/preview/t9?seq=1' });
    expect(calls.length).toBe(3);
  });
});
