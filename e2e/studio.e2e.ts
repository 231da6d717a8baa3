import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, PHONE } from './fixtures/browser.ts';
import { baseUrl, createUser, fillImageJob, newestJob, signIn, pickVideo } from './fixtures/stack.ts';

let browser: Browser;
let key: string;

beforeAll(async () => {
  browser = await launchBrowser();
  key = await createUser('e2e-studio');
});
afterAll(async () => {
  await browser?.close();
});

describe('studio in Chromium', () => {
  it('signs in with an access key; the key is not kept by the page', async () => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(`${baseUrl()}/`);
    await page.getByTestId('access-key').waitFor();
    await screenshot(page, 'login-desktop-en');
    await signIn(page, key);
    await page.getByTestId('simulator-banner').waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'gg_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toContain(key);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('generates an image: progress, preview, result, download', async () => {
    const { page, context, errors } = await newPage(browser);
    await signIn(page, key);
    await fillImageJob(page, 'pony', 'a lighthouse on a cliff at dawn, watercolor');
    await page.getByTestId('advanced').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await page.getByTestId('field-steps').fill('24');
    await screenshot(page, 'studio-desktop-en');
    await page.getByTestId('generate-button').click();
    const job = newestJob(page);
    await job.getByTestId('progress').waitFor();
    await job.getByTestId('preview').waitFor({ timeout: 60_000 });
    await screenshot(page, 'running-job-desktop-en');
    await job.getByTestId('result-image').waitFor({ timeout: 60_000 });
    expect(await job.getAttribute('data-status')).toBe('completed');
    await screenshot(page, 'result-desktop-en');
    const [download] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download').first().click()]);
    const file = await download.path();
    expect(fs.readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    expect(download.suggestedFilename()).toMatch(/^mediagen-pony-\d+\.png$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('generates a video: progress, preview, looping player', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, key);
    await pickVideo(page, 'anisora');
    await page.getByTestId('prompt').fill('a paper boat drifting on a calm lake, gentle ripples');
    await page.getByTestId('generate-button').click();
    const job = newestJob(page);
    await job.getByTestId('progress').waitFor();
    await job.getByTestId('preview').waitFor({ timeout: 90_000 });
    const video = job.getByTestId('result-video');
    await video.waitFor({ timeout: 120_000 });
    expect(await video.evaluate((v: HTMLVideoElement) => v.loop)).toBe(true);
    await page.waitForFunction(
      () => (document.querySelector<HTMLVideoElement>('[data-testid="result-video"]')?.readyState ?? 0) >= 2,
      undefined,
      { timeout: 30_000 },
    );
    await context.close();
  });

  it('img2img with a gallery item as the reference', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, key);
    // the studio keeps its type: pick image, then the gallery item becomes the img2img reference
    await fillImageJob(page, 'flux', 'placeholder');
    await page.getByTestId('nav-gallery').click();
    await page.getByTestId('gallery-filter-type').selectOption('image');
    const item = page.getByTestId('gallery-item').first();
    await item.waitFor();
    await screenshot(page, 'gallery-desktop-en');
    await item.locator('button, a').first().click();
    await page.getByTestId('gallery-viewer').waitFor();
    await page.getByTestId('gallery-use-as-reference').first().click();
    await page.getByTestId('generate-form').waitFor();
    expect(await page.getByTestId('mode-picker').inputValue()).toBe('img2img');
    await page.getByTestId('image-preview-reference_image').waitFor();
    await page.getByTestId('prompt').fill('the same lighthouse at night, starry sky');
    await page.getByTestId('generate-button').click();
    await newestJob(page).getByTestId('result-image').waitFor({ timeout: 60_000 });
    await context.close();
  });

  it('cancels a running job', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, key);
    await pickVideo(page, 'phr00t');
    await page.getByTestId('prompt').fill('clouds moving over a wheat field');
    await page.getByTestId('generate-button').click();
    const job = newestJob(page);
    await job.getByTestId('cancel').waitFor();
    await job.getByTestId('progress').waitFor();
    await job.getByTestId('cancel').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-card"]')?.getAttribute('data-status') === 'cancelled',
      undefined,
      { timeout: 30_000 },
    );
    await context.close();
  });

  it('422 guidance is shown next to the field the server names', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, key);
    await fillImageJob(page, 'flux', 'ch1ld nude');
    await page.getByTestId('generate-button').click();
    const err = page.getByTestId('error-prompt');
    await err.waitFor();
    expect((await err.textContent())?.length).toBeGreaterThan(3);
    await context.close();
  });

  it('a policy refusal reads in Russian in the Russian UI', async () => {
    const { page, context } = await newPage(browser, { locale: 'ru-RU' });
    await signIn(page, key);
    await page.waitForFunction(() => document.documentElement.lang === 'ru');
    await fillImageJob(page, 'pony', 'ch1ld nude');
    await page.getByTestId('generate-button').click();
    const err = page.getByTestId('error-prompt');
    await err.waitFor();
    await screenshot(page, 'policy-refusal-desktop-ru');
    const shown = (await page.getByTestId('generate-form').textContent()) ?? '';
    const fieldText = (await err.textContent()) ?? '';
    // the field's message and the refusal around it are Russian; the server's English wording never shows
    expect(fieldText).toMatch(/[а-яё]{4,}/i);
    expect(fieldText).not.toMatch(/violates|content policy/i);
    expect(shown).not.toMatch(/violates the content policy|sexualises minors/i);
    const action = page.getByTestId('user-action');
    if ((await action.count()) > 0) expect(await action.first().textContent()).toMatch(/[а-яё]{4,}/i);
    await context.close();
  });

  it('switches to Russian (and Russian browsers start in Russian)', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, key);
    await page
      .getByTestId('lang-switch')
      .selectOption('ru')
      .catch(async () => page.getByTestId('lang-switch').click());
    await page.waitForFunction(() => document.documentElement.lang === 'ru');
    expect(await page.getByTestId('nav-gallery').textContent()).toContain('Галерея');
    await context.close();
    const ru = await newPage(browser, { locale: 'ru-RU' });
    await signIn(ru.page, key);
    expect(await ru.page.getByTestId('nav-studio').textContent()).toContain('Студия');
    await ru.context.close();
  });

  it('works at phone width', async () => {
    const { page, context } = await newPage(browser, { viewport: PHONE });
    await signIn(page, key);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, 'studio-phone-en');
    await context.close();
  });
});
