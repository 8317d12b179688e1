// Network isolation the way AWS documents it for EC2: security groups are stateful and keep
// *tracked* connections alive after their rules change, so an attacker's open session would
// survive a plain swap to a no-rules group. Every interface first moves to a group that allows
// all traffic from and to anywhere — AWS does not track flows that such rules allow both ways —
// and then to a group with no rules at all, which drops the now-untracked flows at once.
// (EC2 User Guide, "Security group connection tracking"; the AWS forensic orchestrator and the
// AWSSupport-ContainEC2Instance runbook do the same two steps.)
//
// Memory: before an interface is first moved, its original groups are written as tags on the
// interface itself (riposte:previous-groups). Tags live in AWS, so a retry on any worker — even
// after the first attempt finished the swap and only its answer was lost — reads the original
// groups back, and never mistakes the isolation group for "previous". Heartbeat details would
// only survive retries of the same attempt chain, and an instance-level tag could not hold many
// interfaces' groups in 256 characters. The undo removes the tags.
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
  type NetworkInterface,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import type { AwsClient } from './client.ts';
import { awsErrorCode } from './errors.ts';
import { deleteTags, getInstance, setTags, tagMap } from './instance.ts';
import type { IsolateInstanceInput, IsolateInstanceResult, RestoreSecurityGroupsResult } from './types.ts';
import { invalid } from './validate.ts';

const PREVIOUS = 'riposte:previous-groups';
/** Ten group ids (21 characters each, space-separated) fit a 256-character tag value. */
const PER_TAG = 10;
const MEMORY_TAGS = [PREVIOUS, `${PREVIOUS}-2`, 'riposte:isolation-case', 'riposte:isolation-key'];

export async function isolate(aws: AwsClient, region: string | undefined, input: IsolateInstanceInput): Promise<IsolateInstanceResult> {
  const inst = await getInstance(aws, region, input.instanceId);
  if (!inst.VpcId) throw invalid(`${input.instanceId} is not in a VPC (state ${inst.State?.Name ?? 'unknown'})`);
  const enis = await interfacesOf(aws, region, input.instanceId);
  if (enis.length === 0) throw invalid(`${input.instanceId} has no network interface`);
  // Groups belong to a VPC, and an instance may have interfaces in several (multi-VPC ENIs).
  const byVpc = new Map<string, VpcGroups>();
  for (const vpc of new Set([inst.VpcId, ...enis.map((n) => n.VpcId ?? (inst.VpcId as string))])) byVpc.set(vpc, await ensureGroups(aws, region, vpc));
  const groupsFor = (n: NetworkInterface) => byVpc.get(n.VpcId ?? (inst.VpcId as string)) as VpcGroups;
  const ours = new Set([...byVpc.values()].flatMap((g) => [g.transitionGroupId, g.isolationGroupId]));

  const previousGroups: Record<string, string[]> = {};
  const alreadyIsolated = enis.every((n) => same(groupsOf(n), [groupsFor(n).isolationGroupId]));
  for (const eni of enis) {
    const id = eni.NetworkInterfaceId as string;
    const current = groupsOf(eni);
    if (current.some((g) => ours.has(g))) {
      const recorded = readPrevious(tagMap(eni.TagSet));
      if (!recorded) throw invalid(`${id} is in Riposte's isolation groups but carries no record of its previous groups (tag ${PREVIOUS}); restore it by hand`);
      previousGroups[id] = recorded;
    } else {
      // Recorded before anything moves; a stale record from an earlier isolation is overwritten.
      previousGroups[id] = current;
      const tags = { ...encodePrevious(current), 'riposte:isolation-case': input.caseId, 'riposte:isolation-key': input.idempotencyKey };
      await setTags(aws, region, [id], tags);
      if (!(`${PREVIOUS}-2` in tags) && `${PREVIOUS}-2` in tagMap(eni.TagSet)) await deleteTags(aws, region, [id], [`${PREVIOUS}-2`]);
    }
  }
  // Step 1 for every interface before step 2 for any: a host with several interfaces keeps no path.
  const pending = enis.filter((n) => !same(groupsOf(n), [groupsFor(n).isolationGroupId]));
  for (const eni of pending) if (!same(groupsOf(eni), [groupsFor(eni).transitionGroupId])) await setGroups(aws, region, eni.NetworkInterfaceId as string, [groupsFor(eni).transitionGroupId]);
  for (const eni of pending) await setGroups(aws, region, eni.NetworkInterfaceId as string, [groupsFor(eni).isolationGroupId]);
  const primary = byVpc.get(inst.VpcId) as VpcGroups;
  return { status: 'ok', instanceId: input.instanceId, isolationGroupId: primary.isolationGroupId, transitionGroupId: primary.transitionGroupId, previousGroups, alreadyIsolated };
}

export async function restore(aws: AwsClient, region: string | undefined, instanceId: string, previousGroups: Record<string, string[]>): Promise<RestoreSecurityGroupsResult> {
  const enis = new Map((await interfacesOf(aws, region, instanceId)).map((n) => [n.NetworkInterfaceId as string, n]));
  for (const eni of Object.keys(previousGroups)) if (!enis.has(eni)) throw invalid(`${eni} is not attached to ${instanceId}`);
  let changed = false;
  for (const [id, groups] of Object.entries(previousGroups)) {
    const eni = enis.get(id) as NetworkInterface;
    if (!same(groupsOf(eni), groups)) {
      await setGroups(aws, region, id, groups);
      changed = true;
    }
    const memory = MEMORY_TAGS.filter((k) => k in tagMap(eni.TagSet));
    if (memory.length > 0) await deleteTags(aws, region, [id], memory);
  }
  return { status: 'ok', instanceId, restored: previousGroups, changed };
}

async function interfacesOf(aws: AwsClient, region: string | undefined, instanceId: string): Promise<NetworkInterface[]> {
  const res = await aws.call('DescribeNetworkInterfaces', (abortSignal) =>
    aws.in(region).ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }), { abortSignal })
  );
  return (res.NetworkInterfaces ?? []).filter((n) => n.NetworkInterfaceId);
}

async function setGroups(aws: AwsClient, region: string | undefined, eni: string, groups: string[]): Promise<void> {
  await aws.call('ModifyNetworkInterfaceAttribute', (abortSignal) => aws.in(region).ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, Groups: groups }), { abortSignal }));
}

const groupsOf = (n: NetworkInterface) => (n.Groups ?? []).map((g) => g.GroupId as string);
const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

function encodePrevious(groups: string[]): Record<string, string> {
  const out: Record<string, string> = { [PREVIOUS]: groups.slice(0, PER_TAG).join(' ') };
  if (groups.length > PER_TAG) out[`${PREVIOUS}-2`] = groups.slice(PER_TAG).join(' ');
  return out;
}

function readPrevious(tags: Record<string, string>): string[] | undefined {
  const groups = [tags[PREVIOUS], tags[`${PREVIOUS}-2`]].filter(Boolean).join(' ').split(/\s+/).filter((g) => /^sg-[0-9a-f]+$/.test(g));
  return groups.length > 0 ? groups : undefined;
}

// The two groups, one pair per VPC, created on first use and checked on every use: the untrack
// group must allow everything both ways (IPv4 and IPv6, or IPv6 flows stay tracked), the
// isolation group must have no rule at all — not even the outbound rule AWS gives a new group.

const ALL_TRAFFIC: IpPermission[] = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }, { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }];

interface VpcGroups {
  transitionGroupId: string;
  isolationGroupId: string;
}

async function ensureGroups(aws: AwsClient, region: string | undefined, vpcId: string): Promise<VpcGroups> {
  const transitionGroupId = await findOrCreateGroup(aws, region, vpcId, `riposte-untrack-${vpcId}`, 'Riposte isolation step 1: all traffic, so existing flows become untracked', 'untrack');
  const isolationGroupId = await findOrCreateGroup(aws, region, vpcId, `riposte-isolation-${vpcId}`, 'Riposte isolation: no inbound and no outbound traffic', 'isolation');
  const [untrackRules, isolationRules] = [await rulesOf(aws, region, transitionGroupId), await rulesOf(aws, region, isolationGroupId)];
  for (const egress of [false, true]) {
    const missing = ALL_TRAFFIC.filter((p) => !untrackRules.some((r) => r.IsEgress === egress && r.IpProtocol === '-1' && (p.IpRanges ? r.CidrIpv4 === '0.0.0.0/0' : r.CidrIpv6 === '::/0')));
    if (missing.length > 0) await authorize(aws, region, transitionGroupId, egress, missing);
  }
  const ingress = isolationRules.filter((r) => !r.IsEgress).map((r) => r.SecurityGroupRuleId as string);
  const egress = isolationRules.filter((r) => r.IsEgress).map((r) => r.SecurityGroupRuleId as string);
  const ec2 = aws.in(region).ec2;
  if (ingress.length > 0) await aws.call('RevokeSecurityGroupIngress', (abortSignal) => ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: isolationGroupId, SecurityGroupRuleIds: ingress }), { abortSignal }));
  if (egress.length > 0) await aws.call('RevokeSecurityGroupEgress', (abortSignal) => ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: isolationGroupId, SecurityGroupRuleIds: egress }), { abortSignal }));
  return { transitionGroupId, isolationGroupId };
}

async function findOrCreateGroup(aws: AwsClient, region: string | undefined, vpcId: string, name: string, description: string, role: string): Promise<string> {
  const ec2 = aws.in(region).ec2;
  const find = async () =>
    (await aws.call('DescribeSecurityGroups', (abortSignal) => ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }, { Name: 'vpc-id', Values: [vpcId] }] }), { abortSignal }))).SecurityGroups?.[0]?.GroupId;
  const existing = await find();
  if (existing) return existing;
  try {
    const created = await aws.call('CreateSecurityGroup', (abortSignal) =>
      ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: description, VpcId: vpcId, TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: name }, { Key: 'riposte:role', Value: role }] }] }), { abortSignal })
    );
    return created.GroupId as string;
  } catch (err) {
    // Another isolation in the same VPC created it first.
    if (awsErrorCode(err) !== 'InvalidGroup.Duplicate') throw err;
    const raced = await find();
    if (raced) return raced;
    throw err;
  }
}

async function rulesOf(aws: AwsClient, region: string | undefined, groupId: string): Promise<SecurityGroupRule[]> {
  const rules: SecurityGroupRule[] = [];
  let next: string | undefined;
  do {
    const page = await aws.call('DescribeSecurityGroupRules', (abortSignal) =>
      aws.in(region).ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }], ...(next ? { NextToken: next } : {}) }), { abortSignal })
    );
    rules.push(...(page.SecurityGroupRules ?? []));
    next = page.NextToken;
  } while (next);
  return rules;
}

async function authorize(aws: AwsClient, region: string | undefined, groupId: string, egress: boolean, permissions: IpPermission[]): Promise<void> {
  const ec2 = aws.in(region).ec2;
  try {
    if (egress) await aws.call('AuthorizeSecurityGroupEgress', (abortSignal) => ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: permissions }), { abortSignal }));
    else await aws.call('AuthorizeSecurityGroupIngress', (abortSignal) => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: permissions }), { abortSignal }));
  } catch (err) {
    // A concurrent isolation in the same VPC added the same rule: what we wanted is there.
    if (awsErrorCode(err) !== 'InvalidPermission.Duplicate') throw err;
  }
}
