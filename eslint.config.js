// Rules checked by tools, not by memory: type-aware lint and the layer boundaries of ARCHITECTURE.md.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A restricted-import rule with a message per banned pattern. */
function banImports(...bans) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: bans.map(([group, message]) => ({ group: Array.isArray(group) ? group : [group], message })) },
    ],
  };
}

const SERVER_LAYERS = {
  adapters: ['#adapters/*', '**/adapters/**'],
  services: ['#services/*', '**/services/**'],
  routes: ['#routes/*', '**/routes/**'],
  http: ['#http/*', '**/http/**'],
  worker: ['#worker/*', '**/worker/**'],
  ports: ['#ports/*', '**/ports/**'],
  container: ['**/container.ts', '**/app.ts', '**/main.ts'],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      'docs/**',
      'apps/simulator/data/**',
      '**/*.d.ts',
      '.tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', '*.ts', 'scripts/*.mjs', 'packages/client/bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/await-thenable': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  // ---- layer boundaries (apps/server/src) ----
  {
    files: ['apps/server/src/domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: banImports(
      ['node:*', 'domain code is pure: no Node APIs (pass data in, let a service or adapter do I/O)'],
      [
        [
          ...SERVER_LAYERS.adapters,
          ...SERVER_LAYERS.services,
          ...SERVER_LAYERS.routes,
          ...SERVER_LAYERS.http,
          ...SERVER_LAYERS.worker,
          ...SERVER_LAYERS.ports,
          ...SERVER_LAYERS.container,
        ],
        'domain imports only the contract and itself',
      ],
      [['fastify', 'better-sqlite3', 'sharp', 'ws', 'pino'], 'domain code does no I/O'],
    ),
  },
  {
    files: ['apps/server/src/services/**/*.ts', 'apps/server/src/worker/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: banImports(
      [SERVER_LAYERS.adapters, 'services reach the outside only through ports (container.ts wires adapters)'],
      [
        [...SERVER_LAYERS.routes, ...SERVER_LAYERS.http, ...SERVER_LAYERS.container],
        'services do not know the HTTP layer',
      ],
      [['fastify', 'better-sqlite3', 'ws'], 'services use ports, not transport or database libraries'],
    ),
  },
  {
    files: ['apps/server/src/routes/**/*.ts'],
    rules: banImports(
      [
        [
          ...SERVER_LAYERS.adapters,
          ...SERVER_LAYERS.ports,
          ...SERVER_LAYERS.worker,
          ...SERVER_LAYERS.http,
          '#domain/*',
          '**/domain/**',
          ...SERVER_LAYERS.container,
        ],
        'routes import only services and the contract',
      ],
      [['fastify'], 'routes are handlers of the contract table; the HTTP layer (http/) owns Fastify'],
    ),
  },
  {
    files: ['apps/server/src/adapters/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: banImports([
      [...SERVER_LAYERS.services, ...SERVER_LAYERS.routes, ...SERVER_LAYERS.http, ...SERVER_LAYERS.worker],
      'adapters implement ports; they hold no business rules and call no services',
    ]),
  },
  {
    files: ['apps/server/src/http/**/*.ts'],
    rules: banImports([SERVER_LAYERS.adapters, 'the HTTP layer talks to services, never adapters']),
  },
  {
    files: ['packages/contract/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: banImports([
      ['node:*', '**/apps/**', '@mediagen/server', 'fastify'],
      'the contract is zod only: no I/O, no server code',
    ]),
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // the app loads data in mount effects (setState after an await); the compiler rule cannot tell the two apart
      'react-hooks/set-state-in-effect': 'off',
      ...banImports([
        ['**/apps/server/**', '@mediagen/server', 'node:*'],
        'the web app never imports server code or Node APIs',
      ]),
    },
  },
  {
    files: ['apps/web/vite.config.ts', 'apps/web/src/test/**', 'apps/web/**/*.test.{ts,tsx}'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // command-line entry points and benchmarks print to the terminal
    files: ['scripts/**', 'bench/**', 'apps/simulator/src/main.ts', 'apps/simulator/scripts/**', 'e2e/**'],
    rules: { 'no-console': 'off' },
  },
);
