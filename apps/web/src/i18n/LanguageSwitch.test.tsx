import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import en from '../locales/en.json';
import ru from '../locales/ru.json';
import { renderStudio } from '../test/renderStudio.tsx';
import { detectLang, LANG_STORAGE_KEY } from './catalog.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('language', () => {
  it('switching to Russian changes the strings and is remembered', async () => {
    const user = userEvent.setup();
    renderStudio('en');
    expect(screen.getByTestId('generate-button').textContent).toBe('Generate');
    expect(screen.getByText('Prompt')).toBeTruthy();

    await user.selectOptions(screen.getByTestId('lang-switch'), 'ru');
    expect(screen.getByTestId('generate-button').textContent).toBe('Сгенерировать');
    expect(screen.getByText('Промпт')).toBeTruthy();
    expect(screen.getByTestId('estimate').textContent).toMatch(/Примерное время.*18 с/);
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe('ru');
    expect(document.documentElement.lang).toBe('ru');
  });

  it('validation messages follow the language', async () => {
    const user = userEvent.setup();
    renderStudio('ru');
    await user.selectOptions(screen.getByTestId('mode-picker'), 'i2v');
    await user.type(screen.getByTestId('prompt'), 'кот');
    await user.click(screen.getByTestId('generate-button'));
    expect(screen.getByTestId('error-reference_image').textContent).toBe(
      'Для этого режима нужно референсное изображение.',
    );
  });

  it('picks Russian when the browser language starts with ru, unless a choice is stored', () => {
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('ru-RU');
    expect(detectLang()).toBe('ru');
    localStorage.setItem(LANG_STORAGE_KEY, 'en');
    expect(detectLang()).toBe('en');
  });

  it('has every English key in Russian and no extra ones', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(ru)) expect(text, key).not.toBe('');
  });
});
