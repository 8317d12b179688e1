// Case and playbook workflows in Temporal as an operator finds them (search attributes on the dev
// server `npm start` runs), and an analyst running a playbook again for a case over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { startPlaybookHarness, type PlaybookHarness } from '../helpers/playbooks.ts';
import { waitFor } from '../helpers/temporal.ts';
import { caseWorkflowId } from '../../workflows/definitions.ts';

/** Workflow IDs a visibility query finds (the Temporal CLI's `workflow list --query`). */
async function found(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of client.workflow.list({ query })) ids.push(w.workflowId);
  return ids.sort();
}

describe('case workflows in Temporal, and re-runs', () => {
  let pb: PlaybookHarness;
  let api: TestApi;
  before(async () => {
    pb = await startPlaybookHarness('case-runs');
    // A short idle timeout: the case workflow ends soon after its response, as a quiet case's does.
    api = await startApi({ client: pb.client, taskQueue: pb.worker.taskQueue, settings: { idleTimeout: '2s' } });
  });
  after(async () => {
    await api?.close();
    await pb?.stop();
  });

  const as = (token: string) => ({
    get: (p: string) => api.request('GET', p, { token }),
    post: (p: string, body: unknown = {}) => api.request('POST', p, { token, body }),
  });
  const caseReads = (caseId: string, until: (body: any) => boolean, what: string) =>
    waitFor(() => as(TOKENS.analyst).get(`/v1/cases/${caseId}`), (r) => r.status === 200 && until(r.body), 30_000, what);

  it('case and playbook workflows carry the case id, severity, status, host and playbook: the Temporal UI and CLI filter by them', async () => {
    const posted = await as(TOKENS.source).post('/v1/alerts', c2Finding({ hostname: 'sa-1.corp.test', hostIp: '10.40.0.7', remoteIp: '198.51.100.120' }));
    const caseId: string = posted.body.caseId;
    const waiting = await caseReads(caseId, (c) => c.status === 'awaiting_approval', 'awaiting_approval');
    const run = `suspected-c2-${caseId}`;

    assert.deepEqual(await found(pb.client, `RiposteCaseId = "${caseId}"`), [caseWorkflowId(caseId), run].sort());
    await waitFor(() => found(pb.client, `RiposteCaseId = "${caseId}" AND RiposteStatus = "awaiting_approval"`), (ids) => ids.includes(run), 10_000, 'status awaiting_approval in visibility');
    const run1 = await pb.client.workflow.getHandle(run).describe();
    assert.equal(run1.typedSearchAttributes.get({ name: 'RipostePlaybook', type: 'KEYWORD' } as never), 'suspected-c2');
    assert.deepEqual(await found(pb.client, `RiposteHost = "sa-1.corp.test" AND RipostePlaybook = "suspected-c2" AND RiposteSeverity = "High"`), [run]);
    const c = await pb.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
    assert.deepEqual(c.typedSearchAttributes.get({ name: 'RiposteHost', type: 'KEYWORD_LIST' } as never), ['sa-1.corp.test', '10.40.0.7']);

    await as(TOKENS.analyst).post(`/v1/cases/${caseId}/approvals/${waiting.body.pendingApprovals[0].id}`, { decision: 'approve' });
    await caseReads(caseId, (b) => b.status === 'contained', 'contained');
    await waitFor(() => found(pb.client, `RiposteCaseId = "${caseId}" AND RiposteStatus = "contained"`), (ids) => ids.includes(run), 10_000, 'status contained in visibility');
  });

  it('an analyst runs a playbook again: run 2 after the case workflow ended, started by them (who then may not approve it); refused while it runs, for an unknown playbook, one no alert fits, or a closed case', async () => {
    const posted = await as(TOKENS.source).post('/v1/alerts', c2Finding({ hostname: 'rr-1.corp.test', hostIp: '10.40.0.8', remoteIp: '198.51.100.121' }));
    const caseId: string = posted.body.caseId;
    const waiting = await caseReads(caseId, (c) => c.status === 'awaiting_approval', 'awaiting_approval');
    await as(TOKENS.analyst).post(`/v1/cases/${caseId}/approvals/${waiting.body.pendingApprovals[0].id}`, { decision: 'reject', comment: 'not yet' });
    await caseReads(caseId, (b) => b.status === 'closed', 'the first run ended');
    // The case workflow ends once idle: the re-run starts it again.
    await waitFor(() => pb.client.workflow.getHandle(caseWorkflowId(caseId)).describe(), (d) => d.status.name === 'COMPLETED', 30_000, 'case workflow ended');

    const rerun = await as(TOKENS.analyst).post(`/v1/cases/${caseId}/playbooks/suspected-c2/runs`, { comment: 'beacon seen again on the proxy' });
    assert.equal(rerun.status, 202, JSON.stringify(rerun.body));
    assert.deepEqual([rerun.body.run, rerun.body.workflowId, rerun.body.alertId], [2, `suspected-c2-${caseId}-run2`, waiting.body.alertIds[0]]);

    const again = await as(TOKENS.analyst2).post(`/v1/cases/${caseId}/playbooks/suspected-c2/runs`);
    assert.equal(again.status, 409, 'refused while run 2 is going');
    assert.match(again.body.detail, /run 2 of suspected-c2 is still going/);

    const second = await caseReads(caseId, (c) => c.status === 'awaiting_approval', 'run 2 asks');
    assert.deepEqual(second.body.playbooks.map((p: { workflowId: string }) => p.workflowId), [`suspected-c2-${caseId}`, `suspected-c2-${caseId}-run2`]);
    const ask = second.body.pendingApprovals[0];
    assert.equal(ask.requestedBy, 'alice');
    assert.ok(second.body.timeline.some((t: { step: string; message: string }) => t.step === 'rerun' && /suspected-c2 run 2 started by alice — "beacon seen again on the proxy"/.test(t.message)));
    assert.ok(second.body.timeline.some((t: { message: string }) => /run 2, run again by alice/.test(t.message)), 'the run says who started it');

    const own = await as(TOKENS.analyst).post(`/v1/cases/${caseId}/approvals/${ask.id}`, { decision: 'approve' });
    assert.equal(own.status, 403, 'whoever re-ran it may not approve it');
    const other = await as(TOKENS.analyst2).post(`/v1/cases/${caseId}/approvals/${ask.id}`, { decision: 'approve' });
    assert.equal(other.status, 200);
    const done = await caseReads(caseId, (c) => c.status === 'contained', 'run 2 contained');
    assert.equal(done.body.actions.length, 1);

    const unknown = await as(TOKENS.analyst).post(`/v1/cases/${caseId}/playbooks/no-such-playbook/runs`);
    assert.equal(unknown.status, 404);
    const unfit = await as(TOKENS.analyst).post(`/v1/cases/${caseId}/playbooks/aws-credential-compromise/runs`);
    assert.equal(unfit.status, 422);
    assert.match(unfit.body.detail, /none of this case’s alerts is one aws-credential-compromise responds to/);
    assert.equal((await as(TOKENS.viewer).post(`/v1/cases/${caseId}/playbooks/suspected-c2/runs`)).status, 403);

    await as(TOKENS.analyst).post(`/v1/cases/${caseId}/close`, { resolution: 'contained and verified' });
    const closed = await as(TOKENS.analyst).post(`/v1/cases/${caseId}/playbooks/suspected-c2/runs`);
    assert.equal(closed.status, 409);
    assert.match(closed.body.detail, /reopen it/);
    const after = await as(TOKENS.analyst).get(`/v1/cases/${caseId}`);
    assert.equal(after.body.playbooks.length, 2, 'no refused request started a run');
    assert.ok((await api.audit.list({ caseId, limit: 50 })).some((e) => e.action === 'rerunPlaybook' && e.status === 409 && e.actor === 'bob'), 'refusals are audited');
  });

  it('a run terminated from the Temporal UI or CLI stops reading "awaiting approval": the record gets its end, its approval withdrawn', async () => {
    const posted = await as(TOKENS.source).post('/v1/alerts', c2Finding({ hostname: 'tm-1.corp.test', hostIp: '10.40.0.9', remoteIp: '198.51.100.122' }));
    const caseId: string = posted.body.caseId;
    const waiting = await caseReads(caseId, (c) => c.status === 'awaiting_approval', 'awaiting_approval');
    const pendingBefore = (await api.record.pendingApprovals());
    await pb.client.workflow.getHandle(`suspected-c2-${caseId}`).terminate('stopped by an operator');

    assert.ok((await api.runWatch.tick()) >= 1);
    const ended = (await as(TOKENS.analyst).get(`/v1/cases/${caseId}`)).body;
    assert.equal(ended.status, 'failed');
    assert.deepEqual(ended.pendingApprovals, []);
    assert.equal(ended.approvals[0].status, 'withdrawn');
    assert.ok(ended.timeline.some((t: { message: string }) => /the run was terminated in Temporal before it finished/.test(t.message)));
    assert.equal((await api.record.pendingApprovals()), pendingBefore - 1, 'no longer counted as waiting');
    const late = await as(TOKENS.analyst).post(`/v1/cases/${caseId}/approvals/${waiting.body.pendingApprovals[0].id}`, { decision: 'approve' });
    assert.equal(late.status, 409);
    assert.equal(await api.runWatch.tick(), 0, 'recorded once');
  });
});
