import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seriousViolations } from './fixtures/axe.ts';
import { DESKTOP, launchBrowser, newPage, PHONE } from './fixtures/browser.ts';
import { baseUrl, createUser, signIn } from './fixtures/stack.ts';

let browser: Browser;
let key: string;

beforeAll(async () => {
  browser = await launchBrowser();
  key = await createUser('e2e-a11y');
  // something in the gallery and the jobs panel
  const login = await fetch(`${baseUrl()}/api/generate`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', prefer: 'wait=60' },
    body: JSON.stringify({
      type: 'image',
      model: 'pony',
      mode: 'txt2img',
      prompt: 'a red kite',
      width: 512,
      height: 512,
      seed: 3,
    }),
  });
  expect(login.status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
});

/** axe-core on studio, gallery and admin: no critical and no serious violation, in both languages and sizes. */
describe('accessibility (axe-core)', () => {
  for (const locale of ['en-US', 'ru-RU'] as const) {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      it(`studio, gallery, admin: ${size} ${locale}`, async () => {
        const { page, context } = await newPage(browser, { locale, viewport });
        await page.emulateMedia({ reducedMotion: 'reduce' });
        await signIn(page, key);
        await page.getByTestId('job-card').first().waitFor();
        expect(await page.locator('h1').count()).toBeGreaterThan(0);
        expect(await seriousViolations(page)).toEqual([]);
        // both themes: the system's light and dark preference
        await page.emulateMedia({ colorScheme: 'dark' });
        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: 'light' });
        await page.getByTestId('nav-gallery').click();
        await page.getByTestId('gallery-item').first().waitFor();
        expect(await page.locator('h1').count()).toBeGreaterThan(0);
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByTestId('gallery-item').first().getByRole('button').first().click();
        await page.getByTestId('gallery-viewer').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await page.goto(`${baseUrl()}/admin`);
        await page.getByTestId('admin-key').fill(inject('adminKey'));
        await page.getByTestId('admin-login').click();
        await page.getByTestId('admin-jobs').waitFor();
        expect(await page.locator('h1').count()).toBeGreaterThan(0);
        expect(await seriousViolations(page)).toEqual([]);
        await context.close();
      });
    }
  }
});
