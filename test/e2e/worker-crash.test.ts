// Crash: kill -9 the worker process while an activity is in flight, start a new one; the
// playbook completes and each side effect — ticket comments, the firewall rule — happened once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { playbookWorkflowId } from '../../workflows/definitions.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import type { FakeJira } from '../helpers/fake-jira.ts';
import { dropRules, type C2Lab } from '../helpers/netns.ts';
import { C2_DOMAIN, startResponsePeers, type ResponsePeers } from '../helpers/peers.ts';
import { testCaseRecordEnv, testClient, uniqueQueue, waitFor } from '../helpers/temporal.ts';
import { spawnWorker, type RiposteProcess } from '../helpers/processes.ts';

describe('a worker killed mid-playbook', () => {
  let peers: ResponsePeers;
  let lab: C2Lab;
  let jira: FakeJira;
  let client: Client;
  let closeClient: () => Promise<void>;
  let api: TestApi;
  const workers: RiposteProcess[] = [];
  const taskQueue = uniqueQueue('crash');

  before(async () => {
    peers = await startResponsePeers();
    ({ lab, jira } = peers);
    ({ client, close: closeClient } = await testClient());
    api = await startApi({ client, taskQueue });
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await api?.close();
    await closeClient?.();
    await peers?.stop();
  });

  // The worker process writes the case record the API reads.
  const workerEnv = async () => ({ ...peers.env, RIPOSTE_TASK_QUEUE: taskQueue, ...(await testCaseRecordEnv()) });

  it('resumes on a new worker and does each side effect exactly once', async () => {
    workers.push(await spawnWorker(await workerEnv()));

    // When the "contained" comment reaches Jira, the worker dies before hearing Jira's answer:
    // the side effect happened, the activity did not complete.
    let killed: Promise<void> | undefined;
    let killing = false;
    jira.beforeCommentResponse = (c) => {
      const key = c.properties.find((p) => p.key === 'riposte')?.value?.idempotencyKey ?? '';
      if (!killing && key.endsWith(':ticket:containment-suspected-c2-block-egress-1')) {
        killing = true;
        killed = workers[0]?.kill9();
        return new Promise(() => undefined); // never answer that request
      }
      return Promise.resolve();
    };

    const posted = await api.request('POST', '/v1/alerts', {
      token: TOKENS.source,
      body: c2Finding({ uid: `crash-${Date.now()}`, hostIp: lab.hostIp, domain: C2_DOMAIN, severity_id: 5 }),
    });
    assert.equal(posted.status, 202);
    const { caseId } = posted.body;
    await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'awaiting_approval', 30_000, 'approval request');
    const decided = await api.request('POST', `/v1/cases/${caseId}/approvals/contain-egress`, { token: TOKENS.analyst, body: { decision: 'approve' } });
    assert.equal(decided.status, 200);

    await waitFor(async () => killing, (k) => k, 30_000, 'the kill');
    await killed;
    assert.equal(workers[0]?.child.signalCode, 'SIGKILL');
    assert.equal(await lab.probe(), false, 'the block landed before the crash');

    workers.push(await spawnWorker(await workerEnv()));
    await client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId)).result();
    const done = await waitFor(
      () => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }),
      (r) => r.body?.status === 'contained' && r.body.timeline.some((t: { step: string }) => t.step === 'report'),
      90_000,
      'the playbook to finish on the new worker'
    );
    assert.equal(done.body.containment.driver, 'nftables');

    const keys = jira.commentKeys();
    assert.deepEqual(keys.map((k) => k.split(':ticket:')[1]), ['approval-requested', 'approval-decided', 'containment-suspected-c2-block-egress-1', 'report'], 'each comment exactly once');
    assert.equal(jira.issues.length, 1, 'one ticket');
    assert.deepEqual(dropRules(await lab.ruleset()).map((d) => d.daddr), [lab.c2Ip], 'one firewall rule');
    assert.equal(await lab.probe(), false);
  });
});
