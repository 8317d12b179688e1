// Lint: type-aware TypeScript rules everywhere, and the determinism fence around workflows/.
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].filter((m) => m !== 'assert' && m !== 'node:assert');

/** What workflow code may never import as a value: Node, I/O libraries, activity code. */
export const workflowRestrictions = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows run in the Temporal sandbox: no Node builtins (do I/O in an activity).' })),
  patterns: [
    {
      group: ['**/activities', '**/activities/**', '!**/activities/**/types.ts'],
      message: 'Import activity code into workflows only as a type (import type …) and call it through proxyActivities.',
      allowTypeImports: true,
    },
    {
      group: ['@temporalio/activity', '@temporalio/worker', '@temporalio/client', '@temporalio/testing', '@opentelemetry/sdk-*', '**/config/**', '**/api/**', '**/worker/**', '**/telemetry/**', '**/store/**', '**/domain/**'],
      message: 'Workflows run in the Temporal sandbox: this module does I/O or reads the environment.',
      allowTypeImports: true,
    },
    {
      group: ['axios', 'undici', 'node-fetch', 'express', 'pino', 'better-sqlite3', 'nock', '@aws-sdk/*', 'pg', 'ioredis'],
      message: 'Workflows run in the Temporal sandbox: no I/O libraries.',
      allowTypeImports: true,
    },
  ],
};

/**
 * The layers (DESIGN.md, "what may import what"), each fenced: a forbidden import fails the lint.
 * core/ pure; domain/ → core; store/ → core, domain; activities/ ↛ api, workflows; api/ ↛
 * activities (but their plain-data info) or worker; workflows/: the determinism fence above.
 */
const ours = (...layers) => layers.map((l) => `**/${l}/**`);
const layerFence = (files, patterns) => ({ files, rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } });
export const layerFences = [
  layerFence(['domain/**/*.ts'], [{ group: ours('api', 'store', 'workflows', 'activities', 'worker', 'config', 'telemetry'), message: 'domain/ holds the ingest decisions: it imports only core/ (and small libraries).' }]),
  layerFence(['store/**/*.ts'], [{ group: ours('api', 'workflows', 'activities', 'worker'), message: 'store/ persists: it imports core/ and domain/, never the API, workflows, activities or the worker.' }]),
  layerFence(['activities/**/*.ts'], [{ group: ours('api', 'workflows', 'worker'), message: 'activities/ are called by workflows and never call back: no API, workflow or worker code.' }]),
  layerFence(['api/**/*.ts'], [
    {
      group: ['**/activities/*.ts', '**/activities/**/*.ts', '!**/activities/catalog-info.ts', '!**/activities/*/info.ts', '!**/activities/shared/integration.ts'],
      message: 'The API imports no activity code: integration metadata comes from activities/catalog-info.ts (each folder\u2019s info.ts).',
      allowTypeImports: true,
    },
    { group: ours('worker'), message: 'The API and the worker are separate processes: no worker code in the API.' },
  ]),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'tmp/**', '**/*.d.mts', 'console/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', URLSearchParams: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      // The stores are async (SQLite or PostgreSQL behind one interface): a promise used as a value is a bug.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  ...layerFences,
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowRestrictions],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows cannot read the environment; pass settings in the workflow input.' },
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'fetch', message: 'Do I/O in an activity.' },
        { name: 'require', message: 'Use import.' },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Math.random is replaced in the sandbox but say what you mean: use uuid4() or pass randomness in.' }],
    },
  },
  {
    // Tests inspect vendor-shaped JSON; `any` there is a convenience, not a type hole in the product.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'core/ is pure: it imports nothing but its own files.' }] }],
    },
  }
);
