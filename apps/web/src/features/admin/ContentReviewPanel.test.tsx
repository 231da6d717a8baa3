import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { QuarantineItem } from '@mediagen/contract';
import { I18nProvider } from '../../i18n/I18nProvider.tsx';
import { json, mockFetch } from '../../test/mockFetch.ts';
import { ContentReviewPanel } from './ContentReviewPanel.tsx';

const item = (id: string, rule: QuarantineItem['rule']): QuarantineItem => ({
  id,
  task_id: `t-${id}`,
  user_id: 'u1',
  user_name: 'Bob',
  model: 'pony',
  type: 'image',
  rule,
  scores: { porn: 0.91, hentai: 0.03, sexy: 0.04 },
  files: 1,
  created_at: '2026-01-01T00:00:00Z',
  releasable: rule !== 'minor+explicit',
  thumbnail_url: `/api/admin/quarantine/${id}/thumbnail`,
});

describe('content review queue', () => {
  it('shows blurred previews with rule and scores; release only for a safe-for-work rule', async () => {
    const calls = mockFetch((req) => {
      if (req.path === '/api/admin/quarantine' && req.method === 'GET')
        return json({ mode: 'all', items: [item('a', 'minor+explicit'), item('b', 'sfw-instance')] });
      return new Response(null, { status: 204 });
    });
    const user = userEvent.setup();
    render(
      <I18nProvider initialLang="en">
        <ContentReviewPanel />
      </I18nProvider>,
    );
    await waitFor(() => expect(screen.getAllByTestId('review-item')).toHaveLength(2));
    const [minor, sfw] = screen.getAllByTestId('review-item');
    expect(within(minor ?? document.body).queryByTestId('review-release')).toBeNull();
    expect(within(minor ?? document.body).getByTestId('review-scores').textContent).toMatch(/porn 0\.91/);
    expect(
      within(minor ?? document.body)
        .getByRole('img')
        .getAttribute('src'),
    ).toBe('/api/admin/quarantine/a/thumbnail');
    await user.click(within(sfw ?? document.body).getByTestId('review-release'));
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'POST' && c.path === '/api/admin/quarantine/b/release')).toBe(true),
    );
    await user.click(within(minor ?? document.body).getByTestId('review-delete'));
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/admin/quarantine/a')).toBe(true),
    );
  });
});
