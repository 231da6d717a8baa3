import { defineConfig } from 'vitest/config';

// Test tiers (CONTRIBUTING.md), each its own command:
// - unit (`npm run test:unit`): `*.test.ts` next to the code and the test kit's own tests; no sockets, no child
//   processes, no ffmpeg (the setup file refuses them), ports replaced by the in-memory fakes of apps/*/test/fakes.
// - web (`npm run test:web`): the web app's jsdom tests, from its own vite config.
// - integration (`npm run test:integration`): `apps/*/test/integration/`: real SQLite files, sharp and ffmpeg on
//   files, simulator processes, HTTP servers; one file at a time (on 2 cores parallel files only fight for CPU).
// - e2e (`npm run test:e2e`): Chromium against the whole stack, in e2e/vitest.config.ts.
const UNIT_EXCLUDE = ['**/node_modules/**', '**/integration/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/server/src/**/*.test.ts',
            'apps/server/test/**/*.test.ts',
            'apps/simulator/src/**/*.test.ts',
            'apps/simulator/test/**/*.test.ts',
          ],
          exclude: UNIT_EXCLUDE,
          setupFiles: ['apps/server/test/unit-setup.ts'],
          environment: 'node',
          // unit tests hold no global state worth a fresh module graph per file: sharing one per worker
          // makes the run about three times faster (each test builds its own fakes)
          isolate: false,
          // worker threads start faster than forked processes (about 1 s of this tier's 10 on 2 cores); the
          // setup file's socket and process guard works the same in a thread
          pool: 'threads',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['apps/*/test/integration/**/*.test.ts'],
          environment: 'node',
          // one throwaway PostgreSQL server for the run (the store contract and the scale-out tests use it)
          globalSetup: ['apps/server/test/integration-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      'apps/*/vite.config.ts',
    ],
  },
});
