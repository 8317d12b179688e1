import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/create-worker.ts';
import { testTelemetry } from '../helpers/temporal.ts';

const dir = new URL('./histories/', import.meta.url);
const histories = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(fs.readFileSync(new URL(f, dir), 'utf8'))) }));

async function replayAll(workflows: { workflowBundle: { codePath: string } } | { workflowsPath: string }, only = histories) {
  const results = [];
  for await (const r of Worker.runReplayHistories({ ...workflows, plugins: [testTelemetry().temporalPlugin], replayName: 'riposte-replay' }, only)) {
    results.push(r);
  }
  return results;
}

describe('replay: committed histories of running playbooks still replay', () => {
  it('has recorded histories to replay', () => {
    assert.ok(histories.length >= 6, `found ${histories.length} histories in test/replay/histories`);
    assert.ok(histories.some((h) => h.workflowId.startsWith('case_')), 'the case workflow has histories too');
  });

  it('every recorded history (playbooks and cases) replays without a determinism error', async () => {
    const bundle = process.env.RIPOSTE_WORKFLOW_BUNDLE;
    const results = await replayAll(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: WORKFLOWS_PATH });
    assert.equal(results.length, histories.length);
    for (const r of results) assert.equal(r.error, undefined, `${r.workflowId}: ${String(r.error)}`);
  });

  it('a playbook whose steps drifted fails replay (negative control)', async () => {
    const playbookHistories = histories.filter((h) => h.workflowId.startsWith('suspected-c2_'));
    const results = await replayAll({ workflowsPath: fileURLToPath(new URL('./drifted/index.ts', import.meta.url)) }, playbookHistories);
    assert.equal(results.length, playbookHistories.length);
    assert.ok(results.length > 0);
    for (const r of results) assert.ok(r.error instanceof DeterminismViolationError, `${r.workflowId} should not replay: got ${String(r.error)}`);
  });
});
