// Four-eyes approvals: a listed approval, or one touching a critical asset, needs two distinct
// analysts — over the HTTP API as analysts use it — and nobody approves a run they started.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { isAsset } from '../../core/assets.ts';
import { c2Finding, c2Alert, playbookInput } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { startPlaybookHarness, type PlaybookHarness } from '../helpers/playbooks.ts';
import { waitFor } from '../helpers/temporal.ts';

describe('four-eyes approvals', () => {
  let pb: PlaybookHarness;
  let api: TestApi;
  before(async () => {
    // Blocking egress always needs two; anything touching the finance network or db-1 does too.
    pb = await startPlaybookHarness('four-eyes', { env: { RIPOSTE_TWO_PERSON_APPROVALS: 'contain-egress', RIPOSTE_CRITICAL_ASSETS: '10.66.0.0/16,db-1.corp.test' } });
    api = await startApi({ client: pb.client, taskQueue: pb.worker.taskQueue });
  });
  after(async () => {
    await api?.close();
    await pb?.stop();
  });

  const as = (token: string) => ({
    get: (p: string) => api.request('GET', p, { token }),
    post: (p: string, body: unknown = {}) => api.request('POST', p, { token, body }),
  });

  it('a listed approval waits for a second, different analyst: the first approval keeps it pending, the same person again is refused (403)', async () => {
    const posted = await as(TOKENS.source).post('/v1/alerts', c2Finding({ hostname: 'fe-1.corp.test', hostIp: '10.30.0.9', remoteIp: '198.51.100.90' }));
    const caseId = posted.body.caseId;
    const waiting = await waitFor(() => as(TOKENS.analyst).get(`/v1/cases/${caseId}`), (r) => r.body?.status === 'awaiting_approval', 20_000, 'awaiting_approval');
    const approval = waiting.body.pendingApprovals[0];
    assert.deepEqual([approval.required, approval.requiredWhy], [2, 'contain-egress needs two analysts (RIPOSTE_TWO_PERSON_APPROVALS)']);

    const first = await as(TOKENS.analyst).post(`/v1/cases/${caseId}/approvals/${approval.id}`, { decision: 'approve', comment: 'beacon confirmed' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.approval.status, 'pending');
    assert.deepEqual(first.body.approval.approvedBy.map((a: { by: string }) => a.by), ['alice']);
    const again = await as(TOKENS.analyst).post(`/v1/cases/${caseId}/approvals/${approval.id}`, { decision: 'approve' });
    assert.equal(again.status, 403);
    assert.match(again.body.detail, /already approved .* needs another analyst/);
    const still = await as(TOKENS.analyst).get(`/v1/cases/${caseId}`);
    assert.deepEqual([still.body.status, still.body.actions.length], ['awaiting_approval', 0], 'nothing was done on one approval');

    const second = await as(TOKENS.analyst2).post(`/v1/cases/${caseId}/approvals/${approval.id}`, { decision: 'approve' });
    assert.equal(second.status, 200);
    assert.equal(second.body.approval.status, 'approved');
    const done = await waitFor(() => as(TOKENS.analyst).get(`/v1/cases/${caseId}`), (r) => r.body.status === 'contained', 20_000, 'contained');
    assert.equal(done.body.actions[0].approvedBy, 'alice and bob');
    assert.ok((await api.audit.list({ caseId, limit: 50 })).some((e) => e.action === 'decideApproval' && e.status === 403 && e.actor === 'alice'), 'the refusal is audited');
  });

  it('an approval touching a critical asset needs two, and says which asset; one rejection settles it', async () => {
    const h = await pb.start('suspectedC2Playbook', playbookInput(c2Alert({ hostname: 'pay-1.corp.test', hostIp: '10.66.4.2', remoteIp: '198.51.100.91' }), { onApprovalTimeout: 'none' }));
    const view = await pb.awaitingApproval(h);
    assert.deepEqual([view.approvals[0]?.required, view.approvals[0]?.requiredWhy], [2, 'critical asset 10.66.4.2 (RIPOSTE_CRITICAL_ASSETS)']);
    await pb.decide(h, view.approvals[0]?.id as string, 'reject', 'carol');
    const result = await pb.result(h);
    assert.deepEqual([result.approvals[0]?.status, result.approvals[0]?.decidedBy, result.actions?.length], ['rejected', 'carol', 0]);
  });

  it('whoever started a run may reject what it asks, never approve it', async () => {
    const h = await pb.start('suspectedC2Playbook', { ...playbookInput(c2Alert({ hostname: 'rerun-1.corp.test', hostIp: '10.31.0.4', remoteIp: '198.51.100.92' })), requestedBy: 'carol' });
    const view = await pb.awaitingApproval(h);
    assert.equal(view.approvals[0]?.requestedBy, 'carol');
    const refused = await pb.decide(h, view.approvals[0]?.id as string, 'approve', 'carol').catch((e: unknown) => e);
    assert.match(String((refused as { cause?: { message?: string } }).cause?.message ?? refused), /carol started this run and may not approve/);
    assert.equal((await pb.view(h)).approvals[0]?.status, 'pending', 'the refusal changed nothing');
    await pb.decide(h, view.approvals[0]?.id as string, 'reject', 'carol');
    assert.equal((await pb.result(h)).approvals[0]?.status, 'rejected');
  });

  it('takes a decision only once Temporal has its update: nothing is recorded or done in the task that accepts it; two at once both count', async () => {
    const h = await pb.start('suspectedC2Playbook', playbookInput(c2Alert({ hostname: 'fe-2.corp.test', hostIp: '10.30.0.10', remoteIp: '198.51.100.93' })));
    const id = (await pb.awaitingApproval(h)).approvals[0]?.id as string;
    // Two analysts approve at the same moment: both approvals count, and the second one settles it.
    await Promise.all([pb.decide(h, id, 'approve', 'alice'), pb.decide(h, id, 'approve', 'bob')]);
    const result = await pb.result(h);
    assert.equal(result.approvals[0]?.status, 'approved');
    assert.deepEqual(result.approvals[0]?.approvedBy?.map((a) => a.by).sort(), ['alice', 'bob']);

    // An update is history once the task that accepted it completes; a lost task loses it. So in
    // that task nothing may reach the case record (a local activity's marker): the first record
    // write after each acceptance comes after a timer that could fire only once it was in history.
    const events = (await h.fetchHistory()).events ?? [];
    const E = proto.temporal.api.enums.v1.EventType;
    const accepted = events.flatMap((e, i) => (e.eventType === E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED ? [i] : []));
    assert.equal(accepted.length, 2, 'two accepted updates');
    for (const i of accepted) {
      const marker = events.findIndex((e, j) => j > i && e.eventType === E.EVENT_TYPE_MARKER_RECORDED);
      const fired = events.findIndex((e, j) => j > i && e.eventType === E.EVENT_TYPE_TIMER_FIRED);
      assert.ok(fired > i && fired < marker, `a timer fires between the acceptance (#${i}) and the next record write (#${marker}): fired at #${fired}`);
    }
  });

  it('matches critical assets by name, zone and IPv4 range', () => {
    assert.ok(isAsset('db-1.corp.test', 'DB-1.corp.test'));
    assert.ok(isAsset('*.pay.corp.test', 'api.pay.corp.test'));
    assert.ok(!isAsset('*.pay.corp.test', 'pay.corp.test.evil.test'));
    assert.ok(isAsset('10.66.0.0/16', '10.66.255.1'));
    assert.ok(!isAsset('10.66.0.0/16', '10.67.0.1'));
    assert.ok(isAsset('0.0.0.0/0', '8.8.8.8'));
    assert.ok(!isAsset('10.66.0.0/40', '10.66.0.1'));
  });
});
