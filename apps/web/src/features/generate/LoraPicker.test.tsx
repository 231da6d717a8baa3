import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { LoraList } from '@mediagen/contract';
import { errorResponse, json, mockFetch } from '../../test/mockFetch.ts';
import { renderStudio } from '../../test/renderStudio.tsx';

const PONY_LORAS: LoraList = {
  model: 'pony',
  family: 'sdxl',
  supported: true,
  reason: null,
  items: [
    {
      name: 'ink',
      title: 'Ink wash',
      family: 'sdxl',
      description: '',
      trigger_words: ['ink wash', 'sumi-e'],
      default_strength: 0.8,
      preview_url: null,
      available: true,
      available_on: ['gpu-1'],
    },
    {
      name: 'detail',
      title: 'Fine detail',
      family: 'sdxl',
      description: '',
      trigger_words: [],
      default_strength: 1,
      preview_url: null,
      available: false,
      available_on: [],
    },
  ],
};

function serve(onGenerate?: (body: unknown) => Response) {
  return mockFetch((req) => {
    if (req.path === '/api/loras') return json({ ...PONY_LORAS, model: req.url.searchParams.get('model') });
    if (req.path === '/api/generate' && onGenerate) return onGenerate(req.body);
    return undefined;
  });
}

describe('LoRA picker', () => {
  it('search, pick with the default strength, slide the strength, add trigger words; the payload carries them', async () => {
    const sent: unknown[] = [];
    serve((body) => {
      sent.push(body);
      return errorResponse('queue_overloaded', 'busy');
    });
    const user = userEvent.setup();
    renderStudio('en');
    await user.click(screen.getByTestId('type-image'));
    const picker = await screen.findByTestId('lora-picker');
    expect(within(picker).getByText('no GPU holds it')).toBeTruthy();
    await user.type(screen.getByTestId('lora-search'), 'sumi');
    expect(screen.queryByTestId('lora-toggle-detail')).toBeNull();
    await user.click(screen.getByTestId('lora-toggle-ink'));
    const slider = screen.getByTestId<HTMLInputElement>('lora-strength-ink');
    expect(slider.value).toBe('0.8');
    fireEvent.change(slider, { target: { value: '0.85' } });
    expect(slider.value).toBe('0.85');
    await user.type(screen.getByTestId('prompt'), 'a mountain lake');
    await user.click(screen.getByTestId('lora-word-ink wash'));
    expect(screen.getByTestId<HTMLTextAreaElement>('prompt').value).toBe('a mountain lake, ink wash');
    await user.click(screen.getByTestId('generate-button'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ prompt: 'a mountain lake, ink wash', loras: [{ name: 'ink', strength: 0.85 }] });
  });

  it('a 422 naming a LoRA shows at the picker', async () => {
    serve(() =>
      errorResponse('validation_error', 'Some LoRAs cannot be used here', [
        { path: 'loras.0.name', message: '"ink" is a flux LoRA; pony takes sdxl LoRAs' },
      ]),
    );
    const user = userEvent.setup();
    renderStudio('en');
    await user.click(screen.getByTestId('type-image'));
    await user.click(await screen.findByTestId('lora-toggle-ink'));
    await user.type(screen.getByTestId('prompt'), 'a mountain lake');
    await user.click(screen.getByTestId('generate-button'));
    expect(within(screen.getByTestId('lora-picker')).getByRole('alert').textContent).toMatch(/flux LoRA/);
  });

  it('is translated', async () => {
    serve();
    const user = userEvent.setup();
    renderStudio('ru');
    await user.click(screen.getByTestId('type-image'));
    expect(within(await screen.findByTestId('lora-picker')).getByText('нет ни на одном GPU')).toBeTruthy();
  });
});
