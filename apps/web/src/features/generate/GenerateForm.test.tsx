import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch } from '../../test/mockFetch.ts';
import { renderStudio } from '../../test/renderStudio.tsx';

const input = (testId: string): HTMLInputElement => screen.getByTestId(testId);
const select = (testId: string): HTMLSelectElement => screen.getByTestId(testId);

describe('studio form: registry-driven fields', () => {
  it('Wan models note their 16 fps; Pony shows the score-tag prefix setting, on by default (en and ru)', async () => {
    const user = userEvent.setup();
    renderStudio('en');
    expect(document.getElementById('f-fps-hint')?.textContent).toMatch(
      /generates 16 frames per second; 8 or 24 only change the playback speed/,
    );
    expect(select('field-native_size').value).toBe('');
    await user.selectOptions(select('field-native_size'), '832x480');
    expect([select('field-width').value, select('field-height').value]).toEqual(['832', '480']);
    expect(screen.queryByTestId('field-score_prefix')).toBeNull();
    await user.click(screen.getByTestId('type-image'));
    const box = within(screen.getByTestId('field-score_prefix')).getByRole<HTMLInputElement>('checkbox');
    expect(box.checked).toBe(true);
    expect(screen.getByTestId('field-score_prefix').textContent).toMatch(/score_9, score_8_up, score_7_up/);
    await user.click(box);
    expect(box.checked).toBe(false);
    expect(screen.queryByTestId('field-native_size')).toBeNull();
  });

  it('the notes are translated', () => {
    renderStudio('ru');
    expect(document.getElementById('f-fps-hint')?.textContent).toMatch(/Модель генерирует 16 кадров в секунду/);
  });

  it('applies the model defaults on every model switch', async () => {
    const user = userEvent.setup();
    renderStudio('en');
    await user.click(screen.getByTestId('type-image'));
    expect(select('model-picker').value).toBe('pony');
    expect(input('field-steps').value).toBe('30');
    expect(input('field-cfg_scale').value).toBe('6');
    expect(input('field-clip_skip').value).toBe('2');
    expect(select('field-sampler').value).toBe('Euler a');

    await user.clear(input('field-steps'));
    await user.type(input('field-steps'), '50');
    await user.selectOptions(select('model-picker'), 'flux');
    expect(input('field-steps').value).toBe('25');
    expect(input('field-guidance_scale').value).toBe('3.5');
    expect(select('field-sampler').value).toBe('Euler');
    expect(screen.queryByTestId('field-clip_skip')).toBeNull();

    // back to pony: its defaults again, not the 50 typed before
    await user.selectOptions(select('model-picker'), 'pony');
    expect(input('field-steps').value).toBe('30');
    expect(select('field-output_format').value).toBe('png');
  });

  it('shows fixed values locked with the reason (anisora steps 8; phr00t steps 4, cfg 1.0)', async () => {
    const user = userEvent.setup();
    renderStudio('en');
    expect(select('model-picker').value).toBe('anisora');
    const steps = input('field-steps');
    expect(steps.value).toBe('8');
    expect(steps.disabled).toBe(true);
    expect(document.getElementById('f-steps-hint')?.textContent).toMatch(/distilled to 8 steps/);
    expect(input('field-guidance_scale').disabled).toBe(false);

    await user.selectOptions(select('model-picker'), 'phr00t');
    expect(input('field-steps').value).toBe('4');
    expect(input('field-steps').disabled).toBe(true);
    expect(input('field-cfg_scale').value).toBe('1');
    expect(input('field-cfg_scale').disabled).toBe(true);
    expect(document.getElementById('f-cfg_scale-hint')?.textContent).toMatch(/CFG 1\.0/);
    expect(select('field-lighting_variant').value).toBe('low_noise');
    // arbitrary_frame is an anisora-only mode
    expect(within(select('mode-picker')).queryByRole('option', { name: /keyframe/i })).toBeNull();
  });

  it('notes the frame rule and the frames that will actually be produced', async () => {
    const user = userEvent.setup();
    renderStudio('en');
    await user.clear(input('field-num_frames'));
    await user.type(input('field-num_frames'), '80');
    const hint = document.getElementById('f-num_frames-hint')?.textContent ?? '';
    expect(hint).toMatch(/8k\+1/);
    expect(hint).toMatch(/80 is rounded up to 81/);
  });
});

describe('studio form: reference requirements per mode', () => {
  it('blocks Generate for i2v without a reference image and says so at that field', async () => {
    const calls = mockFetch(() => undefined);
    const user = userEvent.setup();
    renderStudio('en');
    await user.selectOptions(select('mode-picker'), 'i2v');
    await user.type(screen.getByTestId('prompt'), 'a cat walking');
    await user.click(screen.getByTestId('generate-button'));
    expect(screen.getByTestId('error-reference_image').textContent).toMatch(/needs a reference image/i);
    expect(calls.filter((c) => c.path === '/api/generate')).toHaveLength(0);
  });

  it('asks for the first frame in first_last_frame (the last is optional) and for the image in img2img', async () => {
    mockFetch(() => undefined);
    const user = userEvent.setup();
    renderStudio('en');
    await user.selectOptions(select('mode-picker'), 'first_last_frame');
    await user.type(screen.getByTestId('prompt'), 'morph');
    await user.click(screen.getByTestId('generate-button'));
    expect(screen.getByTestId('error-first_frame_image').textContent).toMatch(/first frame/i);
    expect(screen.queryByTestId('error-last_frame_image')).toBeNull();

    await user.click(screen.getByTestId('type-image'));
    await user.selectOptions(select('mode-picker'), 'img2img');
    await user.click(screen.getByTestId('generate-button'));
    expect(screen.getByTestId('error-reference_image')).toBeTruthy();
  });

  it('names an empty prompt and an out-of-range value next to their fields', async () => {
    mockFetch(() => undefined);
    const user = userEvent.setup();
    renderStudio('en');
    await user.click(screen.getByTestId('type-image'));
    await user.clear(input('field-steps'));
    await user.type(input('field-steps'), '500');
    await user.click(screen.getByTestId('generate-button'));
    expect(screen.getByTestId('error-prompt').textContent).toMatch(/required/i);
    expect(screen.getByTestId('error-steps').textContent).toMatch(/between 1 and 150/);
    expect(input('field-steps').getAttribute('aria-invalid')).toBe('true');
  });

  it('accepts a picked file and shows its preview', async () => {
    const user = userEvent.setup();
    renderStudio('en');
    await user.click(screen.getByTestId('type-image'));
    await user.selectOptions(select('mode-picker'), 'img2img');
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'ref.png', { type: 'image/png' });
    await user.upload(screen.getByTestId('file-reference_image'), file);
    const preview = await screen.findByTestId('image-preview-reference_image');
    expect(preview.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  });
});

describe('estimated time', () => {
  it('shows the estimate and updates it with the settings', async () => {
    const user = userEvent.setup();
    renderStudio('en');
    const estimate = screen.getByTestId('estimate');
    expect(estimate.textContent).toMatch(/18 s/); // anisora, 81 frames: round(81/16·3.5)
    await user.clear(input('field-num_frames'));
    await user.type(input('field-num_frames'), '161');
    expect(estimate.textContent).toMatch(/35 s/);

    await user.click(screen.getByTestId('type-image'));
    expect(estimate.textContent).toMatch(/12 s/); // pony, 30 steps: round(30·0.4)
    await user.clear(input('field-steps'));
    await user.type(input('field-steps'), '50');
    expect(estimate.textContent).toMatch(/20 s/);
    await user.selectOptions(select('field-batch_size'), '2');
    expect(estimate.textContent).toMatch(/40 s/);
  });
});
