// The layers are fenced, not only described (DESIGN.md "what may import what"): each forbidden
// import fails the lint, and the allowed ones pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../../', import.meta.url).pathname });

/** The lint's complaints about this code, linted as if it were that (existing) file. */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const fenced = (msgs: string[]) => msgs.some((m) => m.startsWith('@typescript-eslint/no-restricted-imports'));

describe('lint: every layer is fenced', () => {
  it('store/ never imports the API, workflows, activities or the worker', async () => {
    assert.ok(fenced(await lint('store/case-record.ts', "import { renderAnswer } from '../api/ingest/render.ts';\nexport const r = renderAnswer;\n")));
    assert.ok(fenced(await lint('store/case-record.ts', "import type { CaseInput } from '../workflows/definitions.ts';\nexport type C = CaseInput;\n")), 'not even a type');
    assert.deepEqual(await lint('store/case-record.ts', "import { fingerprint } from '../domain/entities.ts';\nexport const f = fingerprint;\n"), []);
  });

  it('domain/ imports only core/', async () => {
    assert.ok(fenced(await lint('domain/entities.ts', "import { openSharedFile } from '../store/shared-file.ts';\nexport const o = openSharedFile;\n")));
    assert.ok(fenced(await lint('domain/entities.ts', "import { loadConfig } from '../config/index.ts';\nexport const l = loadConfig;\n")));
    assert.deepEqual(await lint('domain/entities.ts', "import { severityName } from '../core/alert.ts';\nexport const s = severityName;\n"), []);
  });

  it('activities/ never call the API or workflow code', async () => {
    assert.ok(fenced(await lint('activities/greynoise/index.ts', "import { createApp } from '../../api/app.ts';\nexport const a = createApp;\n")));
    assert.ok(fenced(await lint('activities/greynoise/index.ts', "import { caseWorkflowId } from '../../workflows/definitions.ts';\nexport const c = caseWorkflowId;\n")));
  });

  it('the API imports no activity code — integration metadata only — and no worker code', async () => {
    assert.ok(fenced(await lint('api/integrations.ts', "import { createActivities } from '../activities/index.ts';\nexport const c = createActivities;\n")));
    assert.ok(fenced(await lint('api/integrations.ts', "import { GreyNoiseClient } from '../activities/greynoise/client.ts';\nexport const g = GreyNoiseClient;\n")));
    assert.ok(fenced(await lint('api/integrations.ts', "import { startWorker } from '../worker/index.ts';\nexport const s = startWorker;\n")));
    assert.deepEqual(
      await lint('api/integrations.ts', "import { INTEGRATIONS } from '../activities/catalog-info.ts';\nimport { info } from '../activities/greynoise/info.ts';\nexport const all = [INTEGRATIONS, info];\n"),
      []
    );
  });

  it('workflows/ never import the store (nor, as before, activity values, the API or the worker)', async () => {
    assert.ok(fenced(await lint('workflows/case.ts', "import { CaseRecordStore } from '../store/case-record.ts';\nexport const s = CaseRecordStore;\n")));
  });

  it('core/ imports nothing of ours', async () => {
    assert.ok(fenced(await lint('core/alert.ts', "import { fingerprint } from '../domain/entities.ts';\nexport const f = fingerprint;\n")));
  });
});
