import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { GalleryItem } from '@mediagen/contract';
import { I18nProvider } from '../../i18n/I18nProvider.tsx';
import { json, mockFetch } from '../../test/mockFetch.ts';
import { GalleryPage } from './GalleryPage.tsx';

function item(id: string, type: 'image' | 'video' = 'image'): GalleryItem {
  return {
    task_id: id,
    status: 'completed',
    type,
    model: type === 'image' ? 'pony' : 'anisora',
    mode: type === 'image' ? 'txt2img' : 't2v',
    prompt: `prompt ${id}`,
    created_at: 'x',
    thumbnail_url: `/api/preview/${id}`,
    url: `/api/results/${id}`,
    urls: [`/api/results/${id}`],
    output_format: type === 'image' ? 'png' : 'mp4',
    width: 512,
    height: 512,
    seed: 1,
    parameters: {},
    asset_ids: [`asset-${id}`],
  };
}

describe('gallery', () => {
  it('pages with the cursor, filters by type, moves selected items to the trash, stars, and offers an output as reference', async () => {
    const deleted: string[] = [];
    const calls = mockFetch((req) => {
      if (req.path === '/api/gallery') {
        const cursor = req.url.searchParams.get('cursor');
        if (req.url.searchParams.get('type') === 'video')
          return json({ items: [item('v1', 'video')], next_cursor: null });
        return json(
          cursor ? { items: [item('i3')], next_cursor: null } : { items: [item('i1'), item('i2')], next_cursor: 'c2' },
        );
      }
      if (req.method === 'POST' && req.path === '/api/gallery/delete') {
        const ids = (req.body as { ids: string[] }).ids;
        deleted.push(...ids);
        return json({ ids });
      }
      if (req.method === 'PUT' && req.path.endsWith('/star')) {
        return new Response(null, { status: 204 });
      }
      return undefined;
    });
    const onUseAsReference = vi.fn();
    const user = userEvent.setup();
    render(
      <I18nProvider initialLang="en">
        <GalleryPage onReuse={vi.fn()} onUseAsReference={onUseAsReference} onContinue={vi.fn()} />
      </I18nProvider>,
    );

    await waitFor(() => expect(screen.getAllByTestId('gallery-item')).toHaveLength(2));
    await user.click(screen.getByTestId('gallery-load-more'));
    await waitFor(() => expect(screen.getAllByTestId('gallery-item')).toHaveLength(3));
    expect(calls.some((c) => c.url.searchParams.get('cursor') === 'c2')).toBe(true);
    expect(screen.queryByTestId('gallery-load-more')).toBeNull();

    const first = screen.getAllByTestId('gallery-item')[0];
    if (!first) throw new Error('no item');
    await user.click(within(first).getByTestId('gallery-star'));
    await waitFor(() => expect(within(first).getByTestId('gallery-star').getAttribute('aria-pressed')).toBe('true'));
    await user.click(within(first).getByTestId('gallery-select'));
    expect(screen.getByTestId('gallery-zip').getAttribute('href')).toBe('/api/gallery/zip?ids=i1');
    await user.click(screen.getByTestId('gallery-delete-selected'));
    await waitFor(() => expect(screen.getAllByTestId('gallery-item')).toHaveLength(2));
    expect(deleted).toEqual(['i1']);
    expect(screen.getByTestId('gallery-note').textContent).toMatch(/trash/);

    await user.click(
      within(screen.getAllByTestId('gallery-item')[0] ?? document.body).getByRole('button', { name: /open/i }),
    );
    await user.click(screen.getByTestId('gallery-use-as-reference'));
    expect(onUseAsReference).toHaveBeenCalledWith('asset:asset-i2', '/api/results/i2');

    await user.selectOptions(screen.getByTestId('gallery-filter-type'), 'video');
    await waitFor(() =>
      expect(screen.getAllByTestId('gallery-item').map((e) => e.getAttribute('data-task-id'))).toEqual(['v1']),
    );
  });
});
