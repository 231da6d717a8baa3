import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AccountView, QueueSnapshot, UsageStats } from '@mediagen/contract';
import { I18nProvider } from '../../i18n/I18nProvider.tsx';
import { errorResponse, json, mockFetch } from '../../test/mockFetch.ts';
import AdminPage from './AdminPage.tsx';

const account = (id: string, status: AccountView['status'], reason: string | null = null): AccountView => ({
  id,
  name: `gpu-${id}`,
  base_url: `http://127.0.0.1:81${id}`,
  lane: 'video',
  models: ['anisora', 'phr00t'],
  status,
  status_reason: reason,
  has_auth_token: false,
  vram_total: 24 * 1024 ** 3,
  vram_free: 20 * 1024 ** 3,
  last_checked_at: null,
  loaded_model: null,
  running_task_id: null,
  created_at: '2026-01-01T00:00:00Z',
  ready_models: status === 'ready' ? ['anisora', 'phr00t'] : [],
  readiness: [],
  warnings: [],
});

describe('admin console', () => {
  it('logs in with the key header, shows accounts, queue, users and stats, and asks for transitions', async () => {
    let loggedIn = false;
    const accounts = [account('1', 'ready'), account('2', 'failed', 'missing node WanMultiFrameRefToVideo')];
    const calls = mockFetch((req) => {
      if (req.path === '/api/admin/session') {
        if (req.method === 'POST') loggedIn = req.headers.get('x-admin-key') === 'adm';
        return loggedIn ? json({ valid: true, expires_at: 'x' }) : errorResponse('unauthorized', 'No admin session');
      }
      if (req.path === '/api/admin/accounts') return json({ items: accounts });
      if (req.path === '/api/admin/accounts/1' && req.method === 'PATCH')
        return json({ ...accounts[0], status: 'disabled' });
      if (req.path === '/api/admin/queue') {
        const queue: QueueSnapshot = {
          lanes: [
            { lane: 'video', accounts: 1, accounts_ready: 0, depth: 3, running: 1 },
            { lane: 'image', accounts: 1, accounts_ready: 1, depth: 0, running: 0 },
          ],
          degraded: true,
          waiting_video: 3,
          degraded_max_waiting: 25,
          queued: 3,
          running: [
            {
              task_id: 'abcdef123',
              model: 'anisora',
              lane: 'shared',
              account_id: '1',
              account_name: 'GPU 1',
              progress: 40,
            },
          ],
        };
        return json(queue);
      }
      if (req.path === '/api/admin/users' && req.method === 'GET')
        return json({
          items: [
            {
              id: 'u1',
              name: 'Bob',
              credits: 10,
              created_at: '2026-01-01T00:00:00Z',
              sfw: false,
              retention_days: null,
            },
          ],
        });
      if (req.path === '/api/admin/users' && req.method === 'POST')
        return json({ id: 'u2', name: 'Eve', access_key: 'mgk_secret', credits: null }, 201);
      if (req.path === '/api/admin/stats') {
        const stats: UsageStats = {
          days: 14,
          per_model_per_day: [
            { day: '2026-01-01', model: 'pony', completed: 5, failed: 1, cancelled: 0 },
            { day: '2026-01-02', model: 'anisora', completed: 2, failed: 0, cancelled: 0 },
          ],
          success_rate: 0.875,
          mean_queue_seconds: 4,
          mean_gpu_seconds: 21,
          totals: { completed: 7, failed: 1, cancelled: 0 },
        };
        return json(stats);
      }
      return undefined;
    });
    const user = userEvent.setup();
    render(
      <I18nProvider initialLang="en">
        <AdminPage onNavigate={() => undefined} />
      </I18nProvider>,
    );

    await user.type(await screen.findByTestId('admin-key'), 'adm');
    await user.click(screen.getByTestId('admin-login'));
    await waitFor(() => expect(screen.getAllByTestId('account-row')).toHaveLength(2));
    const rows = screen.getAllByTestId('account-row');
    expect(within(rows[0] ?? document.body).getByTestId('account-status').textContent).toBe('Ready');
    expect(within(rows[1] ?? document.body).getByTestId('account-status').textContent).toBe('Failed');
    expect(within(rows[1] ?? document.body).getByTestId('account-reason').textContent).toMatch(
      /WanMultiFrameRefToVideo/,
    );

    expect((await screen.findByTestId('degraded-flag')).textContent).toBe('Degraded mode');
    expect(screen.getAllByTestId('queue-lane')).toHaveLength(2);
    expect(screen.getByTestId('waiting-video').textContent).toBe('Video jobs waiting on shared GPUs: 3 of at most 25');
    expect(screen.getByTestId('running-job').textContent).toMatch(/Index-AniSora V3\.2 · GPU 1 · 40%/);
    expect(await screen.findByTestId('stats-chart')).toBeTruthy();
    expect(screen.getByTestId('stat-success').textContent).toBe('87.5%');

    await user.click(within(rows[0] ?? document.body).getByTestId('account-disable'));
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'PATCH' && c.path === '/api/admin/accounts/1')).toBe(true),
    );
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ status: 'disabled' });

    await user.type(screen.getByTestId('user-name-input'), 'Eve');
    await user.click(screen.getByTestId('user-create'));
    expect((await screen.findByTestId('user-key')).textContent).toBe('mgk_secret');
    expect(screen.getByTestId('user-row')).toBeTruthy();
  });

  it('validates a new account before sending it', async () => {
    mockFetch((req) => {
      if (req.path === '/api/admin/session') return json({ valid: true, expires_at: 'x' });
      if (req.path === '/api/admin/accounts') return json([]);
      return json({});
    });
    const user = userEvent.setup();
    render(
      <I18nProvider initialLang="en">
        <AdminPage onNavigate={() => undefined} />
      </I18nProvider>,
    );
    await user.type(await screen.findByTestId('account-name'), 'gpu-a');
    await user.type(screen.getByTestId('account-url'), 'not a url');
    await user.click(screen.getByTestId('account-add'));
    expect(screen.getByText('Enter an http(s) URL.')).toBeTruthy();
    expect(screen.getByText('Pick at least one model.')).toBeTruthy();
  });
});
