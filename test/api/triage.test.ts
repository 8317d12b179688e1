// Triage auto-close through the API (RIPOSTE_TRIAGE_AUTO_CLOSE): once analysts have called a rule a
// false positive often enough, its next alert opens a case that is closed at once — recorded in
// the case record as auto-close's verdict, counted in the period report, no playbook started —
// and reopening the case sends its alerts to their playbooks after all. Never a critical asset.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { caseWorkflowId } from '../../workflows/definitions.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { assertMatchesDocument } from '../helpers/openapi.ts';
import { testClient, uniqueQueue, waitFor } from '../helpers/temporal.ts';

describe('triage auto-close', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let api: TestApi;
  const alice = (method: string, path: string, body?: unknown) => api.request(method, path, { token: TOKENS.analyst, ...(body !== undefined ? { body } : {}) });
  const post = (hostname: string, net: number, last: number) =>
    api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname, hostIp: `10.5.${net}.${last}`, remoteIp: `198.18.${net}.${last}` }) });

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    // No worker: the cases' playbooks never run, so nothing waits for a decision when a verdict comes.
    api = await startApi({ client, taskQueue: uniqueQueue('auto-close'), env: { RIPOSTE_TRIAGE_AUTO_CLOSE: '0.9', RIPOSTE_CRITICAL_ASSETS: 'crown-jewel' } });
    // Fifteen cases of the rule on fifteen hosts, each called a false positive.
    for (let i = 1; i <= 15; i++) {
      const r = await post(`fp-${i}`, 1, i);
      assert.equal(r.body.autoClosed, undefined, `alert ${i}: not enough verdicts yet`);
      assert.equal((await alice('POST', `/v1/cases/${r.body.caseId}/verdict`, { verdict: 'false_positive', comment: 'lab traffic' })).status, 200);
    }
  });
  after(async () => {
    await api?.close();
    await closeClient?.();
  });

  it('closes the next alert’s case at once as a false positive, with why, and starts no playbook', async () => {
    const r = await post('fp-16', 2, 1);
    assert.equal(r.status, 202);
    assert.equal(r.body.autoClosed, true, JSON.stringify(r.body));
    assertMatchesDocument((await api.request('GET', '/v1/openapi.json')).body, 'POST', '/v1/alerts', 202, r.body);
    const view = (await alice('GET', `/v1/cases/${r.body.caseId}`)).body;
    assert.equal(view.status, 'closed');
    assert.equal(view.verdict.by, 'auto-close');
    assert.match(view.verdict.comment, /^false-positive likelihood \d+%: 15 of the last 15 cases of rule "Periodic beacon" were false positives$/);
    assert.ok(
      view.timeline.some((t: { step: string; message: string }) => t.step === 'verdict' && /by auto-close/.test(t.message)),
      'the timeline says who closed it'
    );
    assert.equal(await api.store.waitingForDispatch(r.body.caseId), false, 'nothing queued for a playbook');
    // A repeat on the same host joins the closed case, also untouched.
    const again = await post('fp-16', 2, 2);
    assert.equal(again.body.caseId, r.body.caseId);
    assert.equal(again.body.autoClosed, true);

    const report = (await alice('GET', '/v1/reports/summary')).body;
    assert.ok(report.cases.autoClosed >= 1, `the period report counts it (${report.cases.autoClosed})`);
    assert.equal(report.cases.byVerdict.false_positive, 15, 'apart from the analysts’ verdicts');
  });

  it('never auto-closes a critical asset', async () => {
    const r = await post('crown-jewel', 3, 1);
    assert.equal(r.body.autoClosed, undefined);
    const view = (await alice('GET', `/v1/cases/${r.body.caseId}`)).body;
    assert.deepEqual(view.triage.critical, ['crown-jewel']);
    assert.notEqual(view.status, 'closed');
  });

  it('reopening an auto-closed case clears its verdict and sends its alerts to their playbooks', async () => {
    const r = await post('fp-17', 4, 1);
    assert.equal(r.body.autoClosed, true);
    const reopened = await alice('POST', `/v1/cases/${r.body.caseId}/reopen`, { comment: 'this one looks real' });
    assert.equal(reopened.status, 200);
    assert.notEqual(reopened.body.status, 'closed');
    assert.equal(reopened.body.verdict, undefined, 'auto-close’s verdict is gone');
    // The dispatcher starts the case's workflow with its alert.
    const handle = client.workflow.getHandle(caseWorkflowId(r.body.caseId));
    await waitFor(() => handle.describe().then((d) => d.status.name, () => 'none'), (s) => s !== 'none', 10_000, 'the case workflow started');
    const next = await post('fp-17', 4, 2);
    assert.equal(next.body.autoClosed, undefined, 'its next alert goes on to the playbook too');
  });
});
