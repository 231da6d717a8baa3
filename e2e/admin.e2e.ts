import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newPage, screenshot, PHONE } from './fixtures/browser.ts';
import { startSimulatorProcess } from '../apps/server/src/adapters/simulator/simulator-process.ts';
import { adminFetch, baseUrl, createUser, newestJob, signIn, pickVideo } from './fixtures/stack.ts';

let browser: Browser;

interface AccountView {
  id: string;
  name: string;
  lane: string;
  status: string;
  base_url: string;
}

async function accounts(): Promise<AccountView[]> {
  return ((await (await adminFetch('/api/admin/accounts')).json()) as { items: AccountView[] }).items;
}

async function adminLogin(page: Page): Promise<void> {
  await page.goto(`${baseUrl()}/admin`);
  await page.getByTestId('admin-key').fill(inject('adminKey'));
  await page.getByTestId('admin-login').click();
  await page.getByTestId('admin-accounts').waitFor();
}

const rowOf = (page: Page, id: string) => page.locator(`[data-testid="account-row"][data-account-id="${id}"]`);

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('admin console and degraded mode', () => {
  it('logs in, disables and re-enables an account (through checking back to ready)', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${baseUrl()}/admin`);
    await page.getByTestId('admin-key').fill('wrong-key-wrong-key');
    await page.getByTestId('admin-login').click();
    await page.getByRole('alert').first().waitFor();
    await adminLogin(page);
    await screenshot(page, 'admin-desktop-en');
    const image = (await accounts()).find((a) => a.lane === 'image');
    expect(image?.status).toBe('ready');
    const row = rowOf(page, image!.id);
    await row.getByTestId('account-disable').click();
    await page.waitForFunction(
      (id) => document.querySelector(`[data-account-id="${id}"]`)?.getAttribute('data-status') === 'disabled',
      image!.id,
    );
    await row.getByTestId('account-enable').click();
    await page.waitForFunction(
      (id) => document.querySelector(`[data-account-id="${id}"]`)?.getAttribute('data-status') === 'ready',
      image!.id,
      { timeout: 30_000 },
    );
    expect((await accounts()).find((a) => a.id === image!.id)?.status).toBe('ready');
    await context.close();
  });

  it('503 queue_overloaded in degraded mode: countdown, then automatic retry once a video lane is back', async () => {
    const all = await accounts();
    const video = all.find((a) => a.lane === 'video')!;
    const image = all.find((a) => a.lane === 'image')!;
    // a shared lane that can serve video: with the video lane off, video runs "degraded" there (bounded to 0 waiting in this stack)
    const shared = await adminFetch('/api/admin/accounts', {
      method: 'POST',
      body: { name: 'shared e2e', base_url: image.base_url, lane: 'shared', models: ['anisora'] },
    });
    expect(shared.status).toBe(201);
    const sharedId = ((await shared.json()) as { id: string }).id;
    await adminFetch(`/api/admin/accounts/${video.id}`, { method: 'PATCH', body: { status: 'disabled' } });

    const key = await createUser('e2e-degraded');
    const { page, context } = await newPage(browser);
    await signIn(page, key);
    await pickVideo(page, 'anisora');
    await page.getByTestId('prompt').fill('fireflies over a pond at dusk');
    await page.getByTestId('generate-button').click();
    await page.getByTestId('retry-countdown').waitFor({ timeout: 15_000 });
    await screenshot(page, 'overloaded-desktop-en');
    // the operator sees the same state: the degraded flag and its waiting line in the queue panel
    const console = await newPage(browser);
    await adminLogin(console.page);
    const queue = console.page.getByTestId('admin-queue');
    await queue.getByTestId('degraded-flag').filter({ hasText: 'Degraded mode' }).waitFor({ timeout: 15_000 });
    expect(await queue.getByTestId('waiting-video').textContent()).toMatch(/on shared GPUs: \d+ of at most 0/);
    // bring the dedicated video lane back: the page's automatic retry then gets through
    await adminFetch(`/api/admin/accounts/${video.id}`, { method: 'PATCH', body: { status: 'pending' } });
    await newestJob(page).waitFor({ timeout: 60_000 });
    // the running job names its GPU account by name, not by id
    await queue.getByTestId('running-job').filter({ hasText: video.name }).waitFor({ timeout: 60_000 });
    await screenshot(console.page, 'admin-queue-running-desktop-en');
    await console.context.close();
    await newestJob(page).getByTestId('result-video').waitFor({ timeout: 120_000 });
    await adminFetch(`/api/admin/accounts/${sharedId}`, { method: 'DELETE' });
    await context.close();
  });

  it('an account with some model files missing: per-model readiness and the setup script in the console', async () => {
    // a second GPU host that holds only Pony's files
    const sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.3, env: { SIM_MODELS: 'pony' } });
    const created = await adminFetch('/api/admin/accounts', {
      method: 'POST',
      body: { name: 'pony-only e2e', base_url: sim.urls[0], lane: 'image', models: ['pony', 'flux'] },
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    try {
      const { page, context } = await newPage(browser);
      await adminLogin(page);
      const row = rowOf(page, id);
      await page.waitForFunction(
        (accountId) =>
          document.querySelector(`[data-account-id="${accountId}"]`)?.getAttribute('data-status') === 'ready',
        id,
        { timeout: 30_000 },
      );
      const readiness = page.locator('[data-testid="account-readiness"]').filter({
        has: page.locator('[data-testid="missing-for-model"][data-model="flux"]'),
      });
      await readiness.first().waitFor({ timeout: 30_000 });
      const state = (model: string) =>
        readiness.first().locator(`[data-testid="model-readiness"][data-model="${model}"]`).getAttribute('data-state');
      expect(await state('pony')).toBe('ready');
      expect(await state('flux')).not.toBe('ready');
      const missing = await readiness.first().locator('[data-testid="missing-file"]').allTextContents();
      expect(missing.length).toBeGreaterThan(0);
      await readiness.first().locator('summary').click();
      await readiness.first().scrollIntoViewIfNeeded();
      await screenshot(page, 'admin-readiness-desktop-en');
      await readiness.first().getByTestId('setup-script-show').click();
      const script = readiness.first().getByTestId('setup-script');
      await script.waitFor();
      const text = (await script.textContent()) ?? '';
      expect(text).toMatch(/^#!\/usr\/bin\/env bash/);
      // every file the page lists as missing is fetched by the script
      const files = await readiness.first().locator('[data-testid="missing-file"] code').allTextContents();
      for (const f of files) expect(text).toContain(f.split('/').pop()!);
      await script.scrollIntoViewIfNeeded();
      await screenshot(page, 'admin-setup-script-desktop-en');
      expect(await row.count()).toBe(1);
      await context.close();
    } finally {
      await adminFetch(`/api/admin/accounts/${id}`, { method: 'DELETE' });
      await sim.stop();
    }
  });

  it('admin console at phone width', async () => {
    const { page, context } = await newPage(browser, { viewport: PHONE });
    await adminLogin(page);
    await screenshot(page, 'admin-phone-en');
    await context.close();
  });
});
