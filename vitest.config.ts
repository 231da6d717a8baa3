import { defineConfig } from 'vitest/config';

// One run covers every workspace: fast unit tests in parallel, process-spawning integration tests one file
// at a time (they start gateways and simulators; on 2 cores parallel files would only fight for CPU),
// and the web app's jsdom tests from its own vite config.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/server/src/**/*.test.ts', 'apps/simulator/src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['apps/server/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      'apps/*/vite.config.ts',
    ],
  },
});
