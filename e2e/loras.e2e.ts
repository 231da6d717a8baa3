import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, newPage } from './fixtures/browser.ts';
import { adminFetch, baseUrl, createUser, signIn } from './fixtures/stack.ts';
import { PONY, apiGenerate, dropFile } from './fixtures/workspace.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  for (const [name, file] of [
    ['ink', 'e2e_ink.safetensors'],
    ['detail', 'e2e_detail.safetensors'],
  ] as const) {
    const res = await adminFetch('/api/admin/loras', { method: 'POST', body: { name, file, family: 'sdxl' } });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await browser?.close();
});

describe('LoRAs and drop-to-recall', () => {
  it("a PNG's infotext brings its LoRAs back into the studio's picker, strengths included", async () => {
    const key = await createUser('e2e-loras');
    const png = await apiGenerate(
      key,
      {
        ...PONY,
        prompt: 'a harbour at dusk',
        seed: 515151,
        steps: 12,
        loras: [
          { name: 'ink', strength: 0.65 },
          { name: 'detail', strength: -0.4, strength_clip: 0.3 },
        ],
      },
      60,
    );
    expect(png.status).toBe(200);
    const bytes = Buffer.from(
      await (await fetch(`${baseUrl()}${String(png.body.url)}`, { headers: { 'x-api-key': key } })).arrayBuffer(),
    );
    const { page, context, errors } = await newPage(browser, { viewport: DESKTOP });
    await signIn(page, key);
    await dropFile(page, '[data-testid="prompt"]', bytes, 'harbour.png', 'image/png');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="prompt"]') as HTMLTextAreaElement).value === 'a harbour at dusk',
    );
    expect(await page.getByTestId('model-picker').inputValue()).toBe('pony');
    await page.getByTestId('lora-picked-ink').waitFor();
    expect(await page.getByTestId('lora-strength-ink').inputValue()).toBe('0.65');
    expect(await page.getByTestId('lora-strength-detail').inputValue()).toBe('-0.4');
    expect(await page.getByTestId('lora-toggle-ink').isChecked()).toBe(true);
    // sending it again carries the same LoRAs (the text-encoder strength too)
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/generate') && r.method() === 'POST');
    await page.getByTestId('generate-button').click();
    expect((await sent).postDataJSON()).toMatchObject({
      prompt: 'a harbour at dusk',
      loras: [
        { name: 'ink', strength: 0.65 },
        { name: 'detail', strength: -0.4, strength_clip: 0.3 },
      ],
    });
    expect(errors).toEqual([]);
    await context.close();
  });
});
