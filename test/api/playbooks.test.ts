// The playbook library through the API: the catalog the worker answers, dry runs that change
// nothing and create no case, and undoing an action from the case — on a real dev server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { guardduty } from '../../api/sources/guardduty.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { PLAYBOOK_ALERTS } from '../helpers/playbook-alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { assertMatchesDocument } from '../helpers/openapi.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

describe('playbooks through the API', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;
  let doc: any;
  const tickets = new RecordingTickets();
  const egress = new RecordingEgress();

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    const taskQueue = uniqueQueue('pbapi');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets, egress } });
    api = await startApi({ client, taskQueue, settings: { approvalTimeout: '10m' } });
    doc = (await api.request('GET', '/v1/openapi.json')).body;
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await closeClient?.();
  });

  it('GET /v1/playbooks lists every playbook with its route, settings (and their variables), approvals, side effects and version', async () => {
    const res = await api.request('GET', '/v1/playbooks', { token: TOKENS.analyst });
    assert.equal(res.status, 200);
    assertMatchesDocument(doc, 'GET', '/v1/playbooks', 200, res.body);
    const c2 = res.body.playbooks.find((p: { name: string }) => p.name === 'suspected-c2');
    assert.equal(c2.workflowType, 'suspectedC2Playbook');
    assert.equal(c2.version, 2);
    assert.match(c2.route, /internal host/);
    assert.deepEqual(c2.approvals.map((a: { id: string }) => a.id), ['contain-egress']);
    assert.ok(c2.sideEffects.includes('contain:egress'));
    const timeout = c2.settings.find((s: { name: string }) => s.name === 'approvalTimeout');
    assert.deepEqual([timeout.env, timeout.default], ['RIPOSTE_SUSPECTED_C2_APPROVAL_TIMEOUT', '30m']);
    assert.ok(res.body.playbooks.some((p: { name: string }) => p.name === 'ioc-sweep'));
    for (const p of res.body.playbooks) assert.ok(p.description.length > 40, `${p.name} describes itself`);
    assert.equal((await api.request('GET', '/v1/playbooks', { token: TOKENS.source })).status, 403);
    assert.equal((await api.request('GET', '/v1/playbooks')).status, 401);
  });

  it('a dry run answers what the playbook would do, takes no side effect and creates no case', async () => {
    const before = { blocks: egress.blocks.length, tickets: tickets.opened.length, alerts: await api.store.countAlerts() };
    const res = await api.request('POST', '/v1/playbooks/suspected-c2/dry-run', { token: TOKENS.analyst, body: { alert: c2Finding({ uid: 'dry-1', severity_id: 4 }), approvals: 'approve' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertMatchesDocument(doc, 'POST', '/v1/playbooks/{name}/dry-run', 200, res.body);
    assert.equal(res.body.playbook, 'suspected-c2');
    assert.match(res.body.workflowId, /^dryrun-suspected-c2-/);
    assert.equal(res.body.actions.length, 1);
    assert.equal(res.body.actions[0].simulated, true);
    assert.ok(res.body.timeline.some((t: { message: string }) => /^dry run: would open a recording ticket/.test(t.message)));
    assert.ok(res.body.timeline.some((t: { message: string }) => /^simulated: blocked|^simulated: block egress/.test(t.message)));
    assert.match(res.body.report, /DRY RUN/);
    assert.deepEqual({ blocks: egress.blocks.length, tickets: tickets.opened.length, alerts: await api.store.countAlerts() }, before, 'nothing happened, no alert or case was stored');

    const rejected = await api.request('POST', '/v1/playbooks/suspected-c2/dry-run', { token: TOKENS.analyst, body: { alert: c2Finding({ uid: 'dry-2' }), approvals: 'reject' } });
    assert.equal(rejected.body.actions.length, 0);
    assert.equal(rejected.body.approvals[0].status, 'rejected');

    const aws = await api.request('POST', '/v1/playbooks/suspected-c2/dry-run', { token: TOKENS.analyst, body: { alert: guardduty.example, source: 'guardduty' } });
    assert.equal(aws.status, 200, 'an alert in its source\u2019s own format (GuardDuty)');
  });

  it('every playbook answers a dry run with its timeline', async () => {
    const catalog = (await api.request('GET', '/v1/playbooks', { token: TOKENS.analyst })).body.playbooks.map((p: { name: string }) => p.name);
    for (const name of catalog) {
      const kind = PLAYBOOK_ALERTS.find((k) => k.playbook === name);
      const alert = kind ? kind.alert(900) : { path: '/v1/alerts', body: c2Finding({ uid: `dry-${name}` }) };
      const source = alert.path === '/v1/alerts' ? 'ocsf' : (alert.path.split('/').pop() as string);
      const res = await api.request('POST', `/v1/playbooks/${name}/dry-run`, { token: TOKENS.analyst, body: { alert: alert.body, source, approvals: 'approve' } });
      assert.equal(res.status, 200, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.playbook, name);
      assert.ok(res.body.timeline.length > 2, `${name}: a timeline`);
      assert.ok(res.body.actions.every((a: { simulated: boolean }) => a.simulated), `${name}: nothing acted`);
    }
    assert.equal(catalog.length, 6);
  });

  it('a dry run refuses an unknown playbook (404), a malformed body (400) and an alert that does not read (422)', async () => {
    assert.equal((await api.request('POST', '/v1/playbooks/no-such-playbook/dry-run', { token: TOKENS.analyst, body: { alert: c2Finding() } })).status, 404);
    assert.equal((await api.request('POST', '/v1/playbooks/suspected-c2/dry-run', { token: TOKENS.analyst, body: { alert: c2Finding(), approvals: 'maybe' } })).status, 400);
    const bad = await api.request('POST', '/v1/playbooks/suspected-c2/dry-run', { token: TOKENS.analyst, body: { alert: { class_uid: 2004 } } });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.detail.length > 0);
    assert.equal((await api.request('POST', '/v1/playbooks/suspected-c2/dry-run', { token: TOKENS.source, body: { alert: c2Finding() } })).status, 403);
  });

  it('an analyst undoes a containment from the case: a failed undo may be asked again, the driver reverses it once, the case says who and when', async () => {
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `undo-${Date.now()}`, severity_id: 4 }) });
    const { caseId } = posted.body;
    await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'awaiting_approval', 20_000, 'approval');
    await api.request('POST', `/v1/cases/${caseId}/approvals/contain-egress`, { token: TOKENS.analyst, body: { decision: 'approve' } });
    const contained = await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'contained' && r.body.actions.length === 1, 20_000, 'containment');
    assertMatchesDocument(doc, 'GET', '/v1/cases/{caseId}', 200, contained.body);
    const action = contained.body.actions[0];
    assert.equal(action.status, 'applied');
    assert.equal(action.undo.op, 'unblock-egress');

    // The driver fails: the undo says so and may be asked again.
    egress.failUnblock = true;
    const failed = await api.request('POST', `/v1/cases/${caseId}/actions/${action.id}/undo`, { token: TOKENS.analyst, body: {} });
    egress.failUnblock = false;
    assert.equal(failed.status, 200, JSON.stringify(failed.body));
    assertMatchesDocument(doc, 'POST', '/v1/cases/{caseId}/actions/{actionId}/undo', 200, failed.body);
    assert.equal(failed.body.action.status, 'undo_failed');
    assert.match(failed.body.action.undone.description, /could not unblock-egress: .*the firewall refused the change/);
    assert.equal(failed.body.action.undone.by, 'alice');
    const read = await api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst });
    assert.equal(read.body.actions[0].status, 'undo_failed');
    assert.deepEqual(egress.unblocked, [], 'nothing was removed');

    const bob = await api.request('POST', `/v1/cases/${caseId}/actions/${action.id}/undo`, { token: TOKENS.analyst2, body: { comment: 'false positive: backup server' } });
    assert.equal(bob.status, 200, JSON.stringify(bob.body));
    assertMatchesDocument(doc, 'POST', '/v1/cases/{caseId}/actions/{actionId}/undo', 200, bob.body);
    assert.equal(bob.body.action.status, 'undone');
    assert.equal(bob.body.action.undone.by, 'bob');
    assert.deepEqual(egress.unblocked, [egress.blocks.at(-1)?.idempotencyKey], 'the driver removed exactly what the action added');

    const again = await api.request('POST', `/v1/cases/${caseId}/actions/${action.id}/undo`, { token: TOKENS.analyst, body: {} });
    assert.equal(again.status, 409);
    assert.equal(egress.unblocked.length, 1, 'undone once');
    assert.equal((await api.request('POST', `/v1/cases/${caseId}/actions/nope-1/undo`, { token: TOKENS.analyst, body: {} })).status, 404);
    assert.equal((await api.request('POST', `/v1/cases/${caseId}/actions/${action.id}/undo`, { token: TOKENS.source, body: {} })).status, 403);
    const view = await api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst });
    assert.equal(view.body.actions[0].status, 'undone');
    assert.match(view.body.actions[0].undone.description, /removed 1 egress block rule/);
  });

  it('a false-positive verdict offers to undo what is still in place', async () => {
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `fp-${Date.now()}`, severity_id: 4, hostIp: '10.20.7.77', hostname: 'db-77.corp.test', remoteIp: '198.51.100.77' }) });
    const { caseId } = posted.body;
    await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'awaiting_approval', 20_000, 'approval');
    await api.request('POST', `/v1/cases/${caseId}/approvals/contain-egress`, { token: TOKENS.analyst, body: { decision: 'approve' } });
    await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.actions?.length === 1, 20_000, 'containment');
    const verdict = await api.request('POST', `/v1/cases/${caseId}/verdict`, { token: TOKENS.analyst, body: { verdict: 'false_positive', comment: 'pentest' } });
    assert.equal(verdict.status, 200);
    assert.equal(verdict.body.undo.length, 1);
    assert.equal(verdict.body.undo[0].href, `/v1/cases/${caseId}/actions/${verdict.body.undo[0].actionId}/undo`);
  });
});
