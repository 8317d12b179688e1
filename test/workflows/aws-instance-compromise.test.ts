// The aws-instance-compromise playbook on a real Temporal dev server against a real AWS emulator
// (moto server): each test builds a web server in a VPC — security groups, three EBS volumes, an
// Auto Scaling group, a load-balancer target group — starts the playbook with a GuardDuty finding
// naming it, and reads moto back the way a responder would with the CLI. Reputation (AbuseIPDB)
// through nock from its documented shapes; tickets through Riposte's recording stand-in.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { AbuseIpDbClient } from '../../activities/abuseipdb/client.ts';
import { Secret } from '../../config/secret.ts';
import type { ActionRecord, PlaybookView } from '../../core/case.ts';
import type { EnrichmentOutcome } from '../../core/verdict.ts';
import { freePort } from '../../scripts/dev-server.ts';
import { playbookAlertsSignal, undoWorkflowId, type PlaybookInput, type UndoActionResult } from '../../workflows/definitions.ts';
import { alertInstances, assessInstanceCompromise, awsInstanceCompromise, findingRemote, isPrivateAddress } from '../../workflows/playbooks/aws-instance-compromise.ts';
import { playbookInput } from '../helpers/alerts.ts';
import { fixture } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startPlaybookHarness, type HarnessOptions, type PlaybookHarness } from '../helpers/playbooks.ts';
import { waitFor } from '../helpers/wait.ts';
import { securityhub } from '../../api/sources/securityhub.ts';
import { findingEvent, guarddutyAlert, readers, securityhubAlerts, startAwsLab, webServer, type AwsLab, type WebServer } from '../helpers/aws-lab.ts';

const PLAYBOOK = 'awsInstanceCompromisePlaybook';
const ABUSE = 'https://api.abuseipdb.com/api/v2';

/** The GuardDuty "Backdoor:EC2/C&CActivity.B" finding (High), naming the instance moto made. */
function c2Finding(s: WebServer, settings: Record<string, string> = {}): PlaybookInput {
  const alert = guarddutyAlert(findingEvent('guardduty-ec2-c2-activity.json', (d) => (d.resource.instanceDetails.instanceId = s.instanceId)));
  return playbookInput(alert, settings);
}

describe('aws-instance-compromise playbook on a real Temporal dev server and moto', () => {
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
    (pb = await startPlaybookHarness('aws-inst', { ...o, env: { ...lab.env, ...o.env }, deps: { containment: { live: ['aws'] }, ...o.deps } }));

  /** Runs the analyst's undo of one action (what POST /v1/cases/{id}/actions/{actionId}/undo starts). */
  const undo = (caseId: string, action: ActionRecord) =>
    pb.client.workflow.execute('undoActionWorkflow', { taskQueue: pb.worker.taskQueue, workflowId: `${undoWorkflowId(caseId, action.id)}-${pb.worker.taskQueue}`, args: [{ caseId, action, actor: 'alice' }] }) as Promise<UndoActionResult>;

  const stepIndex = (v: PlaybookView, pred: (t: { step: string; message: string }) => boolean) => v.timeline.findIndex(pred);

  it('when an analyst approves, it records, protects, tags, snapshots, then takes the instance out of service and isolates it — and each undo puts it back', async () => {
    nock(ABUSE).get('/check').query((q) => q.ipAddress === '203.0.113.99').reply(200, fixture('abuseipdb/check-malicious.json'));
    const s = await webServer(lab);
    const before = await read.eniGroups(s.instanceId);
    await harness({ deps: { abuseipdb: new AbuseIpDbClient({ baseUrl: ABUSE, apiKey: new Secret('k'.repeat(20)), maxAgeInDays: 90 }) } });
    const input = c2Finding(s);
    const h = await pb.start(PLAYBOOK, input);
    const waiting = await pb.awaitingApproval(h);

    // Before the approval: preserved, still in service, not isolated.
    assert.equal(waiting.assessment?.level, 'malicious', 'AbuseIPDB calls the C2 address malicious');
    assert.equal(await read.protection(s.instanceId), true, 'termination protection on');
    const tags = await read.tags(s.instanceId);
    assert.equal(tags['riposte:case'], input.caseId);
    assert.equal(tags['riposte:playbook'], 'aws-instance-compromise');
    const snapshots = await read.snapshotsOfCase(input.caseId);
    assert.deepEqual(snapshots.map((x) => x.VolumeId).sort(), [...s.volumes].sort(), 'one snapshot per attached volume, tagged with the case');
    assert.deepEqual(await read.group(s.asgName), { members: [s.instanceId], desired: 1 }, 'still in its Auto Scaling group before the approval');
    assert.deepEqual(await read.targets(s.targetGroupArn), [{ id: s.instanceId, port: 8080 }], 'still a load-balancer target before the approval');
    assert.deepEqual(await read.eniGroups(s.instanceId), before, 'not isolated before the approval');
    assert.equal(waiting.approvals[0]?.id, 'isolate-instance');
    assert.deepEqual(waiting.approvals[0]?.targets, [
      `detach ${s.instanceId} from its Auto Scaling group — aws`,
      `deregister ${s.instanceId} from its load-balancer target groups — aws`,
      `isolate ${s.instanceId} (security groups: all-traffic, then no rules — existing sessions cut) — aws`,
    ]);

    // The record, as evidence: the metadata document in the evidence store with its SHA-256 and
    // custody record (also in the ledger); the snapshots with their custody records.
    const meta = waiting.evidence?.find((e) => e.kind === 'instance-metadata');
    const document = fs.readFileSync(fileURLToPath(meta?.uri as string), 'utf8');
    assert.equal(meta?.sha256, createHash('sha256').update(document).digest('hex'), 'the SHA-256 is of the stored document');
    assert.equal(meta?.bytes, Buffer.byteLength(document));
    assert.ok(fs.readFileSync(path.join(pb.dataDir, 'evidence', 'custody.jsonl'), 'utf8').includes(meta?.evidenceId as string), 'in the custody ledger');
    const described = JSON.parse(document);
    assert.equal(described.instanceId, s.instanceId);
    assert.equal(described.autoScalingGroup, s.asgName, 'recorded before it was detached');
    assert.deepEqual(described.targetGroups, [s.targetGroupArn]);
    assert.deepEqual(described.securityGroups.map((g: { id: string }) => g.id).sort(), [s.web, s.ssh].sort());
    assert.equal(described.terminationProtection, false, 'recorded before protection was turned on');
    const snapEvidence = waiting.evidence?.filter((e) => e.kind === 'ebs-snapshot') ?? [];
    assert.deepEqual(snapEvidence.map((e) => e.uri.split('/').pop()).sort(), snapshots.map((x) => x.SnapshotId).sort());

    await pb.decide(h, 'isolate-instance', 'approve', 'alice', 'beaconing to a known C2');
    const done = await pb.result(h);
    assert.equal(done.status, 'contained');
    assert.deepEqual(done.actions?.map((a) => [a.op, a.driver, a.simulated]), [
      ['protect-instance', 'aws', false],
      ['tag-instance', 'aws', false],
      ['detach-asg', 'aws', false],
      ['deregister-targets', 'aws', false],
      ['isolate-instance', 'aws', false],
    ]);
    assert.deepEqual(await read.group(s.asgName), { members: [], desired: 0 }, 'out of the Auto Scaling group, and nothing replaces it');
    assert.deepEqual(await read.targets(s.targetGroupArn), [], 'no longer a load-balancer target');
    assert.ok(done.actions?.filter((a) => a.op === 'detach-asg' || a.op === 'deregister-targets').every((a) => a.approvedBy === 'alice'), 'taken out of service on the approval');
    const isolate = done.actions?.find((a) => a.op === 'isolate-instance') as ActionRecord;
    assert.equal(isolate.approvedBy, 'alice');
    assert.deepEqual(Object.keys(isolate.undo?.input.previousGroups ?? {}), [s.eni]);
    assert.deepEqual([...((isolate.undo?.input.previousGroups as Record<string, string[]>)[s.eni] ?? [])].sort(), before[s.eni]);

    // As the console shows it: the instance's interface in the isolation group only, which has no rules.
    const after = await read.eniGroups(s.instanceId);
    const isolation = after[s.eni]?.[0] as string;
    assert.deepEqual(after, { [s.eni]: [isolation] });
    assert.equal(await read.groupName(isolation), `riposte-isolation-${s.vpcId}`);
    assert.deepEqual(await read.instanceGroups(s.instanceId), [isolation]);

    // AWS's order, as the timeline tells it.
    const at = (re: RegExp) => stepIndex(done, (t) => re.test(`${t.step} ${t.message}`));
    const order = [at(/^record i-/), at(/^contain aws: enable termination protection/), at(/^contain aws: tag /), at(/^snapshot snap-/), at(/^approval .*approved by alice/), at(/^contain aws: detach /), at(/^contain aws: deregister /), at(/^contain aws: isolate /)];
    assert.ok(order.every((i, n) => i >= 0 && (n === 0 || i > (order[n - 1] as number))), `steps in AWS's order: ${order.join(', ')}`);
    assert.deepEqual(pb.tickets.noteKeys(), ['containment-aws-instance-compromise-protect-instance-1', `snapshots-${s.instanceId}`, 'approval-requested', 'approval-decided', 'containment-aws-instance-compromise-detach-asg-1', 'containment-aws-instance-compromise-isolate-instance-1', 'report']);
    assert.match(done.report ?? '', new RegExp(`instance-metadata of ${s.instanceId} .*sha256 ${meta?.sha256}`));
    assert.match(done.report ?? '', /ebs-snapshot of i-[0-9a-f]+ vol-[0-9a-f]+ \(\/dev\/xvda\)/);
    assert.match(done.report ?? '', /approved by alice/);

    // Every change has its undo: run them, newest first, as an analyst would from the API.
    for (const action of [...(done.actions ?? [])].reverse().filter((a) => a.undo)) {
      const r = await undo(input.caseId, action);
      assert.equal(r.status, 'undone', `${action.id}: ${r.description}`);
    }
    assert.deepEqual(await read.eniGroups(s.instanceId), before, 'the original groups are back');
    assert.equal(await read.protection(s.instanceId), false, 'termination protection as it was');
    assert.deepEqual(await read.group(s.asgName), { members: [s.instanceId], desired: 1 }, 'back in its Auto Scaling group');
    assert.deepEqual(await read.targets(s.targetGroupArn), [{ id: s.instanceId, port: 8080 }], 'registered again on its port');
  });

  it('when the analyst rejects, the instance stays preserved and in service, and is not isolated', async () => {
    const s = await webServer(lab);
    const before = await read.eniGroups(s.instanceId);
    await harness();
    const input = c2Finding(s);
    const h = await pb.start(PLAYBOOK, input);
    await pb.awaitingApproval(h);
    await pb.decide(h, 'isolate-instance', 'reject', 'bob', 'a pen test');
    const done = await pb.result(h);
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals[0]?.status, 'rejected');
    assert.deepEqual(await read.eniGroups(s.instanceId), before, 'not isolated');
    assert.equal(await read.protection(s.instanceId), true);
    assert.equal((await read.snapshotsOfCase(input.caseId)).length, 3);
    assert.deepEqual(done.actions?.map((a) => a.op), ['protect-instance', 'tag-instance']);
    assert.deepEqual(await read.group(s.asgName), { members: [s.instanceId], desired: 1 }, 'still in its Auto Scaling group');
    assert.deepEqual(await read.targets(s.targetGroupArn), [{ id: s.instanceId, port: 8080 }], 'still serving');
    assert.ok(done.actions?.every((a) => a.undo), 'what was done can be undone');
    assert.ok(pb.tickets.noteKeys().includes('approval-decided'));
  });

  it('with outOfService=before-approval, it leaves service while the approval waits, and stays out (with its undo) on a rejection', async () => {
    const s = await webServer(lab);
    await harness();
    const h = await pb.start(PLAYBOOK, c2Finding(s, { outOfService: 'before-approval' }));
    const waiting = await pb.awaitingApproval(h);
    assert.deepEqual(await read.group(s.asgName), { members: [], desired: 0 }, 'out of its Auto Scaling group before the question');
    assert.deepEqual(await read.targets(s.targetGroupArn), []);
    assert.deepEqual(waiting.approvals[0]?.targets, [`isolate ${s.instanceId} (security groups: all-traffic, then no rules — existing sessions cut) — aws`]);
    await pb.decide(h, 'isolate-instance', 'reject', 'bob');
    const done = await pb.result(h);
    assert.deepEqual(done.actions?.map((a) => [a.op, Boolean(a.undo)]), [['protect-instance', true], ['tag-instance', true], ['detach-asg', true], ['deregister-targets', true]]);
  });

  it('when the approval times out, it escalates and by default does not isolate', async () => {
    const s = await webServer(lab);
    const before = await read.eniGroups(s.instanceId);
    await harness();
    const done = await pb.result(await pb.start(PLAYBOOK, c2Finding(s, { approvalTimeout: '2s', onApprovalTimeout: 'none' })));
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals[0]?.status, 'timed_out');
    assert.ok(done.timeline.some((t) => t.step === 'escalate' && /nobody decided within 2s; the playbook default is not to isolate/.test(t.message)));
    assert.ok(done.skipped?.some((x) => x.step === 'page' && x.enableWith.includes('PAGERDUTY_ROUTING_KEY')), 'nobody to page is said, with what would enable it');
    assert.ok(pb.tickets.noteKeys().includes('escalation'));
    assert.deepEqual(await read.eniGroups(s.instanceId), before);
  });

  it('an out-of-service step AWS refuses is recorded and the others still go, isolation included', async () => {
    const s = await webServer(lab, { asgMinSize: 1 });
    await harness();
    const h = await pb.start(PLAYBOOK, c2Finding(s));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'isolate-instance', 'approve');
    const done = await pb.result(h);
    assert.ok(done.timeline.some((t) => t.step === 'contain' && /aws: could not detach-asg .*minimum size/.test(t.message)), 'the refusal is in the timeline');
    assert.deepEqual(await read.group(s.asgName), { members: [s.instanceId], desired: 1 }, 'AWS (and Riposte) would not shrink the group below its minimum');
    assert.deepEqual(await read.targets(s.targetGroupArn), [], 'the next step still went');
    assert.equal(done.status, 'contained');
    assert.deepEqual(done.actions?.map((a) => a.op), ['protect-instance', 'tag-instance', 'deregister-targets', 'isolate-instance']);
    assert.equal((await read.eniGroups(s.instanceId))[s.eni]?.length, 1);
    assert.notDeepEqual((await read.eniGroups(s.instanceId))[s.eni], [s.web, s.ssh].sort());
  });

  it('when AWS cannot be reached, nothing is acted on, no approval is asked, and the ticket says a person must look', async () => {
    const s = await webServer(lab);
    const closed = `http://127.0.0.1:${await freePort()}`;
    await harness({ env: { AWS_ENDPOINT_URL: closed } });
    const done = await pb.result(await pb.start(PLAYBOOK, c2Finding(s)));
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals.length, 0);
    assert.deepEqual(done.actions, []);
    assert.ok(done.timeline.some((t) => t.step === 'record' && /could not record i-.*no answer from AWS/.test(t.message)), JSON.stringify(done.timeline.filter((t) => t.step === 'record')));
    assert.ok(done.timeline.some((t) => t.step === 'escalate'));
    assert.ok(pb.tickets.noteKeys().includes('escalation'));
    assert.equal(await read.protection(s.instanceId), false);
  });

  it('an isolation retried after AWS acted (the answer was lost) acts once and still knows the original groups', async () => {
    const s = await webServer(lab);
    const before = await read.eniGroups(s.instanceId);
    await harness();
    const h = await pb.start(PLAYBOOK, c2Finding(s));
    await pb.awaitingApproval(h);
    // The first swap (to the untrack group) answers; the answers to the second (to the isolation group) are lost.
    lab.faults.loseAnswers('ModifyNetworkInterfaceAttribute', 2);
    await pb.decide(h, 'isolate-instance', 'approve');
    const done = await pb.result(h);
    assert.ok(lab.faults.lost >= 1, 'an answer was lost');
    assert.equal(lab.faults.calls('ModifyNetworkInterfaceAttribute'), 1 + lab.faults.lost, 'the retry moved nothing: only the first attempt (and the SDK\u2019s own retries of its lost call) swapped groups');
    const isolate = done.actions?.find((a) => a.op === 'isolate-instance') as ActionRecord;
    assert.match(isolate.description, /\(already so\)$/);
    const previous = isolate.undo?.input.previousGroups as Record<string, string[]>;
    assert.deepEqual([...(previous[s.eni] ?? [])].sort(), before[s.eni], 'the original groups, never the isolation group');
    assert.equal(done.actions?.filter((a) => a.op === 'isolate-instance').length, 1);
    assert.notDeepEqual(await read.eniGroups(s.instanceId), before);
    const r = await undo(done.caseId, isolate);
    assert.equal(r.status, 'undone');
    assert.deepEqual(await read.eniGroups(s.instanceId), before, 'the undo restores them');
  });

  it('a later finding naming another instance joins the running response: a second round preserves and asks for it alone', async () => {
    const first = await webServer(lab);
    const second = await webServer(lab);
    await harness();
    const h = await pb.start(PLAYBOOK, c2Finding(first));
    await pb.awaitingApproval(h);
    const later = guarddutyAlert(findingEvent('guardduty-ec2-c2-activity.json', (d) => (d.resource.instanceDetails.instanceId = second.instanceId)));
    const repeat = guarddutyAlert(findingEvent('guardduty-ec2-c2-activity.json', (d) => (d.resource.instanceDetails.instanceId = first.instanceId)));
    await h.signal(playbookAlertsSignal, { alerts: [later, repeat] });
    await pb.decide(h, 'isolate-instance', 'approve');
    const next = (await waitFor(() => pb.view(h), (v) => v.approvals.some((a) => a.status === 'pending'), 30_000, 'the second round\u2019s approval')).approvals.find((a) => a.status === 'pending');
    assert.equal(next?.id, 'isolate-instance-2');
    assert.equal(
      next?.action,
      `detach ${second.instanceId} from its Auto Scaling group; deregister ${second.instanceId} from its load-balancer target groups; then isolate ${second.instanceId} (security groups: all traffic, then none — existing sessions cut)`,
      'only the new instance'
    );
    assert.equal(await read.protection(second.instanceId), true, 'the new instance is preserved before the question');
    await pb.decide(h, 'isolate-instance-2', 'approve');
    const done = await pb.result(h);
    assert.deepEqual(done.indicators?.map((i) => i.value).sort(), [first.instanceId, second.instanceId].sort());
    assert.equal(done.actions?.filter((a) => a.op === 'isolate-instance').length, 2);
    assert.equal(done.evidence?.filter((e) => e.kind === 'instance-metadata').length, 2);
    for (const s of [first, second]) assert.notDeepEqual((await read.eniGroups(s.instanceId))[s.eni], [s.web, s.ssh].sort(), `${s.instanceId} isolated`);
    const keys = pb.tickets.noteKeys();
    assert.equal(new Set(keys).size, keys.length, 'every ticket note once');
    assert.ok(keys.includes('approval-requested-r2') && keys.includes('containment-aws-instance-compromise-isolate-instance-2'));
  });

  it('a dry run changes nothing in AWS and says what it would have done', async () => {
    const s = await webServer(lab);
    const before = await read.eniGroups(s.instanceId);
    await harness();
    const input = { ...c2Finding(s), dryRun: { approvals: 'approve' as const } };
    const done = await pb.result(await pb.start(PLAYBOOK, input));
    assert.equal(done.dryRun, true);
    assert.equal(await read.protection(s.instanceId), false);
    assert.equal((await read.tags(s.instanceId))['riposte:case'], undefined);
    assert.deepEqual(await read.snapshotsOfCase(input.caseId), []);
    assert.deepEqual(await read.group(s.asgName), { members: [s.instanceId], desired: 1 });
    assert.deepEqual(await read.targets(s.targetGroupArn), [{ id: s.instanceId, port: 8080 }]);
    assert.deepEqual(await read.eniGroups(s.instanceId), before);
    assert.ok(done.actions?.length === 5 && done.actions.every((a) => a.simulated), 'every action simulated');
    assert.ok(done.timeline.some((t) => t.step === 'snapshot' && t.message === `dry run: would snapshot 3 EBS volumes of ${s.instanceId} (${s.volumes.map((v, i) => `${v} ${['/dev/xvda', '/dev/sdf', '/dev/sdg'][i]}`).join(', ')}) and wait for completion`));
    assert.ok(done.timeline.some((t) => /^dry run: would open a recording ticket/.test(t.message)));
    assert.equal(pb.tickets.opened.length, 0);
    assert.equal(pb.tickets.notes.length, 0);
    assert.match(done.report ?? '', /DRY RUN/);
  });

  it('with aws not allowed to act (log-only), only the evidence is taken and the case says nothing was changed', async () => {
    const s = await webServer(lab);
    const before = await read.eniGroups(s.instanceId);
    await harness({ deps: { containment: { live: [] } } });
    const input = c2Finding(s);
    const h = await pb.start(PLAYBOOK, input);
    const waiting = await pb.awaitingApproval(h);
    assert.match(waiting.approvals[0]?.targets?.[0] ?? '', /simulated \(aws\)$/);
    await pb.decide(h, 'isolate-instance', 'approve');
    const done = await pb.result(h);
    assert.equal((await read.snapshotsOfCase(input.caseId)).length, 3, 'snapshots are evidence: taken whenever AWS is configured');
    assert.equal(await read.protection(s.instanceId), false);
    assert.equal((await read.tags(s.instanceId))['riposte:case'], undefined);
    assert.deepEqual(await read.group(s.asgName), { members: [s.instanceId], desired: 1 });
    assert.deepEqual(await read.targets(s.targetGroupArn), [{ id: s.instanceId, port: 8080 }]);
    assert.deepEqual(await read.eniGroups(s.instanceId), before);
    assert.equal(done.status, 'contained');
    assert.equal(done.containment?.simulated, true);
    assert.ok(done.actions?.every((a) => a.simulated && a.driver === 'aws'));
    assert.ok(done.timeline.some((t) => t.step === 'report' && /simulated: nothing was changed/.test(t.message)));
    assert.match(done.report ?? '', /SIMULATED \(nothing changed\): isolate/);
  });
});

describe('aws-instance-compromise decisions', () => {
  const gd = (edit: (d: any) => void = () => {}) => guarddutyAlert(findingEvent('guardduty-ec2-c2-activity.json', edit));
  const ok = (value: string, level: 'safe' | 'info' | 'suspicious' | 'malicious', score = 0): EnrichmentOutcome => ({
    source: 'abuseipdb',
    observable: { type: 'ip', value },
    status: 'ok',
    verdict: { source: 'abuseipdb', observable: { type: 'ip', value }, level, score, summary: `${level} test`, found: true, tags: [], related: [] },
  });

  it('routes AWS findings naming an EC2 instance at Medium or above, and nothing else', () => {
    const { matches } = awsInstanceCompromise.route;
    assert.equal(matches(gd()), true, 'GuardDuty Backdoor:EC2 (High)');
    assert.deepEqual(awsInstanceCompromise.indicators(gd()), [{ type: 'cloud_resource', value: 'i-0b7c9d1e2f3a4b5c6' }]);
    assert.equal(matches(gd((d) => (d.severity = 2))), false, 'a Low finding (port probes) is not worth snapshots and a protection change');
    assert.equal(matches(gd((d) => (d.severity = 5))), true, 'Medium');
    assert.equal(matches({ ...gd(), source: 'ocsf', cloud: undefined } as never), false, 'not from AWS');
    assert.equal(matches(guarddutyAlert(findingEvent('guardduty-iam-exfiltration.json'))), false, 'an access key finding names no instance');
    const [fromHub] = securityhubAlerts(securityhub.example);
    assert.equal(matches(fromHub as never), true, 'GuardDuty\u2019s finding as Security Hub forwards it');
    assert.deepEqual(awsInstanceCompromise.indicators(fromHub as never), [{ type: 'cloud_resource', value: 'i-0a1b2c3d4e5f67890' }]);
    const [cve] = securityhubAlerts(fixture('sources/securityhub-two-findings-one-bad.json'));
    assert.equal(cve?.rule?.name, 'Software and Configuration Checks/Vulnerabilities/CVE');
    assert.equal(matches(cve as never), false, 'an Inspector CVE on a Critical instance says it is exposed, not compromised');
    assert.deepEqual(alertInstances({ observables: [{ type: 'cloud_resource', value: 'i-0123' }, { type: 'cloud_resource', value: 'i-0123456789abcdef0', role: 'target' }] }), ['i-0123456789abcdef0']);
  });

  it('the remote side is what the instance talked to or what reached it — never its own private addresses', () => {
    assert.deepEqual(findingRemote(gd()), [{ type: 'ip', value: '203.0.113.99', role: 'dst' }]);
    const inbound = findingRemote({
      observables: [
        { type: 'ip', value: '10.0.2.57', role: 'src' },
        { type: 'ip', value: '198.51.100.7', role: 'src' },
        { type: 'domain', value: 'pool.miner.test', role: 'dst' },
        { type: 'ip', value: '192.0.2.9', role: 'actor' },
      ],
    });
    assert.deepEqual(inbound.map((o) => o.value), ['198.51.100.7', 'pool.miner.test', '192.0.2.9']);
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.169.254', 'fd00::1', 'fe80::1']) assert.equal(isPrivateAddress(ip), true, ip);
    for (const ip of ['172.32.0.1', '8.8.8.8', '2001:db8::1']) assert.equal(isPrivateAddress(ip), false, ip);
  });

  it('asks to isolate when reputation calls the remote side bad, else from High severity; a vouched-for address does not clear a High finding', () => {
    assert.deepEqual(
      [assessInstanceCompromise([ok('203.0.113.99', 'malicious', 90)], 3)].map((a) => [a.level, a.askToContain, a.conclusive, a.score]),
      [['malicious', true, true, 90]]
    );
    assert.equal(assessInstanceCompromise([ok('203.0.113.99', 'suspicious', 40)], 3).askToContain, true);
    const high = assessInstanceCompromise([], 4);
    assert.deepEqual([high.level, high.askToContain], ['inconclusive', true]);
    assert.match(high.reasons.at(-1) ?? '', /High \(4\) is High or above: asking to isolate/);
    const vouched = assessInstanceCompromise([ok('203.0.113.99', 'safe')], 4);
    assert.equal(vouched.askToContain, true);
    assert.ok(vouched.reasons.some((r) => /203\.0\.113\.99 is safe/.test(r)), 'the vouching is listed');
    const medium = assessInstanceCompromise([ok('203.0.113.99', 'info')], 3);
    assert.deepEqual([medium.askToContain, medium.reasons.at(-1)], [false, 'no source calls the remote side bad; finding severity Medium (3) is below High: preserved, not isolated']);
  });

});
