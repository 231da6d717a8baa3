import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AcceptedResponse, GalleryPage, GenerationResult } from '@mediagen/contract';
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
const gallery: GalleryPage = {
  items: [
    {
      task_id: 'j1',
      status: 'completed',
      type: 'image',
      model: 'pony',
      mode: 'txt2img',
      prompt: 'cat',
      created_at: 'x',
      urls: ['/api/results/j1'],
      output_format: 'png',
      width: 512,
      height: 512,
      seed: 77,
      parameters: {},
      asset_ids: ['out-1'],
    },
  ],
  next_cursor: null,
};

describe('job view', () => {
  it('follows progress to the result; "use as reference" puts asset:<id> into img2img', async () => {
    let polls = 0;
    mockFetch((req) => {
      if (req.path === '/api/generate') return json(accepted, 202);
      if (req.path === '/api/status/j1') {
        polls += 1;
        const common = { task_id: 'j1', job_id: 'j1', created_at: 'x', updated_at: 'x' };
        if (polls === 1)
          return json({
            ...common,
            status: 'running',
            progress: 55,
            stage: 'sampling',
            eta_seconds: 4,
            preview_url: '/api/preview/j1',
          });
        return json({ ...common, status: 'completed', progress: 100, stage: 'done', result });
      }
      if (req.path === '/api/gallery') return json(gallery);
      return undefined;
    });
    const user = userEvent.setup();
    renderStudio('en');
    await user.click(screen.getByTestId('type-image'));
    await user.type(screen.getByTestId('prompt'), 'cat');
    await user.click(screen.getByTestId('generate-button'));

    const progress = await screen.findByTestId('progress');
    await waitFor(() => expect(progress.getAttribute('aria-valuenow')).toBe('55'));
    expect(screen.getByTestId('stage').textContent).toBe('Sampling');
    expect(screen.getByTestId('preview').getAttribute('src')).toBe('/api/preview/j1?seq=1');

    const shown = await screen.findByTestId('result');
    expect(shown.querySelector('img')?.getAttribute('src')).toBe('/api/results/j1');
    expect(screen.getByTestId('download').getAttribute('href')).toBe('/api/results/j1');
    expect(screen.getByTestId('ignored-params').textContent).toMatch(/vae/);
    expect(screen.queryByTestId('cancel')).toBeNull();

    await user.click(screen.getByTestId('use-as-reference'));
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>('mode-picker').value).toBe('img2img'));
    expect(screen.getByTestId('image-preview-reference_image').getAttribute('src')).toBe('/api/results/j1');
    expect(screen.getByTestId<HTMLButtonElement>('seed-reuse').disabled).toBe(false);
  });

  it('cancels a queued job', async () => {
    let cancelled = false;
    mockFetch((req) => {
      if (req.path === '/api/generate') return json(accepted, 202);
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
      if (req.path === '/api/status/j1') {
        return json({
          task_id: 'j1',
          job_id: 'j1',
          status: cancelled ? 'cancelled' : 'queued',
          progress: 0,
          stage: 'queued',
          queue_position: 3,
          created_at: 'x',
          updated_at: 'x',
        });
      }
      return undefined;
    });
    const user = userEvent.setup();
    renderStudio('en');
    await user.type(screen.getByTestId('prompt'), 'cat');
    await user.click(screen.getByTestId('generate-button'));
    await waitFor(() => expect(screen.getByTestId('queue-position').textContent).toMatch(/position 3/)); // from /status
    await user.click(screen.getByTestId('cancel'));
    await waitFor(() => expect(screen.getByTestId('job-card').getAttribute('data-status')).toBe('cancelled'));
  });
});
