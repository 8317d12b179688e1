// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// A compromised EC2 instance (GuardDuty or Security Hub EC2 findings). In the order AWS documents
// for EC2 incident response: record the instance's metadata, protect it from termination, tag it
// with the case, snapshot its EBS volumes as evidence, take it out of its Auto Scaling group and
// load-balancer target groups, and — once an analyst approves — isolate it with the two-step
// security-group swap that also cuts the sessions already open. Every change has its undo.
import { patched, type ActivityOptions } from '@temporalio/workflow';
import type { EbsSnapshotRecord, InstanceDescription } from '../../activities/aws/types.ts';
import type { ContainRequest } from '../../activities/containment/types.ts';
import { severityName, type NativeAlert, type Observable } from '../../core/alert.ts';
import type { EvidenceItem, PlaybookView } from '../../core/case.ts';
import { mergeVerdicts, SEVERITY_ASK_THRESHOLD, type Assessment, type EnrichmentOutcome } from '../../core/verdict.ts';
import { COLLECTION } from '../blocks/activity-options.ts';
import { now } from '../blocks/case-record.ts';
import { applyContainment, describePlanned, planContainment } from '../blocks/contain.ts';
import { enrich } from '../blocks/enrich.ts';
import { caseReport } from '../blocks/report.ts';
import { failureType, message } from '../blocks/ticket-sync.ts';
import type { PlaybookInput } from '../definitions.ts';
import { APPROVAL_SETTINGS, definePlaybook, runPlaybook, type PlaybookRun } from '../playbook.ts';

/** `i-` and 8 or 17 hex digits (EC2's own pattern). */
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export const awsInstanceCompromise = definePlaybook({
  name: 'aws-instance-compromise',
  title: 'AWS EC2 instance compromise',
  version: 2,
  description:
    'An AWS finding names an EC2 instance: enrich the remote side, record the instance (metadata as evidence with its SHA-256), enable termination protection, tag it with the case, snapshot every attached EBS volume, ask an analyst, then take it out of its Auto Scaling group and target groups and isolate it with the two-step security-group swap (existing sessions cut), report.',
  route: {
    description:
      'an AWS threat finding (cloud provider aws, or source guardduty/securityhub; of Security Hub, only TTPs, Effects and Unusual Behaviors — not vulnerability or configuration checks) naming an EC2 instance (a cloud_resource i-…), severity Medium or above',
    matches: (a: NativeAlert) => fromAws(a) && isThreatFinding(a) && alertInstances(a).length > 0 && a.severity_id >= 3 && a.severity_id <= 6,
  },
  indicators: (a: NativeAlert): Observable[] => alertInstances(a).map((value) => ({ type: 'cloud_resource' as const, value })),
  settings: {
    ...APPROVAL_SETTINGS,
    snapshotVolumes: { default: 'yes', kind: 'enum', choices: ['yes', 'no'], description: 'snapshot every attached EBS volume as evidence (when AWS is configured), and wait for the snapshots to complete' },
    outOfService: {
      default: 'on-approval',
      kind: 'enum',
      choices: ['on-approval', 'before-approval'],
      description: 'when to detach the instance from its Auto Scaling group and deregister it from its target groups: with the isolation, once approved (on-approval), or as soon as the verdict calls for isolation, while the approval waits (before-approval: users stop reaching a suspect instance sooner; a rejection leaves it out of service, with its undo)',
    },
  },
  approvals: { 'isolate-instance': 'take the instance out of its Auto Scaling group and load-balancer target groups, then isolate it with the two-step security-group swap (all traffic, then none), cutting the sessions already open' },
  sideEffects: ['ticket', 'notify', 'page', 'collect:ebs-snapshot', 'cloud:termination-protection', 'cloud:tag', 'cloud:detach-asg', 'cloud:deregister-targets', 'contain:cloud-instance'],
});

export async function awsInstanceCompromisePlaybook(input: PlaybookInput): Promise<PlaybookView> {
  return runPlaybook(awsInstanceCompromise, input, respond);
}

type Run = PlaybookRun<keyof typeof awsInstanceCompromise.settings>;

/** What recording an instance came to: its description, AWS not configured, or a failure (then it is not touched). */
type Recorded = { status: 'described'; instance: InstanceDescription } | { status: 'unconfigured' } | { status: 'failed' };

/** Reading an instance: read-only calls, retried for a few minutes (AWS_RATE_LIMIT queues them). */
const AWS_READ: ActivityOptions = {
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: ['IntegrationAuthError', 'IntegrationRequestError', 'InvalidObservableError'] },
};

async function respond(run: Run): Promise<void> {
  const { record, settings } = run;
  const round = run.round.number > 1 ? `-r${run.round.number}` : '';
  const instances = run.round.indicators.map((i) => i.value);
  for (const id of instances) {
    const from = run.round.alerts.find((a) => alertInstances(a).includes(id));
    record.joinScope({ type: 'cloud_resource', value: id, joinedBy: 'alert', reason: `named by alert ${from?.id ?? run.input.alert.id}` });
  }
  const alert = run.round.alerts[0] ?? run.input.alert;

  // 1. Enrich the remote side of the finding: the address or domain the instance talked to, or that probed it.
  const remote = uniqueObservables(run.round.alerts.flatMap(findingRemote));
  const { outcomes } = await enrich(run, remote, { firstSeen: false }); // the first-seen store is never-seen-domain's and suspected-c2's

  // 2. Decide.
  const severity = Math.max(...run.round.alerts.map((a) => (a.severity_id === 99 ? 0 : a.severity_id)));
  const assessment = assessInstanceCompromise(outcomes, severity);
  record.assess(assessment);
  record.note('verdict', `${assessment.level}, score ${assessment.score}: ${assessment.reasons.join('; ') || 'no findings'}`);

  // 3. Open the ticket (once per run).
  await run.ticket.open(`[Riposte] AWS instance compromise: ${instances.join(', ')} — ${alert.title}`, caseReport(record.view, now()));

  // 4. Record each instance as it is now (metadata, kept as evidence with its SHA-256). AWS's first step.
  const recorded = new Map<string, Recorded>();
  for (const id of instances) recorded.set(id, await recordInstance(run, id, alert));
  const targets = instances.filter((id) => recorded.get(id)?.status !== 'failed');
  if (targets.length === 0) {
    const why = `nothing was changed: ${instances.join(', ')} could not be recorded, and Riposte does not act on an instance it could not record`;
    record.note('escalate', why);
    return run.ticket.note(`escalation${round}`, `Escalation: ${why}. Check the instance by hand.`);
  }

  // 5. Preserve: termination protection and the case tag (the contain block: simulated unless aws may act).
  const preserve = await planContainment(run, targets.flatMap((id): ContainRequest[] => [
    { kind: 'cloud_instance', op: 'protect-instance', target: id, params: { instanceId: id } },
    { kind: 'cloud_instance', op: 'tag-instance', target: id, params: { instanceId: id, tags: { 'riposte:playbook': awsInstanceCompromise.name } } },
  ]));
  await applyContainment(run, preserve, { onFailure: 'continue' });

  // 6. Snapshot every attached EBS volume: evidence, taken before anything changes the instance's network.
  if (settings.snapshotVolumes === 'yes') {
    for (const id of targets) await snapshotVolumes(run, id, recorded.get(id) as Recorded);
  } else {
    record.note('snapshot', 'not taken: snapshotVolumes is "no"');
  }

  // 7. Ask to isolate only when the verdict calls for it (the instance is preserved either way).
  if (!assessment.askToContain) return record.note('approval', 'not asked: the verdict does not call for isolation; the instance is preserved (protection, tag, snapshots) and stays in service');
  const isolation = await planContainment(run, targets.map((id): ContainRequest => ({ kind: 'cloud_instance', op: 'isolate-instance', target: id, params: { instanceId: id } })));
  if (isolation.length === 0) return record.note('approval', 'not asked: every instance is on the never-contain list');
  const isolable = isolation.map((a) => a.target);

  // 8. Plan taking it out of service — its Auto Scaling group must neither replace nor terminate it
  //    once isolated, and no load balancer send it traffic. It takes a service out of production, so
  //    by default it waits for the approval (version 1, and outOfService=before-approval, do it first).
  const outOfService = await planContainment(run, isolable.flatMap((id) => membershipRequests(run, id, recorded.get(id) as Recorded)));
  const approvedFirst = patched(OUT_OF_SERVICE_AFTER_APPROVAL) && settings.outOfService !== 'before-approval';
  if (!approvedFirst) await applyContainment(run, outOfService, { onFailure: 'continue' });

  // 9. Ask before taking it out of service and isolating it.
  const steps = approvedFirst && outOfService.length > 0 ? `${outOfService.map((a) => a.description).join('; ')}; then ` : '';
  const action = `${steps}isolate ${isolable.join(', ')} (security groups: all traffic, then none — existing sessions cut)`;
  await run.ticket.note(`approval-requested${round}`, `Approval requested: ${action}. Reason: ${assessment.reasons.join('; ')}`);
  const asked = [...(approvedFirst ? outOfService : []), ...isolation].map(describePlanned);
  const decision = await run.approvals.ask({ id: 'isolate-instance', action, reason: assessment.reasons.join('; '), targets: asked, timeout: settings.approvalTimeout });
  if (!(await run.approvals.settle(decision, { ...settings, verb: 'isolate', noun: 'Isolation', suffix: round }))) return;

  // 10. Out of service (one refusal does not stop the rest), then isolate.
  if (approvedFirst) await applyContainment(run, outOfService, { approval: decision, onFailure: 'continue' });
  await applyContainment(run, isolation, { approval: decision });
}

/** Detaching from Auto Scaling and deregistering from target groups wait for the approval. */
const OUT_OF_SERVICE_AFTER_APPROVAL = 'aws-instance-out-of-service-after-approval';

/** Step 4 for one instance: awsDescribeInstance → an `instance-metadata` evidence item (read-only, so a dry run reads it too). */
async function recordInstance(run: Run, id: string, alert: NativeAlert): Promise<Recorded> {
  const { record, providers, unconfigured } = run;
  if (providers.contain.cloud_instance.driver !== 'aws') {
    if (!record.view.skipped.some((s) => s.step === 'record')) {
      record.skip('record', 'AWS is not configured: no instance can be described or snapshotted, and every change is simulated', unconfigured['contain.cloud'] ?? ['AWS_REGION']);
    }
    return { status: 'unconfigured' };
  }
  const { awsDescribeInstance } = run.privileged(AWS_READ);
  try {
    const r = await awsDescribeInstance({ instanceId: id });
    if (r.status === 'skipped') {
      record.note('record', `${id}: skipped — ${r.reason}`);
      return { status: 'unconfigured' };
    }
    if (r.state === 'terminated' || r.state === 'shutting-down') {
      record.note('record', `${id} is ${r.state}: nothing left to preserve or isolate`);
      return { status: 'failed' };
    }
    const evidence = await keepMetadata(run, r);
    if (evidence) record.addEvidence(evidence);
    record.note(
      'record',
      `${id} (${r.state}, ${r.region}${r.vpcId ? `, ${r.vpcId}` : ''}): groups ${r.securityGroups.map((g) => g.id).join(', ') || 'none'}; ${r.volumes.length} EBS volume${r.volumes.length === 1 ? '' : 's'}; ` +
        `Auto Scaling group ${r.autoScalingGroup ?? 'none'}; ${r.targetGroups.length} target group${r.targetGroups.length === 1 ? '' : 's'}; termination protection ${r.terminationProtection ? 'on' : 'off'}; ` +
        (evidence ? `metadata ${evidence.evidenceId}, sha256 ${evidence.sha256}` : 'metadata not kept (dry run)')
    );
    const region = alert.cloud?.region;
    if (region && region !== r.region) record.note('record', `the finding is from ${region}, but this worker acts in ${r.region} (AWS_REGION)`);
    return { status: 'described', instance: r };
  } catch (err) {
    const region = alert.cloud?.region;
    const notFound = failureType(err) === 'InvalidObservableError' && region ? ` (the finding is from ${region}; this worker acts only in its AWS_REGION)` : '';
    record.note('record', `could not record ${id}${notFound}: ${message(err)}`);
    return { status: 'failed' };
  }
}

/** Step 6 for one instance: awsSnapshotVolumes (custody records), waited to completion; a failure is recorded. */
async function snapshotVolumes(run: Run, id: string, recorded: Recorded): Promise<void> {
  const { record } = run;
  if (recorded.status !== 'described') return; // AWS is not configured: step 4 said so
  const { volumes } = recorded.instance;
  if (volumes.length === 0) return record.note('snapshot', `${id} has no attached EBS volume: nothing to snapshot`);
  if (run.wouldDo('snapshot', `snapshot ${volumes.length} EBS volume${volumes.length === 1 ? '' : 's'} of ${id} (${volumes.map((v) => `${v.volumeId} ${v.device}`).join(', ')}) and wait for completion`)) return;
  const { awsSnapshotVolumes } = run.privileged(COLLECTION);
  try {
    const r = await awsSnapshotVolumes({ instanceId: id, caseId: run.caseId, idempotencyKey: run.key(`snapshot:${id}`), requestedBy: run.key('snapshot') });
    if (r.status === 'skipped') return record.note('snapshot', `${id}: skipped — ${r.reason}`);
    for (const s of r.snapshots) {
      record.addEvidence(snapshotEvidence(id, s));
      record.note('snapshot', `${s.snapshotId} of ${s.volumeId} (${s.device}) on ${id}: ${s.state} at ${s.completedAt}; ${s.evidenceId}`);
    }
    await run.ticket.note(`snapshots-${id}`, `EBS snapshots of ${id} (evidence, tagged riposte:case=${run.caseId}):\n${r.snapshots.map((s) => `- ${s.snapshotId} of ${s.volumeId} (${s.device}), ${s.state} at ${s.completedAt} — ${s.uri}`).join('\n')}`);
  } catch (err) {
    record.note('snapshot', `could not snapshot ${id}: ${message(err)}`);
  }
}

/** Step 8 for one instance: only the memberships the record found (none when AWS could not say). */
function membershipRequests(run: Run, id: string, recorded: Recorded): ContainRequest[] {
  if (recorded.status !== 'described') {
    run.record.note('contain', `${id}: Auto Scaling and target-group membership unknown (AWS is not configured); nothing to detach`);
    return [];
  }
  const { autoScalingGroup, targetGroups } = recorded.instance;
  const requests: ContainRequest[] = [];
  if (autoScalingGroup) requests.push({ kind: 'cloud_instance', op: 'detach-asg', target: id, params: { instanceId: id } });
  else run.record.note('contain', `${id} is in no Auto Scaling group`);
  if (targetGroups.length > 0) requests.push({ kind: 'cloud_instance', op: 'deregister-targets', target: id, params: { instanceId: id } });
  else run.record.note('contain', `${id} is registered with no load-balancer target group`);
  return requests;
}

/** The instance's metadata as evidence: a JSON document in the evidence store, hashed, with its custody record. */
async function keepMetadata(run: Run, instance: InstanceDescription): Promise<EvidenceItem | undefined> {
  if (run.wouldDo('record', `keep the metadata of ${instance.instanceId} as evidence`)) return undefined;
  const { collectionRecordDocument } = run.privileged(AWS_READ);
  return collectionRecordDocument({
    kind: 'instance-metadata',
    caseId: run.caseId,
    requestedBy: run.key('record'),
    idempotencyKey: run.key(`record:${instance.instanceId}`),
    source: instance.instanceId,
    tool: 'awsDescribeInstance (EC2 DescribeInstances, DescribeVolumes, DescribeInstanceAttribute; Auto Scaling; ELBv2)',
    document: instance,
  });
}

function snapshotEvidence(instanceId: string, s: EbsSnapshotRecord): EvidenceItem {
  return {
    evidenceId: s.evidenceId,
    kind: 'ebs-snapshot',
    source: `${instanceId} ${s.volumeId} (${s.device})`,
    uri: s.uri,
    ...(s.bytes !== undefined ? { bytes: s.bytes } : {}),
    tool: 'aws ec2 CreateSnapshot',
    at: s.completedAt || s.startedAt,
    custody: { ...s },
  };
}

// ---- Decisions (pure) -------------------------------------------------------------------------

/** The alert comes from AWS: its cloud says so, or its source is GuardDuty or Security Hub. */
export function fromAws(a: NativeAlert): boolean {
  return a.cloud?.provider === 'aws' || a.source === 'guardduty' || a.source === 'securityhub';
}

/**
 * A threat detection, not a posture check: of Security Hub's findings (ASFF types, the first of
 * which is the alert's rule name) only TTPs, Effects and Unusual Behaviors — an Inspector CVE or a
 * CIS control failing on an instance says it is exposed, not that it is compromised.
 */
export function isThreatFinding(a: Pick<NativeAlert, 'source' | 'rule'>): boolean {
  return a.source !== 'securityhub' || /^(?:TTPs|Effects|Unusual Behaviors)\//.test(a.rule?.name ?? '');
}

/** The EC2 instances an alert names (cloud_resource `i-…`), once each. */
export function alertInstances(a: Pick<NativeAlert, 'observables'>): string[] {
  return [...new Set(a.observables.filter((o) => o.type === 'cloud_resource' && INSTANCE_ID.test(o.value)).map((o) => o.value))];
}

/**
 * The remote side of an EC2 finding: domains it queried, addresses it talked to (dst), and public
 * addresses that reached it or called with its credentials (src, actor) — never its own private ones.
 */
export function findingRemote(a: Pick<NativeAlert, 'observables'>): Observable[] {
  return uniqueObservables(
    a.observables.flatMap((o): Observable[] => {
      if (o.type === 'domain' && o.role === 'dst') return [{ type: 'domain', value: o.value, role: 'dst' }];
      if (o.type !== 'ip') return [];
      if (o.role === 'dst') return [{ type: 'ip', value: o.value, role: 'dst' }];
      if ((o.role === 'src' || o.role === 'actor') && !isPrivateAddress(o.value)) return [{ type: 'ip', value: o.value, role: o.role }];
      return [];
    })
  );
}

/** Private, loopback, link-local, shared (CGNAT) and unique-local addresses: an instance's own side. */
export function isPrivateAddress(ip: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(ip);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const v6 = ip.toLowerCase();
  return v6 === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(v6) || /^fe[89ab][0-9a-f]?:/.test(v6);
}

/**
 * Whether to ask to isolate (docs/playbooks/aws-instance-compromise.md):
 * 1. any reputation source calls the remote side malicious or suspicious → ask;
 * 2. otherwise the finding's severity decides: High (4) or above asks — AWS's own detector already
 *    judged the instance, and a remote side a source vouches for does not clear it (the finding may be
 *    about something else: mining, credential exfiltration, a rebind);
 * 3. Medium: no isolation is asked; the instance is still preserved (protection, tag, snapshots).
 */
export function assessInstanceCompromise(outcomes: EnrichmentOutcome[], severityId: number): Assessment {
  const verdicts = mergeVerdicts(outcomes).filter((v) => v.level !== 'unknown');
  const score = verdicts.reduce((m, v) => Math.max(m, v.score), 0);
  const reasons = verdicts.flatMap((v) => v.sources.filter((s) => s.level !== 'info').map((s) => `${s.source}: ${v.observable.value} is ${s.level} (${s.summary})`));
  const bad = verdicts.filter((v) => v.level === 'malicious' || v.level === 'suspicious');
  if (bad.length > 0) return { level: bad.some((v) => v.level === 'malicious') ? 'malicious' : 'suspicious', score, conclusive: true, askToContain: true, reasons };
  const high = severityId >= SEVERITY_ASK_THRESHOLD && severityId !== 99;
  return {
    level: 'inconclusive',
    score,
    conclusive: false,
    askToContain: high,
    reasons: [
      ...reasons,
      `no source calls the remote side bad; finding severity ${severityName(severityId)} (${severityId}) ${high ? 'is High or above: asking to isolate' : 'is below High: preserved, not isolated'}`,
    ],
  };
}

function uniqueObservables(list: Observable[]): Observable[] {
  const seen = new Set<string>();
  return list.filter((o) => {
    const key = `${o.type}:${o.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---- SHA-256 (FIPS 180-4), in the sandbox: the metadata's hash is computed where it is recorded ----

