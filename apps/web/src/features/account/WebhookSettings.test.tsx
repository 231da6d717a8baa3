import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { WebhookSettings, WebhookSettingsUpdate } from '@mediagen/contract';
import { I18nProvider } from '../../i18n/I18nProvider.tsx';
import { errorResponse, json, mockFetch } from '../../test/mockFetch.ts';
import { WebhookSettingsForm } from './WebhookSettings.tsx';

function serve(initial: WebhookSettings) {
  let current = initial;
  const calls = mockFetch((req) => {
    if (req.path === '/api/account/webhook' && req.method === 'GET') return json(current);
    if (req.path === '/api/account/webhook' && req.method === 'PUT') {
      const body = req.body as WebhookSettingsUpdate;
      if (body.url?.includes('169.254')) {
        return errorResponse('validation_error', 'The webhook target is refused', [
          { path: 'url', message: 'resolves to 169.254.169.254, a metadata address' },
        ]);
      }
      current = { ...current, url: body.url, events: body.events ?? ['completed', 'failed', 'cancelled'] };
      return json(current);
    }
    if (req.path === '/api/account/webhook-secret' && req.method === 'POST') {
      return json(
        { secret: 'whsec_c2VjcmV0', created_at: '2026-02-01T10:00:00.000Z', previous_secret_valid_until: null },
        201,
      );
    }
    return undefined;
  });
  return calls;
}

describe('webhook settings', () => {
  it('creates the signing secret (shown once) and saves the default target and events', async () => {
    const user = userEvent.setup();
    const calls = serve({ url: null, events: ['completed', 'failed', 'cancelled'], secret_created_at: null });
    render(
      <I18nProvider initialLang="en">
        <WebhookSettingsForm />
      </I18nProvider>,
    );
    expect((await screen.findByTestId('webhook-secret-state')).textContent).toMatch(/No secret yet/);
    await user.click(screen.getByTestId('webhook-rotate'));
    expect((await screen.findByTestId('webhook-secret')).textContent).toBe('whsec_c2VjcmV0');
    expect(screen.getByTestId('webhook-rotate').textContent).toBe('Rotate secret');

    await user.type(screen.getByTestId('webhook-url'), 'https://hooks.example.com/in');
    await user.click(screen.getByTestId('webhook-event-cancelled'));
    await user.click(screen.getByTestId('webhook-event-running'));
    await user.click(screen.getByTestId('webhook-save'));
    await screen.findByTestId('webhook-saved');
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.body).toEqual({ url: 'https://hooks.example.com/in', events: ['completed', 'failed', 'running'] });
    await user.click(screen.getByTestId('webhook-clear'));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT').at(-1)?.body).toMatchObject({ url: null }));
  });

  it('shows a refused target next to the field', async () => {
    const user = userEvent.setup();
    serve({ url: null, events: ['completed'], secret_created_at: '2026-01-01T00:00:00.000Z' });
    render(
      <I18nProvider initialLang="ru">
        <WebhookSettingsForm />
      </I18nProvider>,
    );
    expect((await screen.findByTestId('webhook-secret-state')).textContent).toMatch(/Создан/);
    await user.type(screen.getByTestId('webhook-url'), 'http://169.254.169.254/');
    await user.click(screen.getByTestId('webhook-save'));
    expect((await screen.findByTestId('error-wh-url')).textContent).toMatch(/metadata address/);
    expect(screen.getByTestId('webhook-url').getAttribute('aria-invalid')).toBe('true');
  });
});
