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
      group: ['@temporalio/activity', '@temporalio/worker', '@temporalio/client', '@temporalio/testing', '@opentelemetry/sdk-*', '**/config/**', '**/api/**', '**/worker/**', '**/telemetry/**'],
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

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'tmp/**', '**/*.d.mts'] },
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
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
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
