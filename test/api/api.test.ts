import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { alertIdFor } from '../../domain/entities.ts';
import { playbookViewQuery, playbookWorkflowId } from '../../workflows/definitions.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { assertMatchesDocument } from '../helpers/openapi.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

describe('HTTP API contract (real Temporal behind it)', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;
  let doc: any;

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    const taskQueue = uniqueQueue('api');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    api = await startApi({ client, taskQueue, maxBodyBytes: 16 * 1024 });
    doc = (await api.request('GET', '/v1/openapi.json')).body;
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await closeClient?.();
  });

  const postAlert = (body: unknown, token = TOKENS.source) => api.request('POST', '/v1/alerts', { token, body });
  const noWorkflowFor = async (uid: string) => {
    const caseId = `cs_${alertIdFor('ocsf', uid).slice(3)}`;
    const err = await client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId)).describe().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowNotFoundError, `no playbook should exist for ${caseId}`);
  };

  describe('OpenAPI document', () => {
    it('is OpenAPI 3.1 and describes every route the app serves', async () => {
      assert.equal(doc.openapi, '3.1.0');
      const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m as object).map((k) => `${k.toUpperCase()} ${p}`));
      for (const op of ['POST /v1/alerts', 'GET /v1/cases/{caseId}', 'POST /v1/cases/{caseId}/approvals/{approvalId}', 'GET /v1/openapi.json', 'GET /v1/health']) {
        assert.ok(ops.includes(op), `${op} is documented`);
      }
      assert.equal(doc.paths['/v1/alerts'].post.requestBody.content['application/json'].schema.properties.class_uid.const, 2004);
    });
  });

  describe('authentication and roles', () => {
    it('no token → 401 with WWW-Authenticate; unknown token → 401', async () => {
      const none = await api.request('POST', '/v1/alerts', { body: c2Finding() });
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer');
      assert.equal(none.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      assertMatchesDocument(doc, 'POST', '/v1/alerts', 401, none.body);
      assert.equal((await postAlert(c2Finding(), 'not-a-real-token-xxxxxxxx')).status, 401);
    });

    it('an analyst token cannot post alerts (403), a source token cannot read cases (403)', async () => {
      const finding = c2Finding();
      const res = await postAlert(finding, TOKENS.analyst);
      assert.equal(res.status, 403);
      assert.match(res.body.detail, /source role/);
      assert.equal((await api.request('GET', '/v1/cases/cs_0123456789abcdef', { token: TOKENS.source })).status, 403);
    });
  });

  describe('POST /v1/alerts: bad input changes nothing', () => {
    it('malformed JSON → 400 saying so', async () => {
      const res = await api.request('POST', '/v1/alerts', { token: TOKENS.source, raw: '{"time": 1,', headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
      assert.match(res.body.detail, /malformed JSON/);
    });

    it('a missing required field → 400 naming it', async () => {
      const finding: any = c2Finding();
      delete finding.finding_info.uid;
      const res = await postAlert(finding);
      assert.equal(res.status, 400);
      assert.ok(res.body.errors.some((e: any) => e.path === 'finding_info.uid' && e.message === 'is required'), JSON.stringify(res.body));
      assertMatchesDocument(doc, 'POST', '/v1/alerts', 400, res.body);
    });

    it('a wrong type → 400 naming the field', async () => {
      const res = await postAlert({ ...c2Finding(), severity_id: 'high' });
      assert.equal(res.status, 400);
      assert.ok(res.body.errors.some((e: any) => e.path === 'severity_id'), JSON.stringify(res.body));
    });

    it('an IP observable that is not an IP → 400, and no playbook starts', async () => {
      const finding = c2Finding({ uid: 'bad-ip-obs' });
      finding.observables = [{ name: 'dst_endpoint.ip', type_id: 2, value: 'not-an-ip' }];
      const res = await postAlert(finding);
      assert.equal(res.status, 400);
      assert.match(res.body.detail, /observables\[0\]\.value is not an IP address/);
      await noWorkflowFor('bad-ip-obs');
    });

    it('a body over the limit → 413', async () => {
      const res = await postAlert({ ...c2Finding(), message: 'x'.repeat(20 * 1024) });
      assert.equal(res.status, 413);
      assert.match(res.body.detail, /larger than the 16384-byte limit/);
    });

    it('a non-JSON content type → 415', async () => {
      const res = await api.request('POST', '/v1/alerts', { token: TOKENS.source, raw: 'time=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(res.status, 415);
    });

    it('an alert no playbook acts on (no remote side) is still accepted into a case, and starts no playbook', async () => {
      const noRemote: any = c2Finding({ uid: `no-remote-${Date.now()}` });
      delete noRemote.evidences[0].dst_endpoint;
      const res = await postAlert(noRemote);
      assert.equal(res.status, 202);
      assert.equal(res.body.outcome, 'new');
      await api.dispatcher.drain();
      const view = await api.request('GET', `/v1/cases/${res.body.caseId}`, { token: TOKENS.analyst });
      assert.equal(view.status, 200);
      assert.deepEqual(view.body.playbooks, []);
      assert.deepEqual(view.body.alertIds, [res.body.alertId]);
    });
  });

  describe('accepting alerts, reading cases, deciding approvals', () => {
    let caseId: string;

    it('202 with alertId and caseId; a re-sent alert answers the same ids and starts nothing new', async () => {
      const finding = c2Finding({ uid: `api-${Date.now()}` });
      const first = await postAlert(finding);
      assert.equal(first.status, 202);
      assertMatchesDocument(doc, 'POST', '/v1/alerts', 202, first.body);
      assert.equal(first.body.duplicate, false);
      caseId = first.body.caseId;
      const handle = client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId));
      const runId = (await waitFor(() => handle.describe(), () => true, 20_000, 'the playbook to start')).runId;
      const again = await postAlert(finding);
      assert.equal(again.status, 202);
      assert.deepEqual(again.body, { ...first.body, duplicate: true, outcome: 'duplicate' });
      assert.equal((await handle.describe()).runId, runId, 'the same run, not a second playbook');
    });

    it('GET /v1/cases/{id} shows the case with its pending approval, as documented', async () => {
      const res = await waitFor(
        () => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }),
        (r) => r.body?.status === 'awaiting_approval',
        20_000,
        'awaiting_approval'
      );
      assert.equal(res.status, 200);
      assertMatchesDocument(doc, 'GET', '/v1/cases/{caseId}', 200, res.body);
      assert.equal(res.body.pendingApprovals.length, 1);
      assert.equal(res.body.pendingApprovals[0].id, 'contain-egress');
      assert.ok(res.body.timeline.length > 0);
    });

    it('unknown case → 404; malformed case id → 400', async () => {
      const unknown = await api.request('GET', '/v1/cases/cs_0000000000000000', { token: TOKENS.analyst });
      assert.equal(unknown.status, 404);
      assertMatchesDocument(doc, 'GET', '/v1/cases/{caseId}', 404, unknown.body);
      assert.equal((await api.request('GET', '/v1/cases/../../etc', { token: TOKENS.analyst })).status, 404);
      assert.equal((await api.request('GET', '/v1/cases/not-a-case', { token: TOKENS.analyst })).status, 400);
    });

    it('a source token deciding → 403 and the approval stays pending', async () => {
      const res = await api.request('POST', `/v1/cases/${caseId}/approvals/contain-egress`, { token: TOKENS.source, body: { decision: 'approve' } });
      assert.equal(res.status, 403);
      const view = await client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId)).query(playbookViewQuery);
      assert.equal(view.approvals[0]?.status, 'pending');
    });

    it('bad decisions → 400; unknown approval or case → 404', async () => {
      const path = `/v1/cases/${caseId}/approvals/contain-egress`;
      assert.equal((await api.request('POST', path, { token: TOKENS.analyst, body: { decision: 'maybe' } })).status, 400);
      assert.equal((await api.request('POST', path, { token: TOKENS.analyst, body: { decision: 'approve', approved: true } })).status, 400);
      const unknownApproval = await api.request('POST', `/v1/cases/${caseId}/approvals/nope`, { token: TOKENS.analyst, body: { decision: 'approve' } });
      assert.equal(unknownApproval.status, 404);
      assertMatchesDocument(doc, 'POST', '/v1/cases/{caseId}/approvals/{approvalId}', 404, unknownApproval.body);
      const unknownCase = await api.request('POST', '/v1/cases/cs_0000000000000000/approvals/contain-egress', { token: TOKENS.analyst, body: { decision: 'approve' } });
      assert.equal(unknownCase.status, 404);
    });

    it('approve → 200 with who decided; deciding again → 409; once the case has ended → 409', async () => {
      const path = `/v1/cases/${caseId}/approvals/contain-egress`;
      const ok = await api.request('POST', path, { token: TOKENS.analyst, body: { decision: 'approve', comment: 'beacon confirmed' } });
      assert.equal(ok.status, 200);
      assertMatchesDocument(doc, 'POST', '/v1/cases/{caseId}/approvals/{approvalId}', 200, ok.body);
      assert.equal(ok.body.approval.status, 'approved');
      assert.equal(ok.body.approval.decidedBy, 'alice');
      const again = await api.request('POST', path, { token: TOKENS.analyst2, body: { decision: 'reject' } });
      assert.equal(again.status, 409);
      assertMatchesDocument(doc, 'POST', '/v1/cases/{caseId}/approvals/{approvalId}', 409, again.body);
      await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'contained', 20_000, 'contained');
      const ended = await api.request('POST', path, { token: TOKENS.analyst2, body: { decision: 'reject' } });
      assert.equal(ended.status, 409);
      const view = (await api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst })).body;
      assert.equal(view.approvals[0].decidedBy, 'alice', 'refused decisions changed nothing');
    });
  });

  it('with no worker running, alerts are still accepted and the whole case reads from the store; only a decision waits for a worker (503)', async () => {
    const taskQueue = uniqueQueue('no-worker');
    const idle = await startApi({ client, taskQueue });
    try {
      const posted = await idle.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding() });
      assert.equal(posted.status, 202, 'accepted while no worker runs');
      const before = await idle.request('GET', `/v1/cases/${posted.body.caseId}`, { token: TOKENS.analyst });
      assert.equal(before.status, 200);
      assert.equal(before.body.status, 'running');
      assert.deepEqual(before.body.alertIds, [posted.body.alertId]);

      const w = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
      const live = await waitFor(() => idle.request('GET', `/v1/cases/${posted.body.caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'awaiting_approval', 20_000, 'awaiting_approval');
      await w.stop();
      const res = await idle.request('GET', `/v1/cases/${posted.body.caseId}`, { token: TOKENS.analyst });
      assert.equal(res.status, 200, 'read from the case record, not from the workflow');
      assert.deepEqual(res.body, live.body, 'the same case, worker or not');
      assert.equal(res.body.pendingApprovals.length, 1);
      assert.ok(res.body.timeline.some((t: { step: string }) => t.step === 'approval'));
      assertMatchesDocument(doc, 'GET', '/v1/cases/{caseId}', 200, res.body);

      const decide = await idle.request('POST', `/v1/cases/${posted.body.caseId}/approvals/${res.body.pendingApprovals[0].id}`, { token: TOKENS.analyst, body: { decision: 'approve' } });
      assert.equal(decide.status, 503, 'a decision is taken by the run, which needs a worker');
      assert.equal(decide.headers.get('retry-after'), '5');
      assert.match(decide.body.detail, /no worker answered/);
      await client.workflow.getHandle(playbookWorkflowId('suspected-c2', posted.body.caseId)).terminate('test cleanup');
    } finally {
      await idle.close();
    }
  });

  it('unknown routes answer 404 as problem details', async () => {
    const res = await api.request('GET', '/v1/nothing-here', { token: TOKENS.analyst });
    assert.equal(res.status, 404);
    assert.equal(res.body.status, 404);
  });
});
