import { defineConfig } from 'vitest/config';

// Browser end-to-end specs: Chromium driven by playwright-core against the whole stack. They write nothing tracked:
// their screenshots go to test-results/e2e/; docs/screenshots/ comes from `npm run docs:screenshots`.
export default defineConfig({
  test: {
    name: 'e2e',
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/fixtures/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
