// The aws-credential-compromise playbook on a real Temporal dev server against a real AWS
// emulator (moto server): IAM users, keys and roles are made in moto, the playbook starts with a
// GuardDuty IAM finding naming them, and moto is read back as a responder would with the CLI
// (ListAccessKeys, GetRolePolicy). CloudTrail LookupEvents, which moto does not implement, comes
// from AWS's documented response shape through nock; moto's own HTTP 500 for it is the
// "CloudTrail unavailable" path. AbuseIPDB and PagerDuty through nock from their documented shapes.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { AbuseIpDbClient } from '../../activities/abuseipdb/client.ts';
import { Secret } from '../../config/secret.ts';
import type { ActionRecord } from '../../core/case.ts';
import type { EnrichmentOutcome } from '../../core/verdict.ts';
import { undoWorkflowId, type PlaybookInput, type UndoActionResult } from '../../workflows/definitions.ts';
import { alertKeys, assessCredentialCompromise, awsCredentialCompromise, credentialResponse, summarizeKeyActivity } from '../../workflows/playbooks/aws-credential-compromise.ts';
import { playbookInput } from '../helpers/alerts.ts';
import { fixture } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startPlaybookHarness, type HarnessOptions, type PlaybookHarness } from '../helpers/playbooks.ts';
import { findingEvent, guarddutyAlert, instanceRole, readers, securityhubAlerts, startAwsLab, userWithKey, type AwsLab } from '../helpers/aws-lab.ts';

const PLAYBOOK = 'awsCredentialCompromisePlaybook';
const ABUSE = 'https://api.abuseipdb.com/api/v2';
const PD = 'https://events.pagerduty.com';
const PD_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';

/** GuardDuty "Recon:IAMUser/MaliciousIPCaller" (Medium): the ci-deploy user's key, called from 198.51.100.23. */
const keyFinding = (keyId: string, settings: Record<string, string> = {}, userName = 'ci-deploy'): PlaybookInput =>
  playbookInput(guarddutyAlert(findingEvent('guardduty-iam-malicious-ip-caller.json', (d) => Object.assign(d.resource.accessKeyDetails, { accessKeyId: keyId, userName }))), settings);

/** GuardDuty "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS" (High): role web-instance-role's ASIA… credentials. */
const sessionFinding = (settings: Record<string, string> = {}): PlaybookInput => playbookInput(guarddutyAlert(findingEvent('guardduty-iam-exfiltration.json')), settings);

describe('aws-credential-compromise playbook on a real Temporal dev server and moto', () => {
  let lab: AwsLab;
  let pb: PlaybookHarness;
  let read: ReturnType<typeof readers>;

  before(async () => {
    setupNock();
    lab = await startAwsLab();
    read = readers(lab);
  });
  after(() => lab?.stop());
  beforeEach(() => lab.reset());
  afterEach(async () => {
    await pb?.stop();
    checkNock();
  });

  const harness = async (o: HarnessOptions = {}) =>
    (pb = await startPlaybookHarness('aws-cred', { ...o, env: { ...lab.env, ...o.env }, deps: { containment: { live: ['aws'] }, ...o.deps } }));

  /** CloudTrail LookupEvents for `keyId`, answered from the documented shape (moto has no LookupEvents). */
  const cloudtrail = (keyId: string, bodies: unknown[] = []) =>
    nock(lab.env.AWS_ENDPOINT_URL as string, { allowUnmocked: true })
      .post('/', (b: any) => (bodies.push(b), b?.LookupAttributes?.[0]?.AttributeValue === keyId))
      .matchHeader('x-amz-target', /CloudTrail_20131101\.LookupEvents$/)
      .reply(200, fixture('aws-playbooks/cloudtrail-lookup-events-ci-deploy.json'), { 'content-type': 'application/x-amz-json-1.1' });

  const undo = (caseId: string, action: ActionRecord) =>
    pb.client.workflow.execute('undoActionWorkflow', { taskQueue: pb.worker.taskQueue, workflowId: `${undoWorkflowId(caseId, action.id)}-${pb.worker.taskQueue}`, args: [{ caseId, action, actor: 'alice' }] }) as Promise<UndoActionResult>;

  it('when an analyst approves, it deactivates the leaked key, reports what the key did, and the undo makes it active again', async () => {
    const keyId = await userWithKey(lab, 'ci-deploy');
    nock(ABUSE).get('/check').query((q) => q.ipAddress === '198.51.100.23').reply(200, fixture('abuseipdb/check-malicious.json'));
    const bodies: any[] = [];
    cloudtrail(keyId, bodies);
    await harness({ deps: { abuseipdb: new AbuseIpDbClient({ baseUrl: ABUSE, apiKey: new Secret('k'.repeat(20)), maxAgeInDays: 90 }) } });
    const input = keyFinding(keyId);
    const h = await pb.start(PLAYBOOK, input);
    const waiting = await pb.awaitingApproval(h);
    assert.equal(waiting.assessment?.level, 'malicious', 'AbuseIPDB calls the caller malicious');
    assert.equal(waiting.approvals[0]?.id, 'deactivate-key');
    assert.equal(waiting.approvals[0]?.action, `deactivate ${keyId} of ci-deploy`);
    assert.deepEqual(waiting.approvals[0]?.targets, [`deactivate access key ${keyId} of ci-deploy — aws`]);
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active', 'nothing changed before the approval');

    // What the key did, read from CloudTrail in the finding's region and shown as a finding of the case.
    assert.equal(bodies[0]?.MaxResults, 50);
    const since = bodies[0]?.StartTime as number;
    assert.ok(Math.abs(Date.now() / 1000 - 7 * 86400 - since) < 120, 'seven days back (the activityWindow default)');
    const ct = waiting.enrichment.find((e) => e.source === 'cloudtrail');
    assert.ok(ct?.status === 'ok');
    assert.match(ct.verdict.summary, /^3 calls since .* \(newest 2026-11-27T12:17:45\.000Z\): ec2:RunInstances, ec2:DescribeInstances, sts:GetCallerIdentity; from 198\.51\.100\.23$/);
    assert.deepEqual(ct.verdict.related, [{ type: 'ip', value: '198.51.100.23', role: 'actor' }]);

    await pb.decide(h, 'deactivate-key', 'approve', 'alice', 'not our CI');
    const done = await pb.result(h);
    assert.equal(done.status, 'contained');
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Inactive', 'ListAccessKeys shows the key Inactive');
    assert.deepEqual(done.actions?.map((a) => [a.id, a.op, a.driver, a.simulated, a.approvedBy, a.undo?.op]), [['aws-credential-compromise-deactivate-key-1', 'deactivate-key', 'aws', false, 'alice', 'reactivate-key']]);
    assert.deepEqual(done.scope?.filter((x) => x.type === 'credential').map((x) => x.value), [keyId]);
    assert.deepEqual(pb.tickets.noteKeys(), [`key-activity-${keyId}`, 'approval-requested-deactivate-key', 'approval-decided-deactivate-key', 'containment-aws-credential-compromise-deactivate-key-1', 'report']);
    const activity = pb.tickets.notes.find((n) => n.idempotencyKey.endsWith(`key-activity-${keyId}`))?.text ?? '';
    assert.match(activity, /in eu-west-1/);
    assert.match(activity, /- 2026-11-27T12:09:30\.000Z ec2:DescribeInstances from 198\.51\.100\.23 in eu-west-1 as ci-deploy/);
    assert.match(done.report ?? '', new RegExp(`cloudtrail ${keyId}: info — 3 calls since`));
    assert.match(done.report ?? '', /abuseipdb 198\.51\.100\.23: malicious/);
    assert.match(done.report ?? '', /approved by alice/);

    const r = await undo(input.caseId, done.actions?.[0] as ActionRecord);
    assert.equal(r.status, 'undone', r.description);
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active', 'active again after the undo');
    assert.deepEqual(await read.userTags('ci-deploy'), [], 'and Riposte\u2019s record of it is gone');
  });

  it('temporary credentials (ASIA…) are cut off by revoking the role\u2019s sessions issued before the approval; CloudTrail being unavailable is recorded, not fatal', async () => {
    await instanceRole(lab, 'web-instance-role');
    await harness();
    const input = sessionFinding();
    const h = await pb.start(PLAYBOOK, input);
    const waiting = await pb.awaitingApproval(h);
    assert.equal(waiting.approvals[0]?.id, 'revoke-sessions');
    assert.match(waiting.approvals[0]?.action ?? '', /^revoke every session of role web-instance-role issued before the revocation \(ASIAEXAMPLE7ABCDEFGH: temporary, cannot be deactivated\)$/);
    // moto has no LookupEvents (HTTP 500): the lookup is retried, then recorded as failed.
    const ct = waiting.enrichment.find((e) => e.source === 'cloudtrail');
    assert.ok(ct?.status === 'failed' && ct.errorType === 'IntegrationUnavailableError', JSON.stringify(ct));
    assert.ok(waiting.timeline.some((t) => t.step === 'cloudtrail' && /CloudTrail did not answer: aws: LookupEvents failed/.test(t.message)));
    assert.deepEqual(await read.rolePolicies('web-instance-role'), [], 'nothing changed before the approval');

    await pb.decide(h, 'revoke-sessions', 'approve', 'alice');
    const done = await pb.result(h);
    const decidedAt = Date.parse(done.approvals[0]?.decidedAt as string);
    assert.equal(done.status, 'contained');
    const policyName = `RiposteRevokeSessions-${input.caseId}-aws-credential-compromise-revoke-sessions-1`;
    assert.deepEqual(await read.rolePolicies('web-instance-role'), [policyName]);
    const doc = await read.rolePolicy('web-instance-role', policyName);
    const statement = doc.Statement[0];
    assert.deepEqual([statement.Effect, statement.Action, statement.Resource], ['Deny', '*', '*']);
    const cutoff = Date.parse(statement.Condition.DateLessThan['aws:TokenIssueTime']);
    assert.ok(cutoff >= decidedAt - 1000 && cutoff <= decidedAt + 60_000, `sessions issued up to the approval are denied (${new Date(cutoff).toISOString()} vs decided ${done.approvals[0]?.decidedAt})`);
    const action = done.actions?.[0] as ActionRecord;
    assert.deepEqual([action.op, action.target, action.undo?.op], ['revoke-sessions', 'web-instance-role', 'remove-session-revocation']);
    assert.match(done.report ?? '', /cloudtrail ASIAEXAMPLE7ABCDEFGH: failed — CloudTrail did not answer/);

    assert.equal((await undo(input.caseId, action)).status, 'undone');
    assert.deepEqual(await read.rolePolicies('web-instance-role'), [], 'the undo removes the policy');
  });

  it('root credentials are never touched: the playbook pages, notes the ticket why, and asks nothing', async () => {
    const summaries: string[] = [];
    nock(PD)
      .post('/v2/enqueue', (b: any) => (summaries.push(b.payload?.summary), b.routing_key === PD_KEY && b.event_action === 'trigger'))
      .reply(202, { status: 'success', message: 'Event processed', dedup_key: 'x' });
    await harness({ env: { PAGERDUTY_ROUTING_KEY: PD_KEY } });
    const input = playbookInput(guarddutyAlert(findingEvent('guardduty-root-credential-usage.json')));
    const done = await pb.result(await pb.start(PLAYBOOK, input));
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals.length, 0, 'nothing to approve: nothing will be done');
    assert.deepEqual(done.actions, []);
    assert.ok(done.timeline.some((t) => t.step === 'escalate' && /ASIAEXAMPLEROOTSESS1: root credentials: Riposte never changes the root user/.test(t.message)));
    assert.ok(done.timeline.some((t) => t.step === 'page' && t.message === 'escalated to pagerduty'));
    assert.match(summaries[0] ?? '', /^\[Riposte\] Root credentials in use — API ListUsers was invoked using root credentials\./);
    assert.equal(pb.tickets.opened.length, 1, 'the ticket is opened');
    assert.ok(pb.tickets.noteKeys().includes('escalation-ASIAEXAMPLEROOTSESS1'));
    for (const write of ['UpdateAccessKey', 'PutRolePolicy', 'TagUser']) assert.equal(lab.faults.calls(write), 0, `no ${write}`);
  });

  it('when the analyst rejects, the key stays active and the case closes', async () => {
    const keyId = await userWithKey(lab, 'ci-deploy');
    cloudtrail(keyId);
    await harness();
    const h = await pb.start(PLAYBOOK, keyFinding(keyId));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'deactivate-key', 'reject', 'bob', 'a known pen test');
    const done = await pb.result(h);
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals[0]?.status, 'rejected');
    assert.deepEqual(done.actions, []);
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active');
    assert.ok(pb.tickets.noteKeys().includes('approval-decided-deactivate-key'));
  });

  it('when the approval times out, it escalates and by default leaves the key active', async () => {
    const keyId = await userWithKey(lab, 'ci-deploy');
    cloudtrail(keyId);
    await harness();
    const done = await pb.result(await pb.start(PLAYBOOK, keyFinding(keyId, { approvalTimeout: '2s', onApprovalTimeout: 'none' })));
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals[0]?.status, 'timed_out');
    assert.ok(done.timeline.some((t) => t.step === 'escalate' && /nobody decided "deactivate .*" within 2s; the playbook default is not to act/.test(t.message)));
    assert.ok(pb.tickets.noteKeys().includes('escalation-deactivate-key'));
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active');
  });

  it('when IAM refuses the deactivation (the key is not the named user\u2019s), the playbook fails loudly and the ticket says nothing is in place', async () => {
    const keyId = await userWithKey(lab, 'build-bot');
    await userWithKey(lab, 'ci-deploy');
    cloudtrail(keyId);
    await harness();
    const h = await pb.start(PLAYBOOK, keyFinding(keyId));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'deactivate-key', 'approve');
    const err = await h.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.match(String((err.cause as Error | undefined)?.message), /aws-credential-compromise playbook failed: .*is not an access key of IAM user ci-deploy/);
    const failure = pb.tickets.notes.find((n) => n.idempotencyKey.endsWith(':ticket:failure'))?.text ?? '';
    assert.match(failure, /Actions in place: none\./);
    assert.equal(await read.keyStatus('build-bot', keyId), 'Active');
  });

  it('a deactivation retried after IAM acted (the answer was lost) acts once and still knows the key was active', async () => {
    const keyId = await userWithKey(lab, 'ci-deploy');
    cloudtrail(keyId);
    await harness();
    const h = await pb.start(PLAYBOOK, keyFinding(keyId));
    await pb.awaitingApproval(h);
    lab.faults.loseAnswers('UpdateAccessKey');
    await pb.decide(h, 'deactivate-key', 'approve');
    const done = await pb.result(h);
    assert.ok(lab.faults.lost >= 1, 'an answer was lost');
    assert.equal(lab.faults.calls('UpdateAccessKey'), lab.faults.lost, 'the retry saw the key Inactive and changed nothing');
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Inactive');
    assert.deepEqual((await read.userTags('ci-deploy')).map((t) => [t.Key, t.Value]), [[`riposte:key-status:${keyId}`, 'Active']], 'one record: it was Active');
    const action = done.actions?.[0] as ActionRecord;
    assert.equal(done.actions?.length, 1);
    assert.match(action.description, /\(already so\)$/);
    assert.deepEqual(action.undo, { op: 'reactivate-key', input: { accessKeyId: keyId, userName: 'ci-deploy' } });
    assert.equal((await undo(done.caseId, action)).status, 'undone');
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active', 'so the undo brings it back');
  });

  it('a dry run changes nothing in IAM and says what it would have done', async () => {
    const keyId = await userWithKey(lab, 'ci-deploy');
    cloudtrail(keyId);
    await harness({ env: { PAGERDUTY_ROUTING_KEY: PD_KEY } });
    const input = { ...keyFinding(keyId), dryRun: { approvals: 'approve' as const } };
    const done = await pb.result(await pb.start(PLAYBOOK, input));
    assert.equal(done.dryRun, true);
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active');
    assert.deepEqual(await read.userTags('ci-deploy'), []);
    assert.equal(done.approvals[0]?.status, 'approved');
    assert.ok(done.actions?.length === 1 && done.actions[0]?.simulated);
    assert.ok(done.timeline.some((t) => t.step === 'contain' && t.message === `simulated: deactivate access key ${keyId} of ci-deploy (dry run)`));
    assert.ok(done.timeline.some((t) => /^dry run: would open a recording ticket/.test(t.message)));
    assert.equal(pb.tickets.opened.length, 0);
    assert.equal(pb.tickets.notes.length, 0);
    assert.equal(done.enrichment.find((e) => e.source === 'cloudtrail')?.status, 'ok', 'reading CloudTrail changes nothing, so a dry run reads it');
    assert.match(done.report ?? '', /DRY RUN/);
  });

  it('a dry run of a root finding says it would page, and pages nobody', async () => {
    await harness({ env: { PAGERDUTY_ROUTING_KEY: PD_KEY } });
    const input = { ...playbookInput(guarddutyAlert(findingEvent('guardduty-root-credential-usage.json'))), dryRun: { approvals: 'approve' as const } };
    const done = await pb.result(await pb.start(PLAYBOOK, input));
    assert.ok(done.timeline.some((t) => t.step === 'page' && /^dry run: would page pagerduty: ASIAEXAMPLEROOTSESS1: root credentials/.test(t.message)));
  });

  it('with aws not allowed to act (log-only), the key stays active and the case says nothing was changed', async () => {
    const keyId = await userWithKey(lab, 'ci-deploy');
    cloudtrail(keyId);
    await harness({ deps: { containment: { live: [] } } });
    const h = await pb.start(PLAYBOOK, keyFinding(keyId));
    const waiting = await pb.awaitingApproval(h);
    assert.match(waiting.approvals[0]?.targets?.[0] ?? '', /simulated \(aws\)$/);
    await pb.decide(h, 'deactivate-key', 'approve');
    const done = await pb.result(h);
    assert.equal(await read.keyStatus('ci-deploy', keyId), 'Active');
    assert.equal(done.status, 'contained');
    assert.equal(done.containment?.simulated, true);
    assert.ok(done.actions?.every((a) => a.simulated));
    assert.ok(done.timeline.some((t) => t.step === 'report' && /simulated: nothing was changed/.test(t.message)));
    assert.match(done.report ?? '', /SIMULATED \(nothing changed\): deactivate access key/);
  });
});

describe('aws-credential-compromise decisions', () => {
  const ok = (value: string, level: 'safe' | 'info' | 'suspicious' | 'malicious', score = 0): EnrichmentOutcome => ({
    source: 'abuseipdb',
    observable: { type: 'ip', value, role: 'actor' },
    status: 'ok',
    verdict: { source: 'abuseipdb', observable: { type: 'ip', value }, level, score, summary: `${level} test`, found: true, tags: [], related: [] },
  });

  it('routes alerts naming an access key — the principal\u2019s or a cloud_resource — and nothing else', () => {
    const { matches } = awsCredentialCompromise.route;
    for (const f of ['guardduty-iam-malicious-ip-caller.json', 'guardduty-iam-exfiltration.json', 'guardduty-root-credential-usage.json']) assert.equal(matches(guarddutyAlert(findingEvent(f))), true, f);
    assert.equal(matches(guarddutyAlert(findingEvent('guardduty-ec2-c2-activity.json'))), false, 'an instance finding names no key');
    const hub = fixture<any>('sources/securityhub-guardduty-access-key.json');
    const [fromHub] = securityhubAlerts(hub);
    assert.equal(matches(fromHub as never), true, 'GuardDuty\u2019s finding as Security Hub forwards it');
    assert.deepEqual(fromHub?.principal, { type: 'role', name: 'web-instance-role', accessKeyId: 'ASIAEXAMPLE7ABCDEFGH' });
    hub.detail.findings[0].Types = ['Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark'];
    assert.equal(matches(securityhubAlerts(hub)[0] as never), false, 'a posture check naming a key (rotate it) is not a compromise');
    const leaked = { id: 'al_1', source: 'ocsf', sourceUid: 'x', time: '2026-11-27T10:00:00Z', severity_id: 4 as const, title: 'AWS key in a public repository', observables: [{ type: 'cloud_resource' as const, value: 'AKIAIOSFODNN7EXAMPLE' }] };
    assert.equal(matches(leaked), true, 'a leaked key found by a scanner is as much a compromise');
    assert.deepEqual(awsCredentialCompromise.indicators(leaked), [{ type: 'cloud_resource', value: 'AKIAIOSFODNN7EXAMPLE', role: 'actor' }]);
    assert.equal(matches({ ...leaked, severity_id: 1 }), false, 'Informational');
    assert.deepEqual(alertKeys({ observables: [{ type: 'cloud_resource', value: 'AKIA123' }, { type: 'cloud_resource', value: 'i-0123456789abcdef0' }], principal: { type: 'user', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } }), ['AKIAIOSFODNN7EXAMPLE']);
  });

  it('a long-term key is deactivated, a role\u2019s temporary credentials revoked; root, AWS services and session keys with no role go to a person', () => {
    const r = (key: string, principal?: Parameters<typeof credentialResponse>[1]) => {
      const out = credentialResponse(key, principal);
      return [out.action, out.action === 'deactivate-key' ? out.userName : out.action === 'revoke-sessions' ? out.roleName : out.root];
    };
    assert.deepEqual(r('AKIAIOSFODNN7EXAMPLE', { type: 'user', name: 'ci-deploy' }), ['deactivate-key', 'ci-deploy']);
    assert.deepEqual(r('AKIAIOSFODNN7EXAMPLE'), ['deactivate-key', undefined], 'the user is found from the key');
    assert.deepEqual(r('AKIAIOSFODNN7EXAMPLE', { type: 'root', name: 'Root' }), ['escalate', true], 'root long-term keys too');
    assert.deepEqual(r('ASIAIOSFODNN7EXAMPLE', { type: 'root' }), ['escalate', true]);
    assert.deepEqual(r('ASIAIOSFODNN7EXAMPLE', { type: 'role', name: 'web-instance-role' }), ['revoke-sessions', 'web-instance-role']);
    assert.deepEqual(r('ASIAIOSFODNN7EXAMPLE', { type: 'role' }), ['escalate', false], 'a role with no name cannot be revoked');
    assert.deepEqual(r('ASIAIOSFODNN7EXAMPLE', { type: 'user', name: 'alice' }), ['escalate', false], 'an IAM user\u2019s session token: no role');
    assert.deepEqual(r('ASIAIOSFODNN7EXAMPLE', { type: 'unknown', name: 'fed' }), ['escalate', false], 'a federated user');
    assert.deepEqual(r('ASIAIOSFODNN7EXAMPLE'), ['escalate', false]);
    assert.deepEqual(r('AKIAIOSFODNN7EXAMPLE', { type: 'service', name: 'config.amazonaws.com' }), ['escalate', false]);
  });

  it('asks when the caller is called bad, else from Medium severity; a Low finding with a clean caller is recorded only', () => {
    assert.deepEqual([assessCredentialCompromise([ok('198.51.100.23', 'malicious', 100)], 2)].map((a) => [a.level, a.askToContain, a.conclusive]), [['malicious', true, true]]);
    assert.equal(assessCredentialCompromise([], 3).askToContain, true);
    const vouched = assessCredentialCompromise([ok('198.51.100.23', 'safe')], 4);
    assert.equal(vouched.askToContain, true, 'a vouched-for address does not clear a High finding');
    assert.ok(vouched.reasons.some((x) => /caller 198\.51\.100\.23 is safe/.test(x)));
    const low = assessCredentialCompromise([ok('198.51.100.23', 'info')], 2);
    assert.deepEqual([low.askToContain, low.reasons.at(-1)], [false, 'no source calls the caller bad; finding severity 2 is Low: recorded, not acted on']);
  });

  it('summarizes what a key did in one line', () => {
    assert.equal(summarizeKeyActivity([], false, '2026-11-20T00:00:00.000Z'), 'no calls in CloudTrail event history since 2026-11-20T00:00:00.000Z');
    const events = [
      { time: '2026-11-27T12:17:45.000Z', eventName: 'RunInstances', eventSource: 'ec2.amazonaws.com', sourceIp: '198.51.100.23' },
      { time: '2026-11-27T12:02:11.000Z', eventName: 'GetCallerIdentity', eventSource: 'sts.amazonaws.com', sourceIp: '203.0.113.5' },
    ];
    assert.equal(summarizeKeyActivity(events, true, 'T'), '2+ calls since T (newest 2026-11-27T12:17:45.000Z): ec2:RunInstances, sts:GetCallerIdentity; from 198.51.100.23, 203.0.113.5');
  });
});
