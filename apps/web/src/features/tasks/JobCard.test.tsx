import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AcceptedResponse, GenerationResult, TaskListItem } from '@mediagen/contract';
import { json, mockFetch } from '../../test/mockFetch.ts';
import { renderStudio } from '../../test/renderStudio.tsx';

const accepted: AcceptedResponse = {
  status: 'queued',
  job_id: 'j1',
  task_id: 'j1',
  queue_position: 1,
  estimated_seconds: 12,
  status_url: '/api/status/j1',
  events_url: '/api/events/j1',
  seed: 77,
};
const result: GenerationResult = {
  status: 'success',
  task_id: 'j1',
  url: '/api/results/j1',
  urls: ['/api/results/j1'],
  asset_ids: ['out-1'],
  thumbnail_url: '/api/preview/j1',
  seed: 77,
  seeds: [77],
  width: 512,
  height: 512,
  model: 'pony',
  type: 'image',
  mode: 'txt2img',
  output_format: 'png',
  metadata: {
    inference_time: 3,
    gpu_time: 3,
    queue_time: 0,
    backend: 'sim-1',
    ignored_params: [{ param: 'vae', reason: 'pony always uses its own VAE' }],
  },
};

function task(over: Partial<TaskListItem>): TaskListItem {
  return {
    task_id: 'j1',
    status: 'queued',
    stage: 'queued',
    progress: 0,
    type: 'image',
    model: 'pony',
    mode: 'txt2img',
    prompt: 'cat',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    estimated_seconds: 12,
    parameters: { type: 'image', model: 'pony', mode: 'txt2img', prompt: 'cat', seed: 77 },
    ...over,
  };
}

// jsdom has no EventSource: the jobs panel re-reads GET /api/tasks (the polling fallback of the user stream)
describe('jobs panel (kept on the server)', () => {
  it('follows a job to its result; "use as reference" puts asset:<id> into img2img', async () => {
    let reads = 0;
    let submitted = false;
    mockFetch((req) => {
      if (req.path === '/api/generate') {
        submitted = true;
        return json(accepted, 202);
      }
      if (req.path === '/api/tasks') {
        if (!submitted) return json({ items: [], next_cursor: null });
        reads += 1;
        if (reads === 1)
          return json({
            items: [task({ status: 'running', stage: 'sampling', progress: 55, started_at: new Date().toISOString() })],
            next_cursor: null,
          });
        return json({
          items: [task({ status: 'completed', stage: 'done', progress: 100, result })],
          next_cursor: null,
        });
      }
      return undefined;
    });
    const user = userEvent.setup();
    renderStudio('en');
    await user.click(screen.getByTestId('type-image'));
    await user.type(screen.getByTestId('prompt'), 'cat');
    await user.click(screen.getByTestId('generate-button'));

    const progress = await screen.findByTestId('progress');
    await waitFor(() => expect(progress.getAttribute('aria-valuenow')).toBe('55'), { timeout: 5000 });
    expect(screen.getByTestId('stage').textContent).toBe('Sampling');

    const shown = await screen.findByTestId('result', {}, { timeout: 5000 });
    expect(shown.querySelector('img')?.getAttribute('src')).toBe('/api/results/j1');
    expect(screen.getByTestId('download').getAttribute('href')).toBe('/api/results/j1');
    expect(screen.getByTestId('ignored-params').textContent).toMatch(/vae/);
    expect(screen.queryByTestId('cancel')).toBeNull();

    await user.click(screen.getByTestId('use-as-reference'));
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>('mode-picker').value).toBe('img2img'));
    expect(screen.getByTestId('image-preview-reference_image').getAttribute('src')).toBe('/api/results/j1');
    expect(screen.getByTestId<HTMLButtonElement>('seed-reuse').disabled).toBe(false);
  });

  it('shows jobs sent elsewhere with their queue position; cancels one; a failure says why, in Russian too', async () => {
    let cancelled = false;
    mockFetch((req) => {
      if (req.path === '/api/cancel/j1') {
        cancelled = true;
        return json({
          task_id: 'j1',
          job_id: 'j1',
          status: 'cancelled',
          progress: 0,
          stage: 'done',
          created_at: 'x',
          updated_at: 'x',
        });
      }
      if (req.path === '/api/tasks') {
        return json({
          items: [
            task(cancelled ? { status: 'cancelled', stage: 'done' } : { queue_position: 3, eta_seconds: 40 }),
            task({
              task_id: 'j0',
              status: 'failed',
              stage: 'done',
              code: 'queue_overloaded',
              error: 'Generation queue is overloaded',
              created_at: '2025-12-31T00:00:00.000Z',
            }),
          ],
          next_cursor: null,
        });
      }
      return undefined;
    });
    const user = userEvent.setup();
    renderStudio('ru');
    await waitFor(() => expect(screen.getByTestId('queue-position').textContent).toMatch(/3/), { timeout: 5000 });
    expect(screen.getByTestId('eta').textContent).toMatch(/с/);
    expect(screen.getAllByTestId('task-error')[0]?.textContent).toMatch(/очередь перегружена/);
    await user.click(screen.getByTestId('cancel'));
    await waitFor(() => expect(screen.getAllByTestId('job-card')[0]?.getAttribute('data-status')).toBe('cancelled'));
  });
});
