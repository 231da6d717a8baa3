import { act, fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorBody, type AcceptedResponse } from '@mediagen/contract';
import { errorResponse, json, mockFetch } from '../../test/mockFetch.ts';
import { renderStudio } from '../../test/renderStudio.tsx';

const accepted: AcceptedResponse = {
  status: 'queued',
  job_id: 't1',
  task_id: 't1',
  queue_position: 2,
  estimated_seconds: 12,
  status_url: '/api/status/t1',
  events_url: '/api/events/t1',
  seed: 42,
};
const queued = {
  task_id: 't1',
  job_id: 't1',
  status: 'queued',
  progress: 0,
  stage: 'queued',
  queue_position: 2,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

afterEach(() => {
  vi.useRealTimers();
});

describe('422 from the server', () => {
  it('maps details[].path to the fields and lists the rest in the banner', async () => {
    const calls = mockFetch((req) => {
      if (req.path === '/api/generate') {
        return errorResponse('validation_error', 'Invalid generation request', [
          { path: 'width', message: 'must be one of 512, 768' }, // an operator narrowed the sizes
          { path: 'negative_prompt', message: 'must not be empty' },
          { path: 'vae', message: 'is not a parameter of pony' }, // no control on screen
        ]);
      }
      return undefined;
    });
    const user = userEvent.setup();
    renderStudio('en');
    await user.click(screen.getByTestId('type-image'));
    await user.selectOptions(screen.getByTestId('field-width'), '1024');
    await user.type(screen.getByTestId('prompt'), 'a lighthouse');
    await user.click(screen.getByTestId('generate-button'));

    expect((await screen.findByTestId('error-width')).textContent).toBe('Must be one of 512, 768.');
    expect(screen.getByTestId('error-negative_prompt').textContent).toBe('Required.');
    const banner = screen.getByTestId('validation-banner');
    expect(banner.textContent).toMatch(/vae/);
    expect(calls.filter((c) => c.path === '/api/generate')).toHaveLength(1);
    // editing the field clears its message
    await user.selectOptions(screen.getByTestId('field-width'), '512');
    expect(screen.queryByTestId('error-width')).toBeNull();
  });

  it("shows a prompt policy refusal at the prompt, in the UI's language", async () => {
    const calls = mockFetch((req) =>
      req.path === '/api/generate'
        ? json(
            errorBody(
              'prompt_policy_violation',
              'This prompt is refused',
              [{ path: 'prompt', message: 'violates the content policy' }],
              req.headers.get('accept-language') === 'ru'
                ? 'Запрос сочетает несовершеннолетнего и сексуальное содержание'
                : 'en',
            ),
            422,
          )
        : undefined,
    );
    const user = userEvent.setup();
    renderStudio('ru');
    await user.type(screen.getByTestId('prompt'), 'something');
    await user.click(screen.getByTestId('generate-button'));
    expect((await screen.findByTestId('error-prompt')).textContent).toBe(
      'Запрос сочетает несовершеннолетнего и сексуальное содержание',
    );
    expect(calls.find((c) => c.path === '/api/generate')?.headers.get('accept-language')).toBe('ru');
  });
});

describe('503 queue_overloaded', () => {
  it('shows a countdown from Retry-After, then retries by itself with a fresh idempotency key', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false });
    let attempts = 0;
    const calls = mockFetch((req) => {
      if (req.path === '/api/generate') {
        attempts += 1;
        return attempts === 1
          ? errorResponse('queue_overloaded', 'Generation queue is overloaded', undefined, { 'Retry-After': '5' })
          : json(accepted, 202);
      }
      if (req.path === '/api/status/t1') return json(queued);
      return undefined;
    });
    renderStudio('en');
    fireEvent.change(screen.getByTestId('prompt'), { target: { value: 'a storm at sea' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('generate-button'));
      await vi.advanceTimersByTimeAsync(0); // let the mocked fetch answer (findBy* would poll on faked timers)
    });
    const countdown = screen.getByTestId('retry-countdown');
    expect(countdown.textContent).toMatch(/queue is full/i);
    expect(countdown.textContent).toMatch(/in 5 s/);
    expect(screen.getByTestId('user-action').textContent).toBe('Retry later.');
    expect(screen.getByTestId<HTMLButtonElement>('generate-button').disabled).toBe(true);

    await act(async () => {
      await vi.advanceTimersByTimeAsync(2000);
    });
    expect(screen.getByTestId('retry-countdown').textContent).toMatch(/in 3 s/);

    await act(async () => {
      await vi.advanceTimersByTimeAsync(3500);
    });
    expect(screen.queryByTestId('retry-countdown')).toBeNull();
    expect(attempts).toBe(2);
    const posts = calls.filter((c) => c.path === '/api/generate');
    expect(posts[0]?.headers.get('idempotency-key')).toBeTruthy();
    expect(posts[1]?.headers.get('idempotency-key')).not.toBe(posts[0]?.headers.get('idempotency-key'));
    expect(screen.getByTestId('job-card')).toBeTruthy();
  });

  it('falls back to 10 s without Retry-After, for 429 too', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false });
    mockFetch((req) => (req.path === '/api/generate' ? errorResponse('rate_limited', 'Too many requests') : undefined));
    renderStudio('en');
    fireEvent.change(screen.getByTestId('prompt'), { target: { value: 'x' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('generate-button'));
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(screen.getByTestId('retry-countdown').textContent).toMatch(/in 10 s/);
    await act(async () => {
      fireEvent.click(screen.getByTestId('retry-stop'));
    });
    expect(screen.queryByTestId('retry-countdown')).toBeNull();
    expect(screen.getByTestId<HTMLButtonElement>('generate-button').disabled).toBe(false);
  });
});

describe('submission', () => {
  it('sends the validated payload once, with fixed values, even on a double click', async () => {
    const calls = mockFetch((req) => {
      if (req.path === '/api/generate') return json(accepted, 202);
      if (req.path === '/api/status/t1') return json(queued);
      return undefined;
    });
    const user = userEvent.setup();
    renderStudio('en');
    await user.type(screen.getByTestId('prompt'), 'sakura');
    await user.dblClick(screen.getByTestId('generate-button'));
    await screen.findByTestId('job-card');
    const posts = calls.filter((c) => c.path === '/api/generate');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({
      type: 'video',
      model: 'anisora',
      mode: 't2v',
      steps: 8,
      num_frames: 81,
      seed: -1,
    });
    expect(posts[0]?.body).not.toHaveProperty('reference_frame_index');
  });

  it('submits with Ctrl+Enter', async () => {
    const calls = mockFetch((req) =>
      req.path === '/api/generate' ? json(accepted, 202) : req.path === '/api/status/t1' ? json(queued) : undefined,
    );
    const user = userEvent.setup();
    renderStudio('en');
    await user.type(screen.getByTestId('prompt'), 'sakura');
    await user.keyboard('{Control>}{Enter}{/Control}');
    await screen.findByTestId('job-card');
    expect(calls.filter((c) => c.path === '/api/generate')).toHaveLength(1);
  });
});
