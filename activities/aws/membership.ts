// Taking an instance out of service without destroying it: out of its Auto Scaling group (so a
// scale-in or a failed health check cannot terminate the evidence) and out of its load
// balancers' target groups (so it serves no more users), each with its undo.
import { AttachInstancesCommand, DescribeAutoScalingGroupsCommand, DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { DeregisterTargetsCommand, DescribeTargetHealthCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ErrorType } from '../shared/errors.ts';
import type { AwsClient } from './client.ts';
import { autoScalingMembership, deleteTags, getInstance, registrationsOf, setTags, tagMap } from './instance.ts';
import type { AttachToAutoScalingResult, DeregisterFromTargetGroupsResult, DetachFromAutoScalingResult, RegisterWithTargetGroupsResult, TargetRegistration } from './types.ts';
import { invalid } from './validate.ts';

/** The group Riposte detached the instance from, kept on the instance until the undo. */
export const DETACHED_FROM = 'riposte:autoscaling-group';

export async function detachFromAutoScaling(aws: AwsClient, region: string | undefined, instanceId: string): Promise<DetachFromAutoScalingResult> {
  const inst = await getInstance(aws, region, instanceId);
  const member = await autoScalingMembership(aws, region, instanceId);
  if (!member || /^Detach/.test(member.lifecycleState)) {
    // Out already: by Riposte's earlier attempt (the tag says which group), or never in one.
    const recorded = member?.group ?? tagMap(inst.Tags)[DETACHED_FROM];
    return recorded ? { status: 'ok', instanceId, group: recorded, detached: true } : { status: 'ok', instanceId, detached: false };
  }
  const g = (await aws.call('DescribeAutoScalingGroups', (abortSignal) => aws.in(region).autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [member.group] }), { abortSignal }))).AutoScalingGroups?.[0];
  // AWS refuses to decrement below the group's minimum; say so plainly rather than lower the
  // minimum behind the analyst's back (that would be a second change, with its own undo).
  if (g && (g.DesiredCapacity ?? 0) - 1 < (g.MinSize ?? 0)) {
    throw ApplicationFailure.create({
      type: ErrorType.request,
      nonRetryable: true,
      message: `aws: ${instanceId} cannot leave Auto Scaling group ${member.group}: it is at its minimum size (${g.MinSize}); lower the group's minimum first`,
    });
  }
  await setTags(aws, region, [instanceId], { [DETACHED_FROM]: member.group });
  // ShouldDecrementDesiredCapacity: true — otherwise the group launches a replacement, and an
  // attacker's launch template or user data would run again on a fresh instance; the group
  // also stops counting (and health-checking, and eventually terminating) the compromised one.
  await aws.call('DetachInstances', (abortSignal) =>
    aws.in(region).autoscaling.send(new DetachInstancesCommand({ AutoScalingGroupName: member.group, InstanceIds: [instanceId], ShouldDecrementDesiredCapacity: true }), { abortSignal })
  );
  return { status: 'ok', instanceId, group: member.group, detached: true };
}

export async function attachToAutoScaling(aws: AwsClient, region: string | undefined, instanceId: string, group: string): Promise<AttachToAutoScalingResult> {
  const inst = await getInstance(aws, region, instanceId);
  const member = await autoScalingMembership(aws, region, instanceId);
  let changed = false;
  if (member && /^Detach/.test(member.lifecycleState)) {
    // Still leaving a group (AWS is draining it): attaching now would fail; a retry will not.
    throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `aws: ${instanceId} is still detaching from ${member.group}` });
  }
  if (member && member.group !== group) throw invalid(`${instanceId} is in Auto Scaling group ${member.group}, not ${group}`);
  if (!member) {
    // AttachInstances raises the desired capacity by one, undoing the detach's decrement.
    await aws.call('AttachInstances', (abortSignal) => aws.in(region).autoscaling.send(new AttachInstancesCommand({ AutoScalingGroupName: group, InstanceIds: [instanceId] }), { abortSignal }));
    changed = true;
  }
  if (DETACHED_FROM in tagMap(inst.Tags)) await deleteTags(aws, region, [instanceId], [DETACHED_FROM]);
  return { status: 'ok', instanceId, group, changed };
}

/**
 * Deregisters the instance from every target group it serves. The answer lists draining
 * registrations too (deregistration in progress — most likely Riposte's own earlier attempt), and
 * the list is heartbeated before anything changes, so a retry still answers what the undo needs.
 */
export async function deregisterFromTargetGroups(aws: AwsClient, region: string | undefined, instanceId: string): Promise<DeregisterFromTargetGroupsResult> {
  const inst = await getInstance(aws, region, instanceId);
  const registrations = await registrationsOf(aws, region, instanceId, inst.VpcId);
  const resumed = (Context.current().info.heartbeatDetails as { targets?: TargetRegistration[] } | undefined)?.targets ?? [];
  const targets = unique([...resumed, ...registrations.map(({ targetGroupArn, port }) => ({ targetGroupArn, ...(port !== undefined ? { port } : {}) }))]);
  Context.current().heartbeat({ targets });
  const elb = aws.in(region).elbv2;
  for (const r of registrations.filter((x) => x.state !== 'draining')) {
    await aws.call('DeregisterTargets', (abortSignal) => elb.send(new DeregisterTargetsCommand({ TargetGroupArn: r.targetGroupArn, Targets: [{ Id: instanceId, ...(r.port !== undefined ? { Port: r.port } : {}) }] }), { abortSignal }));
  }
  return { status: 'ok', instanceId, targets };
}

export async function registerWithTargetGroups(aws: AwsClient, region: string | undefined, instanceId: string, targets: TargetRegistration[]): Promise<RegisterWithTargetGroupsResult> {
  await getInstance(aws, region, instanceId);
  const elb = aws.in(region).elbv2;
  let changed = false;
  for (const t of targets) {
    const health = await aws.call('DescribeTargetHealth', (abortSignal) => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: t.targetGroupArn }), { abortSignal }));
    const registered = (health.TargetHealthDescriptions ?? []).some((d) => d.Target?.Id === instanceId && (t.port === undefined || d.Target.Port === t.port) && d.TargetHealth?.State !== 'draining');
    if (registered) continue;
    await aws.call('RegisterTargets', (abortSignal) => elb.send(new RegisterTargetsCommand({ TargetGroupArn: t.targetGroupArn, Targets: [{ Id: instanceId, ...(t.port !== undefined ? { Port: t.port } : {}) }] }), { abortSignal }));
    changed = true;
  }
  return { status: 'ok', instanceId, targets, changed };
}

function unique(targets: TargetRegistration[]): TargetRegistration[] {
  const seen = new Map<string, TargetRegistration>();
  for (const t of targets) seen.set(`${t.targetGroupArn} ${t.port ?? ''}`, t);
  return [...seen.values()];
}
