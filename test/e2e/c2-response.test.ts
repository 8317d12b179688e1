// End to end: an alert over HTTP, an approval over HTTP, and a real nftables rule that cuts
// a connection which worked before — inside network namespaces this test builds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../config/index.ts';
import { createLogger } from '../../telemetry/logger.ts';
import { buildActivityDeps } from '../../worker/deps.ts';
import { playbookWorkflowId } from '../../workflows/definitions.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import type { Dnsmasq } from '../helpers/dnsmasq.ts';
import type { FakeJira } from '../helpers/fake-jira.ts';
import { dropRules, type C2Lab } from '../helpers/netns.ts';
import { C2_DOMAIN, startResponsePeers, type ResponsePeers } from '../helpers/peers.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

describe('suspected C2, end to end: HTTP alert → HTTP approval → nftables block', () => {
  let peers: ResponsePeers;
  let lab: C2Lab;
  let dns: Dnsmasq;
  let jira: FakeJira;
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;

  before(async () => {
    peers = await startResponsePeers();
    ({ lab, dns, jira } = peers);
    ({ client, close: closeClient } = await testClient());
    const taskQueue = uniqueQueue('e2e');
    // The worker is configured the way an operator would: through the environment.
    const config = loadConfig(peers.env);
    const { deps } = buildActivityDeps(config, createLogger('silent', 'e2e'), { ...process.env, ...peers.env });
    worker = await startWorker({ taskQueue, deps });
    api = await startApi({ client, taskQueue, record: deps.caseRecord });
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await closeClient?.();
    await peers?.stop();
  });

  it('blocks the C2 connection once an analyst approves, and tells the ticket every step', async () => {
    assert.equal(await lab.probe(), true, 'before: the host reaches the C2 server');

    const posted = await api.request('POST', '/v1/alerts', {
      token: TOKENS.source,
      body: c2Finding({ uid: `e2e-${Date.now()}`, hostIp: lab.hostIp, hostname: 'web-1', domain: C2_DOMAIN, severity_id: 4 }),
    });
    assert.equal(posted.status, 202);
    const { caseId } = posted.body;

    const waiting = await waitFor(
      () => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }),
      (r) => r.body?.status === 'awaiting_approval',
      30_000,
      'the approval request'
    );
    const approval = waiting.body.pendingApprovals[0];
    assert.equal(approval.action, `block egress from ${lab.hostIp} to ${lab.c2Ip}`, 'the domain was resolved through real DNS');
    assert.ok(dns.queries().includes(C2_DOMAIN));
    assert.equal(await lab.probe(), true, 'nothing is blocked before the approval');

    const decided = await api.request('POST', `/v1/cases/${caseId}/approvals/${approval.id}`, {
      token: TOKENS.analyst,
      body: { decision: 'approve', comment: 'beaconing confirmed in proxy logs' },
    });
    assert.equal(decided.status, 200);

    await client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId)).result();
    const contained = await waitFor(
      () => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }),
      (r) => r.body?.status === 'contained' && r.body?.timeline.some((t: { step: string }) => t.step === 'report'),
      30_000,
      'containment'
    );
    assert.equal(contained.body.containment.driver, 'nftables');
    assert.ok(contained.body.timeline.some((t: { step: string; message: string }) => t.step === 'contain' && t.message.startsWith('nftables:')));

    const drops = dropRules(await lab.ruleset());
    assert.deepEqual(drops.map((d) => [d.saddr, d.daddr]), [[lab.hostIp, lab.c2Ip]]);
    assert.equal(await lab.probe(), false, 'after: the connection to the C2 server fails');

    assert.equal(jira.issues.length, 1);
    assert.equal(contained.body.ticket.key, jira.issues[0]?.key);
    const steps = jira.commentKeys().map((k) => k.split(':ticket:')[1]);
    assert.deepEqual(steps, ['approval-requested', 'approval-decided', 'containment-suspected-c2-block-egress-1', 'report']);
    const report = JSON.stringify(jira.comments.at(-1)?.body);
    assert.match(report, /approved by alice/);
    assert.match(report, /beaconing confirmed in proxy logs/);
  });
});
