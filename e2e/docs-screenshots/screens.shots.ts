import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { DESKTOP, docsScreenshot, launchBrowser, newPage, PHONE } from '../fixtures/browser.ts';
import { adminFetch, baseUrl, createUser, newestJob, pickVideo, signIn } from '../fixtures/stack.ts';

// The screenshots in docs/screenshots/, taken only by `npm run docs:screenshots` against the same stack the e2e
// specs use (e2e/fixtures/global-setup.ts). Every wait is on a condition; docsScreenshot waits for the page to load.

let browser: Browser;
let key: string;

beforeAll(async () => {
  browser = await launchBrowser();
  key = await createUser('docs-screens');
});
afterAll(async () => {
  await browser?.close();
});

interface AccountView {
  id: string;
  lane: string;
  base_url: string;
}

describe('documentation screenshots', () => {
  it('login-desktop-en', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${baseUrl()}/`);
    await page.getByTestId('access-key').waitFor();
    await docsScreenshot(page, 'login-desktop-en');
    await context.close();
  });

  // the five screens, at desktop and phone width, in English and Russian
  for (const locale of ['en-US', 'ru-RU'] as const) {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const tag = `${size}-${locale.slice(0, 2)}`;
      it(tag, async () => {
        const { page, context } = await newPage(browser, { locale, viewport });
        await signIn(page, key);
        await docsScreenshot(page, `studio-${tag}`);
        await pickVideo(page, 'anisora');
        await page.getByTestId('prompt').fill('a hot air balloon rising over green hills, morning light');
        await page.getByTestId('generate-button').click();
        const job = newestJob(page);
        await job.getByTestId('preview').waitFor({ timeout: 90_000 });
        await job.scrollIntoViewIfNeeded();
        await docsScreenshot(page, `running-job-${tag}`);
        await job.getByTestId('result-video').waitFor({ timeout: 120_000 });
        await job.scrollIntoViewIfNeeded();
        await docsScreenshot(page, `result-${tag}`);
        await page.getByTestId('nav-gallery').click();
        await page.getByTestId('gallery-item').first().waitFor();
        await docsScreenshot(page, `gallery-${tag}`);
        await page.goto(`${baseUrl()}/admin`);
        await page.getByTestId('admin-key').fill(inject('adminKey'));
        await page.getByTestId('admin-login').click();
        await page.getByTestId('admin-accounts').waitFor();
        await docsScreenshot(page, `admin-${tag}`);
        await context.close();
      });
    }
  }

  // last: it takes the video lane away (degraded mode, which this stack bounds to no waiting video job)
  it('overloaded-desktop-en', async () => {
    const accounts = ((await (await adminFetch('/api/admin/accounts')).json()) as { items: AccountView[] }).items;
    const video = accounts.find((a) => a.lane === 'video')!;
    const image = accounts.find((a) => a.lane === 'image')!;
    const shared = await adminFetch('/api/admin/accounts', {
      method: 'POST',
      body: { name: 'shared (screenshots)', base_url: image.base_url, lane: 'shared', models: ['anisora'] },
    });
    const sharedId = ((await shared.json()) as { id: string }).id;
    await adminFetch(`/api/admin/accounts/${video.id}`, { method: 'PATCH', body: { status: 'disabled' } });
    try {
      const { page, context } = await newPage(browser);
      await signIn(page, key);
      await pickVideo(page, 'anisora');
      await page.getByTestId('prompt').fill('fireflies over a pond at dusk');
      await page.getByTestId('generate-button').click();
      await page.getByTestId('retry-countdown').waitFor({ timeout: 15_000 });
      await docsScreenshot(page, 'overloaded-desktop-en');
      await context.close();
    } finally {
      await adminFetch(`/api/admin/accounts/${video.id}`, { method: 'PATCH', body: { status: 'pending' } });
      await adminFetch(`/api/admin/accounts/${sharedId}`, { method: 'DELETE' });
    }
  });
});
