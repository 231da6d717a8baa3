import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DESKTOP, launchBrowser, newPage, PHONE } from './fixtures/browser.ts';
import { baseUrl, createUser, fillImageJob, pickType, pickVideo, signIn } from './fixtures/stack.ts';
import {
  ANISORA,
  PONY,
  apiGenerate,
  card,
  dropFile,
  jobsLoaded,
  setAccountEnabled,
  setLane,
} from './fixtures/workspace.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('1–2. my jobs, kept on the server; honest progress', () => {
  it('a job sent through the API appears in the open page within 1 s, with progress in the tab title (desktop, en)', async () => {
    const key = await createUser('e2e-api-job');
    const { page, context, errors } = await newPage(browser);
    await signIn(page, key);
    await jobsLoaded(page);
    const sent = await apiGenerate(key, { ...PONY, prompt: 'a kite over the sea', seed: 11 });
    expect(sent.status).toBe(202);
    const t0 = Date.now();
    await card(page, String(sent.body.task_id)).waitFor({ timeout: 1000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    await page.waitForFunction(() => /%|⏳/.test(document.title) || document.title === 'MediaGen');
    await card(page, String(sent.body.task_id)).getByTestId('result-image').waitFor({ timeout: 60_000 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('after a reload the queued jobs (with their positions) and the typed prompt are still there (phone, ru)', async () => {
    const key = await createUser('e2e-reload');
    await setLane('image', true);
    try {
      const { page, context } = await newPage(browser, { locale: 'ru-RU', viewport: PHONE });
      await signIn(page, key);
      await jobsLoaded(page);
      await fillImageJob(page, 'pony', 'first queued job');
      await page.getByTestId('generate-button').click();
      await page.locator('[data-testid="job-card"][data-status="queued"]').first().waitFor();
      await page.getByTestId('prompt').fill('second queued job');
      // a second Generate right after an accepted one is taken for a double click: press until it is a new job
      for (let i = 0; i < 5; i++) {
        await page.getByTestId('generate-button').click();
        const two = await page
          .waitForFunction(
            () => document.querySelectorAll('[data-testid="job-card"][data-status="queued"]').length === 2,
            undefined,
            { timeout: 1500 },
          )
          .then(() => true)
          .catch(() => false);
        if (two) break;
      }
      await page.getByTestId('prompt').fill('a prompt I have not sent yet');
      await page.reload();
      await page.getByTestId('generate-form').waitFor();
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="job-card"][data-status="queued"]').length === 2,
      );
      expect(await page.getByTestId('prompt').inputValue()).toBe('a prompt I have not sent yet');
      const positions = await page.getByTestId('queue-position').allTextContents();
      expect(positions.join(' ')).toMatch(/1/);
      expect(positions.join(' ')).toMatch(/2/);
      // the estimate arrives with the queue's first update after the reload, not necessarily with the cards
      await page.getByTestId('eta').first().waitFor({ timeout: 10_000 });
      await page.getByTestId('cancel-queued').click();
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="job-card"][data-status="cancelled"]').length === 2,
      );
      // a cancelled job can be sent again
      await page.getByTestId('retry').first().click();
      await page.locator('[data-testid="job-card"][data-status="queued"]').first().waitFor();
      await page.getByTestId('cancel').first().click();
      await context.close();
    } finally {
      await setLane('image', false);
    }
  });
});

describe('3. overload that routes around', () => {
  it('a failed job says why; the 503 banner names the reason and leaves images free (phone, ru)', async () => {
    const key = await createUser('e2e-overload');
    await setLane('video', true);
    const { page, context } = await newPage(browser, { locale: 'ru-RU', viewport: PHONE });
    try {
      await signIn(page, key);
      await jobsLoaded(page);
      const sent = await apiGenerate(key, { ...ANISORA, prompt: 'waves at night', seed: 5 });
      expect(sent.status).toBe(202);
      await card(page, String(sent.body.task_id)).waitFor();
      // the video GPU goes away: the waiting video job expires (degraded mode) with queue_overloaded
      await setAccountEnabled('video', false);
      const failed = card(page, String(sent.body.task_id));
      await page.waitForFunction(
        (id) => document.querySelector(`[data-task-id="${id}"]`)?.getAttribute('data-status') === 'failed',
        String(sent.body.task_id),
        { timeout: 30_000 },
      );
      expect(await failed.getByTestId('task-error').textContent()).toMatch(/очередь перегружена/i);

      await pickVideo(page, 'anisora');
      await page.getByTestId('prompt').fill('a refused video');
      await page.getByTestId('generate-button').click();
      await page.getByTestId('retry-countdown').waitFor({ timeout: 15_000 });
      expect((await page.getByTestId('overload-reason').textContent())?.length).toBeGreaterThan(5);
      await page.getByTestId('other-type-available').waitFor();
      expect(await page.getByTestId('other-type-available').textContent()).toMatch(/Изображения доступны/);
      await page.getByTestId('other-type-available').getByRole('button').click();
      await page.getByTestId('model-picker').selectOption('pony');
      await page.getByTestId('prompt').fill('an image while video waits');
      expect(await page.getByTestId('generate-button').isDisabled()).toBe(false);
      await page.getByTestId('generate-button').click();
      await page
        .locator(
          '[data-testid="job-card"][data-status="queued"], [data-testid="job-card"][data-status="running"], [data-testid="job-card"][data-status="completed"]',
        )
        .first()
        .waitFor();
      await page.getByTestId('retry-stop').click();
    } finally {
      await context.close();
      await setAccountEnabled('video', true);
      await setLane('video', false);
    }
  });
});

describe('4. recall and history', () => {
  it('dropping a MediaGen PNG loads its seed and prompt (undoable); an MP4 too; prompt history (desktop, ru)', async () => {
    const key = await createUser('e2e-recall');
    const png = await apiGenerate(key, { ...PONY, prompt: 'a lighthouse in fog', seed: 424242, steps: 12 }, 60);
    expect(png.status).toBe(200);
    const pngBytes = Buffer.from(
      await (await fetch(`${baseUrl()}${String(png.body.url)}`, { headers: { 'x-api-key': key } })).arrayBuffer(),
    );
    const { page, context } = await newPage(browser, { locale: 'ru-RU', viewport: DESKTOP });
    await signIn(page, key);
    await page.getByTestId('prompt').fill('what I was typing');
    await dropFile(page, '[data-testid="prompt"]', pngBytes, 'mediagen.png', 'image/png');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="prompt"]') as HTMLTextAreaElement).value === 'a lighthouse in fog',
    );
    expect(await page.getByTestId('field-seed').inputValue()).toBe('424242');
    expect(await page.getByTestId('model-picker').inputValue()).toBe('pony');
    await page.getByTestId('undo-reuse').click();
    expect(await page.getByTestId('prompt').inputValue()).toBe('what I was typing');

    const mp4 = await apiGenerate(key, { ...ANISORA, prompt: 'a paper boat', seed: 777 }, 120);
    expect(mp4.status).toBe(200);
    const mp4Bytes = Buffer.from(
      await (await fetch(`${baseUrl()}${String(mp4.body.url)}`, { headers: { 'x-api-key': key } })).arrayBuffer(),
    );
    await dropFile(page, '[data-testid="generate-form"]', mp4Bytes, 'clip.mp4', 'video/mp4');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="prompt"]') as HTMLTextAreaElement).value === 'a paper boat',
    );
    expect(await page.getByTestId('field-seed').inputValue()).toBe('777');
    expect(await page.getByTestId('model-picker').inputValue()).toBe('anisora');

    await page.getByTestId('prompt-history').click();
    await page.getByTestId('history-search').fill('LIGHTHOUSE');
    // the search is debounced: wait for its answer (the lighthouse only), not the unfiltered list
    await page.waitForFunction(() => {
      const items = document.querySelectorAll('[data-testid="history-item"]');
      return items.length === 1 && items[0]?.textContent?.includes('lighthouse');
    });
    await page.getByTestId('history-item').first().getByRole('button').first().click();
    expect(await page.getByTestId('prompt').inputValue()).toBe('a lighthouse in fog');

    // named presets, kept on the server: save the form, change it, apply the preset back
    await page.getByTestId('preset-save').click();
    await page.getByTestId('preset-name').fill('Маяк');
    await page.getByTestId('preset-save-confirm').click();
    await page.locator('[data-testid="preset-select"] option', { hasText: 'Маяк' }).waitFor({ state: 'attached' });
    await page.getByTestId('prompt').fill('something else');
    await page.getByTestId('preset-select').selectOption({ label: 'Маяк' });
    await page.waitForFunction(
      () => document.querySelector<HTMLTextAreaElement>('[data-testid="prompt"]')?.value === 'a lighthouse in fog',
    );
    await page.getByTestId('undo-reuse').click();
    expect(await page.getByTestId('prompt').inputValue()).toBe('something else');
    await context.close();
  });
});

describe('5. a gallery to work in', () => {
  it('keyboard viewer, star, a deleted item restored from the trash (phone, en)', async () => {
    const key = await createUser('e2e-gallery');
    for (const [i, prompt] of ['red apple', 'green apple'].entries()) {
      expect((await apiGenerate(key, { ...PONY, prompt, seed: 100 + i }, 60)).status).toBe(200);
    }
    const { page, context } = await newPage(browser, { viewport: PHONE });
    await signIn(page, key);
    await page.getByTestId('nav-gallery').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length === 2);
    expect(await page.getByTestId('gallery-item-date').count()).toBe(2);
    await page.getByTestId('gallery-search').fill('green');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length === 1);
    await page.getByTestId('gallery-search').fill('');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length === 2);

    await page.getByTestId('gallery-item').first().getByRole('button').first().click();
    await page.getByTestId('gallery-viewer').waitFor();
    expect(await page.locator('.viewer__prompt').textContent()).toBe('green apple');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('.viewer__prompt')?.textContent === 'red apple');
    expect(await page.getByTestId('gallery-params').textContent()).not.toMatch(/requested_seed/);
    await page.keyboard.press('Escape');
    await page.getByTestId('gallery-viewer').waitFor({ state: 'detached' });

    await page.getByTestId('gallery-star').first().click();
    await page.getByTestId('gallery-filter-starred').check();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length === 1);
    await page.getByTestId('gallery-filter-starred').uncheck();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length === 2);

    const id = await page.getByTestId('gallery-item').first().getAttribute('data-task-id');
    await page.getByTestId('gallery-select').first().check();
    expect(await page.getByTestId('gallery-zip').getAttribute('href')).toContain(`ids=${id}`);
    await page.getByTestId('gallery-delete-selected').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length === 1);
    await page.getByTestId('gallery-show-trash').click();
    await page.locator(`[data-testid="trash-item"][data-task-id="${id}"]`).getByTestId('trash-restore').click();
    await page.getByTestId('trash-empty').waitFor();
    await page.getByRole('button', { name: 'Items' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length === 2);
    await context.close();
  });
});

describe('5. a gallery to work in (video)', () => {
  it('A/B compare of two items; a video continues from its last frame as i2v (desktop, ru)', async () => {
    const key = await createUser('e2e-continue');
    expect((await apiGenerate(key, { ...PONY, prompt: 'a blue door', seed: 7 }, 60)).status).toBe(200);
    expect((await apiGenerate(key, { ...ANISORA, prompt: 'a train at dusk', seed: 8 }, 120)).status).toBe(200);
    const { page, context } = await newPage(browser, { locale: 'ru-RU' });
    await signIn(page, key);
    await page.getByTestId('nav-gallery').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length === 2);
    await page.getByTestId('gallery-select').nth(0).check();
    await page.getByTestId('gallery-select').nth(1).check();
    await page.getByTestId('gallery-compare').click();
    await page.getByTestId('compare-view').waitFor();
    expect(await page.getByTestId('compare-side').count()).toBe(2);
    await page.keyboard.press('Escape');
    await page.getByTestId('compare-view').waitFor({ state: 'detached' });
    // the video is the newest item
    await page.getByTestId('gallery-item').first().getByRole('button').first().click();
    await page.getByTestId('gallery-continue').click();
    await page.getByTestId('generate-form').waitFor();
    expect(await page.getByTestId('model-picker').inputValue()).toBe('anisora');
    expect(await page.getByTestId('mode-picker').inputValue()).toBe('i2v');
    expect(await page.getByTestId('prompt').inputValue()).toBe('a train at dusk');
    await page.getByTestId('image-preview-reference_image').waitFor();
    await context.close();
  });
});

describe('6. before submit, not after', () => {
  it('AniSora at guidance 1 shows the negative prompt and i2v strengths disabled with the reason (desktop, en)', async () => {
    const key = await createUser('e2e-unsupported');
    const { page, context } = await newPage(browser);
    await signIn(page, key);
    await pickVideo(page, 'anisora', 'i2v');
    await page.waitForFunction(
      () => document.querySelector<HTMLTextAreaElement>('[data-testid="negative-prompt"]')?.disabled === true,
    );
    expect(await page.locator('#f-negative_prompt-hint').textContent()).toMatch(/negative/i);
    expect(await page.getByTestId('field-reference_strength').isDisabled()).toBe(true);
    expect(await page.getByTestId('field-denoising_strength').isDisabled()).toBe(true);
    await pickType(page, 'image');
    await page.getByTestId('model-picker').selectOption('pony');
    expect(await page.getByTestId('negative-prompt').isDisabled()).toBe(false);
    // validation as the user types: an emptied prompt is named at once
    await page.getByTestId('prompt').fill('x');
    await page.getByTestId('prompt').fill('');
    await page.getByTestId('error-prompt').waitFor();
    await context.close();
  });
});

describe('7. admin queue', () => {
  it('the whole queue with user names: pause a lane, move to front, cancel (desktop, ru)', async () => {
    const key = await createUser('e2e-queue-owner');
    const { page, context } = await newPage(browser, { locale: 'ru-RU' });
    try {
      await page.goto(`${baseUrl()}/admin`);
      await page.getByTestId('admin-key').fill(inject('adminKey'));
      await page.getByTestId('admin-login').click();
      await page.getByTestId('admin-jobs').waitFor();
      await page.getByTestId('lane-pause-image').click();
      await page.getByTestId('lane-resume-image').waitFor();
      const a = await apiGenerate(key, { ...PONY, prompt: 'job a', seed: 1 });
      const b = await apiGenerate(key, { ...PONY, prompt: 'job b', seed: 2 });
      const row = (id: unknown) => page.locator(`[data-testid="admin-job"][data-task-id="${String(id)}"]`);
      await row(b.body.task_id).waitFor();
      expect(await row(a.body.task_id).textContent()).toContain('e2e-queue-owner');
      await row(b.body.task_id).getByTestId('admin-job-front').click();
      await page.waitForFunction(
        (id) => document.querySelector('[data-testid="admin-job"]')?.getAttribute('data-task-id') === id,
        String(b.body.task_id),
      );
      await row(a.body.task_id).getByTestId('admin-job-cancel').click();
      await row(a.body.task_id).waitFor({ state: 'detached' });
      const status = (await (
        await fetch(`${baseUrl()}/api/tasks?status=cancelled`, { headers: { 'x-api-key': key } })
      ).json()) as { items: Array<{ task_id: string; code?: string }> };
      expect(status.items.find((i) => i.task_id === a.body.task_id)?.code).toBe('cancelled_by_admin');
      await row(b.body.task_id).getByTestId('admin-job-cancel').click();
    } finally {
      await setLane('image', false);
      await context.close();
    }
  });
});

describe('8. polish', () => {
  it('Generate in reach at 1440×900; hashed assets compressed and immutable; no source maps', async () => {
    const key = await createUser('e2e-polish');
    const { page, context } = await newPage(browser, { viewport: { width: 1440, height: 900 } });
    await signIn(page, key);
    const box = await page.getByTestId('generate-button').boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(900);
    await context.close();
    const html = await (await fetch(`${baseUrl()}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const res = await fetch(`${baseUrl()}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${baseUrl()}${script}.map`)).status).toBe(404);
  });
});
