import { defineConfig } from 'vitest/config';

// `npm run docs:screenshots`: the documentation's screenshots (docs/screenshots/), taken in Chromium against the
// stack the e2e specs use (same global setup). Not part of `npm test`, so a test run never rewrites tracked files.
export default defineConfig({
  test: {
    name: 'docs-screenshots',
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/docs-screenshots/**/*.shots.ts'],
    globalSetup: ['e2e/fixtures/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
