import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '../../i18n/I18nProvider.tsx';
import { json, mockFetch } from '../../test/mockFetch.ts';
import { MyData } from './MyData.tsx';

describe('my data', () => {
  it('offers the export zip, and erases only after the word is typed', async () => {
    const calls = mockFetch((req) =>
      req.path === '/api/account/erase' ? json({ tasks: 3, files: 7, bytes: 1000 }) : undefined,
    );
    const user = userEvent.setup();
    render(
      <I18nProvider initialLang="en">
        <MyData />
      </I18nProvider>,
    );
    expect(screen.getByTestId('my-data-export').getAttribute('href')).toBe('/api/account/export');
    const erase = screen.getByTestId<HTMLButtonElement>('my-data-erase');
    expect(erase.disabled).toBe(true);
    await user.type(screen.getByTestId('my-data-confirm'), 'delete');
    expect(erase.disabled).toBe(false);
    await user.click(erase);
    await waitFor(() => expect(screen.getByText('Deleted 3 jobs and 7 files.')).toBeTruthy());
    expect(calls.find((c) => c.path === '/api/account/erase')?.body).toEqual({ confirm: 'delete my data' });
  });
});
