import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { DESKTOP, launchBrowser, newPage, PHONE, screenshot } from './fixtures/browser.ts';
import { baseUrl, createUser, newestJob, signIn, pickVideo } from './fixtures/stack.ts';

let browser: Browser;
let key: string;

beforeAll(async () => {
  browser = await launchBrowser();
  key = await createUser('e2e-screens');
});
afterAll(async () => {
  await browser?.close();
});

/** The five screens, at desktop and phone width, in English and Russian (docs/screenshots/). */
describe('screenshots', () => {
  for (const locale of ['en-US', 'ru-RU'] as const) {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const tag = `${size}-${locale.slice(0, 2)}`;
      it(tag, async () => {
        const { page, context } = await newPage(browser, { locale, viewport });
        await signIn(page, key);
        await screenshot(page, `studio-${tag}`);
        await pickVideo(page, 'anisora');
        await page.getByTestId('prompt').fill('a hot air balloon rising over green hills, morning light');
        await page.getByTestId('generate-button').click();
        const job = newestJob(page);
        await job.getByTestId('preview').waitFor({ timeout: 90_000 });
        await job.scrollIntoViewIfNeeded();
        await screenshot(page, `running-job-${tag}`);
        await job.getByTestId('result-video').waitFor({ timeout: 120_000 });
        await job.scrollIntoViewIfNeeded();
        await page.waitForTimeout(300);
        await screenshot(page, `result-${tag}`);
        await page.getByTestId('nav-gallery').click();
        await page.getByTestId('gallery-item').first().waitFor();
        await page.waitForTimeout(300);
        await screenshot(page, `gallery-${tag}`);
        await page.goto(`${baseUrl()}/admin`);
        await page.getByTestId('admin-key').fill(inject('adminKey'));
        await page.getByTestId('admin-login').click();
        await page.getByTestId('admin-accounts').waitFor();
        await page.waitForTimeout(300);
        await screenshot(page, `admin-${tag}`);
        await context.close();
      });
    }
  }
});
