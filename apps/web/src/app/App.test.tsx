import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionInfo } from '@mediagen/contract';
import { errorResponse, healthBody, json, mockFetch } from '../test/mockFetch.ts';
import { App } from './App.tsx';

const session: SessionInfo = {
  valid: true,
  expires_at: '2026-01-02T00:00:00Z',
  user: { id: 'u1', name: 'Alice', credits: 120 },
  auth_mode: 'key',
};

afterEach(() => {
  window.history.pushState(null, '', '/');
});

describe('session', () => {
  it('401 shows the access-key screen; the key is exchanged for the cookie and not stored', async () => {
    let signedIn = false;
    const calls = mockFetch((req) => {
      if (req.path === '/api/auth/session' && req.method === 'GET')
        return signedIn ? json(session) : errorResponse('unauthorized', 'No session');
      if (req.path === '/api/auth/session' && req.method === 'POST') {
        signedIn = (req.body as { access_key?: string }).access_key === 'k-123';
        return signedIn ? json(session) : errorResponse('unauthorized', 'Bad key');
      }
      if (req.path === '/api/health') return json(healthBody({ simulated: true }));
      return undefined;
    });
    const user = userEvent.setup();
    render(<App />);
    await user.type(await screen.findByTestId('access-key'), 'wrong');
    await user.click(screen.getByTestId('access-key-submit'));
    expect((await screen.findByTestId('error-access-key')).textContent).toMatch(/not valid/);
    expect(screen.getByTestId<HTMLInputElement>('access-key').value).toBe('');

    await user.type(screen.getByTestId('access-key'), 'k-123');
    await user.click(screen.getByTestId('access-key-submit'));
    expect((await screen.findByTestId('user-name')).textContent).toBe('Alice');
    expect(screen.getByTestId('user-credits').textContent).toMatch(/120/);
    expect(await screen.findByTestId('simulator-banner')).toBeTruthy();
    expect(screen.getByTestId('logout')).toBeTruthy();
    expect(JSON.stringify({ ...localStorage })).not.toMatch(/k-123/);
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/auth/session')).toBe(true);
  });

  it('open mode is signed in at once, without a sign-out button; the gallery tab lists items', async () => {
    mockFetch((req) => {
      if (req.path === '/api/auth/session')
        return json({ ...session, auth_mode: 'open', user: { id: 'local', name: 'local', credits: null } });
      if (req.path === '/api/health') return json(healthBody());
      if (req.path === '/api/gallery') {
        return json({
          items: [
            {
              task_id: 'g1',
              status: 'completed',
              type: 'image',
              model: 'flux',
              mode: 'txt2img',
              prompt: 'a fox',
              created_at: 'x',
              thumbnail_url: '/api/preview/g1',
              url: '/api/results/g1',
              urls: ['/api/results/g1'],
              output_format: 'png',
              width: 512,
              height: 512,
              seed: 9,
              parameters: { model: 'flux', mode: 'txt2img', prompt: 'a fox', steps: 31, seed: 9 },
              asset_ids: ['a1'],
            },
          ],
          next_cursor: null,
        });
      }
      return undefined;
    });
    const user = userEvent.setup();
    render(<App />);
    expect(await screen.findByTestId('generate-form')).toBeTruthy();
    expect(screen.queryByTestId('logout')).toBeNull();
    expect(screen.queryByTestId('user-credits')).toBeNull();

    await user.click(screen.getByTestId('nav-gallery'));
    expect(window.location.pathname).toBe('/gallery');
    await user.click(within(await screen.findByTestId('gallery-item')).getByRole('button', { name: /open/i }));
    expect(screen.getByTestId('gallery-viewer')).toBeTruthy();
    await user.click(screen.getByTestId('gallery-reuse'));
    await waitFor(() => expect(window.location.pathname).toBe('/'));
    expect(screen.getByTestId<HTMLTextAreaElement>('prompt').value).toBe('a fox');
    expect(screen.getByTestId<HTMLSelectElement>('model-picker').value).toBe('flux');
    expect(screen.getByTestId<HTMLInputElement>('field-steps').value).toBe('31');
    expect(screen.getByTestId<HTMLInputElement>('field-seed').value).toBe('9');
  });
});
