// The case workflow on a real Temporal dev server: batches in, re-deliveries ignored, each
// playbook started once, continue-as-new with its state, and an idle case ends.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { alertsSignal, approvalUpdate, caseStateQuery, playbookViewQuery, playbookWorkflowId, type CaseAlertItem, type CaseInput } from '../../workflows/definitions.ts';
import { MAX_INDICATORS } from '../../workflows/playbook.ts';
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

  it('a later alert joins the running playbook; once it ended, only an alert with new indicators starts another run', async () => {
    const caseId = `cs_${(Date.now() + 3).toString(16).padStart(16, '0')}`;
    const h = await startCase(caseId, { settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', idleTimeout: '1h' } });
    const first = client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId));
    await h.signal(alertsSignal, { items: [item(1, { severity_id: 4, uid: 'r-1', remoteIp: '203.0.113.7' })] });
    await waitFor(() => first.query(playbookViewQuery), (v) => v.status === 'awaiting_approval', 15_000, 'the first run asks');
    await h.signal(alertsSignal, { items: [item(2, { severity_id: 4, uid: 'r-2', remoteIp: '203.0.113.9' })] });
    await waitFor(() => first.query(playbookViewQuery), (v) => v.alertIds.length === 2, 15_000, 'the later alert in the running run');
    await first.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'reject', actor: 'alice' }] });
    // The run takes the later alert's new address in a second round.
    const round2 = await waitFor(() => first.query(playbookViewQuery), (v) => v.approvals.some((a) => a.status === 'pending'), 15_000, 'a second round');
    assert.match(round2.approvals.find((a) => a.status === 'pending')?.action ?? '', /203\.0\.113\.9/);
    await first.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress-2', decision: 'reject', actor: 'alice' }] });
    assert.ok((await first.result()).indicators?.some((i: { value: string }) => i.value === '203.0.113.9'));
    await waitFor(() => h.query(caseStateQuery), (s) => Object.values(s.playbooks).every((p) => p === 'done'), 15_000, 'the case hears the run ended');
    await h.signal(alertsSignal, { items: [item(3, { severity_id: 4, uid: 'r-3', remoteIp: '203.0.113.7' })] });
    await h.signal(alertsSignal, { items: [item(4, { severity_id: 4, uid: 'r-4', remoteIp: '198.51.100.4' })] });
    const state = await waitFor(() => h.query(caseStateQuery), (st) => st.lastSeq === 4 && Object.keys(st.playbooks).length === 2, 15_000, 'all alerts, and a second run');
    assert.deepEqual(Object.keys(state.playbooks).sort(), [playbookWorkflowId('suspected-c2', caseId), playbookWorkflowId('suspected-c2', caseId, 2)], 'a second run, only for the new address');
    const second = await client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId, 2)).query(playbookViewQuery);
    assert.equal(second.run, 2);
    await client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId, 2)).terminate('test done');
    await h.terminate('test done');
  });

  it('indicators past a run\u2019s bound are handed back to the case, which starts a new run for just those', async () => {
    const caseId = `cs_${(Date.now() + 5).toString(16).padStart(16, '0')}`;
    const h = await startCase(caseId);
    const alert = c2Alert({ severity_id: 4, uid: 'many-1', remoteIp: '203.0.113.1' });
    const remotes = Array.from({ length: MAX_INDICATORS + 5 }, (_, i) => `198.51.100.${i + 1}`);
    alert.observables.push(...remotes.map((value) => ({ type: 'ip' as const, value, role: 'dst' as const })));
    await h.signal(alertsSignal, { items: [{ seq: 1, kind: 'new', alert }] });
    const first = client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId));
    const asking = await waitFor(() => first.query(playbookViewQuery), (v) => v.status === 'awaiting_approval', 20_000, 'the first run asks');
    assert.equal(asking.indicators?.length, MAX_INDICATORS);
    await first.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'reject', actor: 'alice' }] });
    const handledFirst = new Set(((await first.result()).indicators ?? []).map((i: { value: string }) => i.value));

    const second = client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId, 2));
    const v2 = await waitFor(() => second.query(playbookViewQuery).catch(() => undefined), (v) => v?.status === 'awaiting_approval', 20_000, 'a second run for the rest');
    const handledSecond = (v2?.indicators ?? []).map((i) => i.value);
    assert.ok(handledSecond.length > 0 && handledSecond.every((v) => !handledFirst.has(v)), 'the second run does not redo what the first handled');
    for (const remote of ['203.0.113.1', ...remotes]) assert.ok(handledFirst.has(remote) || handledSecond.includes(remote), `${remote} is handled by one of the runs`);
    await second.terminate('test done');
    await h.terminate('test done');
  });

  it('a playbook terminated without telling its case does not keep the case open', async () => {
    const caseId = `cs_${(Date.now() + 4).toString(16).padStart(16, '0')}`;
    const h = await startCase(caseId, { settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', idleTimeout: '2s' } });
    await h.signal(alertsSignal, { items: [item(1, { severity_id: 4, uid: 't-1' })] });
    const child = client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId));
    await waitFor(() => child.query(playbookViewQuery), (v) => v.status === 'awaiting_approval', 15_000, 'the run asks');
    await child.terminate('an operator terminated it');
    const final = await h.result();
    assert.equal(final.playbooks[playbookWorkflowId('suspected-c2', caseId)], 'done');
  });

  it('an idle case with nothing running ends', async () => {
    const caseId = `cs_${(Date.now() + 2).toString(16).padStart(16, '0')}`;
    const h = await startCase(caseId, { settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', idleTimeout: '2s' } });
    await h.signal(alertsSignal, { items: [item(1)] });
    const final = await h.result();
    assert.equal(final.alerts, 1);
  });
});
