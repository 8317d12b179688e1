// The determinism fence is real: ESLint refuses workflow code that could break replay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../../', import.meta.url).pathname });

// lintText lints the given text as if it were this (existing) file, so the project's type info applies.
async function lintWorkflow(code: string, file = 'workflows/playbooks/suspected-c2.ts') {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint: workflows stay deterministic', () => {
  it('refuses Node builtins in workflow code', async () => {
    const msgs = await lintWorkflow("import fs from 'node:fs';\nexport const f = fs;\n");
    assert.ok(msgs.some((m) => m.includes('no-restricted-imports') && m.includes('Temporal sandbox')), msgs.join('\n'));
  });

  it('refuses activity code imported as a value, accepts it as a type', async () => {
    const value = await lintWorkflow("import { createActivities } from '../../activities/index.ts';\nexport const a = createActivities;\n");
    assert.ok(value.some((m) => m.includes('only as a type')), value.join('\n'));
    const typeOnly = await lintWorkflow(
      "import { proxyActivities } from '@temporalio/workflow';\nimport type { Activities } from '../../activities/index.ts';\nexport const a = proxyActivities<Activities>({ startToCloseTimeout: '1m' });\n"
    );
    assert.deepEqual(typeOnly, []);
  });

  it('refuses I/O libraries, the environment and wall-clock timers in workflow code', async () => {
    const msgs = await lintWorkflow(
      "import express from 'express';\nexport const e = express;\nexport const t = process.env.X;\nsetTimeout(() => undefined, 1);\n"
    );
    assert.ok(msgs.some((m) => m.includes('no I/O libraries')), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.includes('no-restricted-globals') && m.includes('environment')), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.includes('sleep()')), msgs.join('\n'));
  });

  it('lets the same code through outside workflows/', async () => {
    const [result] = await eslint.lintText("import fs from 'node:fs';\nexport const f = fs;\n", { filePath: 'activities/index.ts' });
    assert.deepEqual(result?.messages, []);
  });
});
