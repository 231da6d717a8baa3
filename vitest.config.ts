import { defineConfig } from 'vitest/config';

// One run covers every workspace: node-side tests here, the web app's jsdom tests from its own vite config.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/server/src/**/*.test.ts',
            'apps/server/test/**/*.test.ts',
            'apps/simulator/src/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      'apps/*/vite.config.ts',
    ],
  },
});
