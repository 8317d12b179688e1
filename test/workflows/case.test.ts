// The case workflow on a real Temporal dev server: batches in, re-deliveries ignored, each
// playbook started once, continue-as-new with its state, and an idle case ends.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { alertsSignal, caseStateQuery, playbookWorkflowId, type CaseAlertItem, type CaseInput } from '../../workflows/definitions.ts';
import { c2Alert } from '../helpers/alerts.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { startWorker, testClient, uniqueQueue, type RunningWorker } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';

describe('case workflow', () => {
  let client: Client;
  let close: () => Promise<void>;
  let worker: RunningWorker;
  let taskQueue: string;

  before(async () => {
    ({ client, close } = await testClient());
  });
  after(() => close());
  afterEach(() => worker?.stop());

  async function startCase(caseId: string, extra: Partial<CaseInput> = {}) {
    taskQueue = uniqueQueue('case');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    const input: CaseInput = { caseId, settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', idleTimeout: '1h' }, ...extra };
    return client.workflow.start('caseWorkflow', { taskQueue, workflowId: `case-${caseId}`, args: [input] });
  }
  const item = (seq: number, opts: Parameters<typeof c2Alert>[0] = {}): CaseAlertItem => ({ seq, kind: 'new', alert: c2Alert({ severity_id: 1, ...opts }) });

  it('takes alerts in batches, ignores re-delivered ones, and starts each playbook once per case', async () => {
    const caseId = `cs_${Date.now().toString(16).padStart(16, '0')}`;
    const h = await startCase(caseId);
    await h.signal(alertsSignal, { items: [item(1), item(2), item(3, { severity_id: 4, uid: 'c2-a' })] });
    await h.signal(alertsSignal, { items: [item(2), item(3, { severity_id: 4, uid: 'c2-a' })] }); // a re-delivery
    await h.signal(alertsSignal, { items: [item(4, { severity_id: 4, uid: 'c2-b' })] });
    const state = await waitFor(() => h.query(caseStateQuery), (s) => s.lastSeq === 4, 15_000, 'all batches');
    assert.equal(state.alerts, 4, 'every alert counted once');
    assert.deepEqual(Object.keys(state.playbooks), [playbookWorkflowId('suspected-c2', caseId)], 'one C2 playbook for the case');
    const child = client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId));
    assert.equal((await child.describe()).status.name, 'RUNNING');
    await child.terminate('test done');
    await h.terminate('test done');
  });

  it('continues as new before its history grows large, carrying what it knows', async () => {
    const caseId = `cs_${(Date.now() + 1).toString(16).padStart(16, '0')}`;
    const h = await startCase(caseId, { historyBudget: 30 });
    for (let seq = 1; seq <= 40; seq++) await h.signal(alertsSignal, { items: [item(seq)] });
    const state = await waitFor(() => client.workflow.getHandle(`case-${caseId}`).query(caseStateQuery), (s) => s.lastSeq === 40 && s.runs >= 2, 20_000, 'a continued run with all alerts');
    assert.equal(state.alerts, 40, 'nothing lost or repeated across runs');
    const latest = await client.workflow.getHandle(`case-${caseId}`).describe();
    assert.ok(latest.historyLength < 60, `the current run's history stays short (${latest.historyLength} events)`);
    await client.workflow.getHandle(`case-${caseId}`).terminate('test done');
  });

  it('an idle case with nothing running ends', async () => {
    const caseId = `cs_${(Date.now() + 2).toString(16).padStart(16, '0')}`;
    const h = await startCase(caseId, { settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', idleTimeout: '2s' } });
    await h.signal(alertsSignal, { items: [item(1)] });
    const final = await h.result();
    assert.equal(final.alerts, 1);
  });
});
