import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/create-worker.ts';
import { testTelemetry } from '../helpers/temporal.ts';
import { PLAYBOOKS } from '../../workflows/playbooks/index.ts';

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
  it('has recorded histories of every playbook, and of the case (continued as new while a playbook runs)', () => {
    for (const p of PLAYBOOKS) assert.ok(histories.some((h) => h.workflowId.startsWith(`${p.meta.name}_`) || h.workflowId.startsWith(`${p.meta.name}-v`)), `no recorded history of ${p.meta.name}: npm run record:histories`);
    assert.ok(histories.some((h) => h.workflowId.startsWith('case_continued-as-new-while-playbook-runs')), 'the case continued as new while a playbook ran');
    assert.ok(histories.filter((h) => h.workflowId.startsWith('suspected-c2_')).length >= 4, 'version 1 of suspected-c2 still replays');
  });

  it('every recorded history (playbooks and cases) replays without a determinism error', async () => {
    const bundle = process.env.RIPOSTE_WORKFLOW_BUNDLE;
    const results = await replayAll(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: WORKFLOWS_PATH });
    assert.equal(results.length, histories.length);
    for (const r of results) assert.equal(r.error, undefined, `${r.workflowId}: ${String(r.error)}`);
  });

  it('a playbook whose steps drifted fails replay (negative control), for every playbook', async () => {
    const playbookHistories = histories.filter((h) => !h.workflowId.startsWith('case_'));
    const results = await replayAll({ workflowsPath: fileURLToPath(new URL('./drifted/index.ts', import.meta.url)) }, playbookHistories);
    assert.equal(results.length, playbookHistories.length);
    assert.ok(results.length > 0);
    for (const r of results) assert.ok(r.error instanceof DeterminismViolationError, `${r.workflowId} should not replay: got ${String(r.error)}`);
  });
});
