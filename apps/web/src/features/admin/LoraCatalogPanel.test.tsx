import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { LoraAdminView, LoraCatalog } from '@mediagen/contract';
import { I18nProvider } from '../../i18n/I18nProvider.tsx';
import { json, mockFetch } from '../../test/mockFetch.ts';
import { LoraCatalogPanel } from './LoraCatalogPanel.tsx';

const entry: LoraAdminView = {
  name: 'ink',
  title: 'Ink wash',
  family: 'sdxl',
  description: '',
  trigger_words: ['ink wash'],
  default_strength: 1,
  preview_url: null,
  file: 'ink.safetensors',
  role_files: {},
  access: 'everyone',
  users: [],
  sha256: null,
  source_url: 'https://example.com/ink.safetensors',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  backends: [
    { account_id: 'a', name: 'gpu-a', status: 'ready', holds: true, missing_files: [] },
    { account_id: 'b', name: 'gpu-b', status: 'ready', holds: false, missing_files: ['ink.safetensors'] },
  ],
};

describe('admin LoRA catalog', () => {
  it('shows where each LoRA is, its placement script, edits access, and adds entries', async () => {
    const catalog: LoraCatalog = { items: [entry], unlisted: [{ file: 'stray.safetensors', accounts: ['gpu-a'] }] };
    const calls = mockFetch((req) => {
      if (req.path === '/api/admin/loras' && req.method === 'GET') return json(catalog);
      if (req.path === '/api/admin/loras' && req.method === 'POST') return json({ ...entry, name: 'new' }, 201);
      if (req.path === '/api/admin/loras/ink' && req.method === 'PATCH') return json(entry);
      if (req.path === '/api/admin/loras/ink/setup-script')
        return new Response("#!/usr/bin/env bash\ntarget='models/loras/ink.safetensors'\n", {
          headers: { 'content-type': 'text/x-shellscript' },
        });
      return undefined;
    });
    const user = userEvent.setup();
    render(
      <I18nProvider initialLang="en">
        <LoraCatalogPanel />
      </I18nProvider>,
    );
    expect((await screen.findByTestId('lora-backend-ink-gpu-a')).textContent).toMatch(/holds it/);
    expect(screen.getByTestId('lora-backend-ink-gpu-b').textContent).toMatch(/missing ink\.safetensors/);
    expect(screen.getByText('stray.safetensors')).toBeTruthy();
    await user.click(screen.getByTestId('lora-script-ink'));
    expect((await screen.findByTestId('lora-script-text')).textContent).toContain('models/loras/ink.safetensors');

    await user.selectOptions(screen.getByLabelText('Who may use it', { selector: '#l-ink-access' }), 'users');
    await user.type(screen.getByLabelText('User ids (comma-separated)'), 'u1, u2');
    await user.click(screen.getByTestId('lora-save-ink'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ access: 'users', users: ['u1', 'u2'] });

    await user.type(screen.getByTestId('lora-name-input'), 'new');
    await user.type(screen.getByTestId('lora-file-input'), 'new.safetensors');
    await user.click(screen.getByTestId('lora-create'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'new',
      file: 'new.safetensors',
      family: 'sdxl',
      access: 'everyone',
    });
  });
});
