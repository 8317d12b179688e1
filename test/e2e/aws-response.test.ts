// End to end, both AWS playbooks: a GuardDuty finding posted over HTTP to /v1/alerts/guardduty,
// the approval decided over HTTP, the case read over HTTP, the undo asked over HTTP — with the
// worker configured as an operator would (RIPOSTE_CONTAINMENT=aws, AWS_* pointing at a real AWS
// emulator, moto server; Jira as the loopback stand-in built from Atlassian's documented shapes),
// and moto read back as a responder would with the CLI.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../config/index.ts';
import { createLogger } from '../../telemetry/logger.ts';
import { buildActivityDeps } from '../../worker/deps.ts';
import { playbookWorkflowId } from '../../workflows/definitions.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { startFakeJira, type FakeJira } from '../helpers/fake-jira.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';
import { findingEvent, readers, startAwsLab, userWithKey, webServer, type AwsLab } from '../helpers/aws-lab.ts';

describe('AWS responses, end to end: GuardDuty finding over HTTP → HTTP approval → AWS changed → HTTP undo', () => {
  let lab: AwsLab;
  let jira: FakeJira;
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;
  let dataDir: string;
  let read: ReturnType<typeof readers>;

  before(async () => {
    lab = await startAwsLab();
    read = readers(lab);
    jira = await startFakeJira();
    ({ client, close: closeClient } = await testClient());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-e2e-aws-'));
    const env = {
      ...lab.env,
      RIPOSTE_DATA_DIR: dataDir,
      RIPOSTE_CONTAINMENT: 'aws',
      RIPOSTE_DNS_SERVERS: '127.0.0.1:9',
      JIRA_BASE_URL: jira.baseUrl,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.token,
      JIRA_PROJECT_KEY: 'SEC',
    };
    const taskQueue = uniqueQueue('e2e-aws');
    const { deps } = buildActivityDeps(loadConfig(env), createLogger('silent', 'e2e'), env);
    worker = await startWorker({ taskQueue, deps });
    api = await startApi({ client, taskQueue, record: deps.caseRecord });
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await closeClient?.();
    await jira?.close();
    await lab?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const getCase = (caseId: string) => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst });
  const post = (event: unknown) => api.request('POST', '/v1/alerts/guardduty', { token: TOKENS.source, body: event });
  const decide = (caseId: string, approvalId: string, decision: 'approve' | 'reject', comment: string) =>
    api.request('POST', `/v1/cases/${caseId}/approvals/${approvalId}`, { token: TOKENS.analyst, body: { decision, comment } });
  /** Other playbooks may answer the same finding (suspected-c2 does, for an instance's C2 traffic): this test declines theirs. */
  const declineOthers = async (caseId: string, mine: string) => {
    for (const a of (await getCase(caseId)).body.pendingApprovals ?? []) if (a.id !== mine) await decide(caseId, a.id, 'reject', 'handled by the AWS playbook');
  };
  const finished = (caseId: string, playbook: string) =>
    waitFor(
      () => getCase(caseId),
      (r) => r.body?.playbooks?.some((p: { workflowId: string; status: string }) => p.workflowId === playbookWorkflowId(playbook, caseId) && ['contained', 'closed', 'failed'].includes(p.status)),
      60_000,
      `${playbook} to finish`
    );

  it('an instance GuardDuty says talks to a C2 server is preserved, isolated once an analyst approves, and released by an HTTP undo', async () => {
    const s = await webServer(lab);
    const before = await read.eniGroups(s.instanceId);
    const posted = await post(findingEvent('guardduty-ec2-c2-activity.json', (d) => (d.resource.instanceDetails.instanceId = s.instanceId)));
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const { caseId } = posted.body.results[0];

    const waiting = await waitFor(() => getCase(caseId), (r) => r.body?.pendingApprovals?.some((a: { id: string }) => a.id === 'isolate-instance'), 60_000, 'the isolation approval');
    const approval = waiting.body.pendingApprovals.find((a: { id: string }) => a.id === 'isolate-instance');
    assert.equal(approval.action, `detach ${s.instanceId} from its Auto Scaling group; deregister ${s.instanceId} from its load-balancer target groups; then isolate ${s.instanceId} (security groups: all traffic, then none — existing sessions cut)`);
    assert.ok(waiting.body.evidence.some((e: { kind: string; source: string }) => e.kind === 'instance-metadata' && e.source === s.instanceId), 'the record is evidence in the case');
    assert.equal(waiting.body.evidence.filter((e: { kind: string }) => e.kind === 'ebs-snapshot').length, 3);
    assert.equal(await read.protection(s.instanceId), true);
    assert.deepEqual(await read.group(s.asgName), { members: [s.instanceId], desired: 1 }, 'in service until the approval');
    assert.deepEqual(await read.eniGroups(s.instanceId), before, 'not isolated before the approval');

    await declineOthers(caseId, 'isolate-instance');
    const decided = await decide(caseId, 'isolate-instance', 'approve', 'C2 beaconing confirmed');
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const done = await finished(caseId, 'aws-instance-compromise');
    const mine = done.body.playbooks.find((p: { workflowId: string }) => p.workflowId === playbookWorkflowId('aws-instance-compromise', caseId));
    assert.equal(mine.status, 'contained');
    const isolate = done.body.actions.find((a: { op: string }) => a.op === 'isolate-instance');
    assert.deepEqual([isolate.id, isolate.driver, isolate.simulated, isolate.approvedBy], ['aws-instance-compromise-isolate-instance-1', 'aws', false, 'alice']);
    assert.deepEqual(await read.group(s.asgName), { members: [], desired: 0 }, 'out of its Auto Scaling group on the approval');
    const isolated = await read.eniGroups(s.instanceId);
    assert.equal(await read.groupName(isolated[s.eni]?.[0] as string), `riposte-isolation-${s.vpcId}`);

    const issue = jira.issues.find((i) => String(i.fields.summary).startsWith(`[Riposte] AWS instance compromise: ${s.instanceId}`));
    assert.ok(issue, `a Jira issue names the instance: ${jira.issues.map((i) => i.fields.summary).join(' | ')}`);
    const steps = jira.comments.filter((c) => c.issueKey === issue.key).map((c) => c.properties.find((p) => p.key === 'riposte')?.value?.idempotencyKey?.split(':ticket:')[1]);
    assert.deepEqual(steps, ['containment-aws-instance-compromise-protect-instance-1', `snapshots-${s.instanceId}`, 'approval-requested', 'approval-decided', 'containment-aws-instance-compromise-detach-asg-1', 'containment-aws-instance-compromise-isolate-instance-1', 'report']);

    const undone = await api.request('POST', `/v1/cases/${caseId}/actions/aws-instance-compromise-isolate-instance-1/undo`, { token: TOKENS.analyst, body: { comment: 'reimaged' } });
    assert.equal(undone.status, 200, JSON.stringify(undone.body));
    assert.equal(undone.body.action.status, 'undone');
    assert.deepEqual(await read.eniGroups(s.instanceId), before, 'the original security groups are back');
    const after = await waitFor(() => getCase(caseId), (r) => r.body?.actions?.find((a: { id: string }) => a.id === 'aws-instance-compromise-isolate-instance-1')?.status === 'undone', 30_000, 'the undo in the case');
    assert.equal(after.body.actions.find((a: { id: string }) => a.id === 'aws-instance-compromise-isolate-instance-1').undone.by, 'alice');
  });

  it('a leaked access key GuardDuty saw used from a malicious address is deactivated once an analyst approves, and re-activated by an HTTP undo', async () => {
    const keyId = await userWithKey(lab, 'ci-deploy');
    const posted = await post(findingEvent('guardduty-iam-malicious-ip-caller.json', (d) => (d.resource.accessKeyDetails.accessKeyId = keyId)));
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const { caseId } = posted.body.results[0];

    const waiting = await waitFor(() => getCase(caseId), (r) => r.body?.pendingApprovals?.some((a: { id: string }) => a.id === 'deactivate-key'), 60_000, 'the deactivation approval');
    assert.equal(waiting.body.pendingApprovals.find((a: { id: string }) => a.id === 'deactivate-key').action, `deactivate ${keyId} of ci-deploy`);
    assert.ok(waiting.body.scope.some((x: { type: string; value: string }) => x.type === 'credential' && x.value === keyId));
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active');

    await declineOthers(caseId, 'deactivate-key');
    assert.equal((await decide(caseId, 'deactivate-key', 'approve', 'not our CI')).status, 200);
    const done = await finished(caseId, 'aws-credential-compromise');
    assert.equal(done.body.playbooks.find((p: { workflowId: string }) => p.workflowId === playbookWorkflowId('aws-credential-compromise', caseId)).status, 'contained');
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Inactive', 'ListAccessKeys shows it Inactive');
    const action = done.body.actions.find((a: { op: string }) => a.op === 'deactivate-key');
    assert.deepEqual([action.id, action.driver, action.approvedBy], ['aws-credential-compromise-deactivate-key-1', 'aws', 'alice']);
    assert.ok(done.body.enrichment.some((e: { source: string; status: string }) => e.source === 'cloudtrail' && e.status === 'failed'), 'moto has no CloudTrail LookupEvents: recorded, not fatal');

    const undone = await api.request('POST', `/v1/cases/${caseId}/actions/aws-credential-compromise-deactivate-key-1/undo`, { token: TOKENS.analyst, body: {} });
    assert.equal(undone.status, 200, JSON.stringify(undone.body));
    assert.equal(undone.body.action.status, 'undone');
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active');
  });
});
