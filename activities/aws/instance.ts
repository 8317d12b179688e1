// Reading an instance: EC2's description of it, its volumes, its Auto Scaling group and the
// target groups it serves — the "record the instance's metadata" step, and what the state
// changes look at before they act. Also the instance tags those changes keep their memory in.
import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DeleteTagsCommand, DescribeInstanceAttributeCommand, DescribeInstancesCommand, DescribeVolumesCommand, type Instance, type Tag } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClient } from './client.ts';
import type { InstanceDescription } from './types.ts';
import { invalid } from './validate.ts';

export function tagMap(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? '']));
}

export async function getInstance(aws: AwsClient, region: string | undefined, instanceId: string): Promise<Instance> {
  const res = await aws.call('DescribeInstances', (abortSignal) => aws.in(region).ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), { abortSignal }));
  const found = res.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!found) throw invalid(`no EC2 instance ${instanceId}`);
  return found;
}

export async function setTags(aws: AwsClient, region: string | undefined, resources: string[], tags: Record<string, string>): Promise<void> {
  if (resources.length === 0 || Object.keys(tags).length === 0) return;
  await aws.call('CreateTags', (abortSignal) => aws.in(region).ec2.send(new CreateTagsCommand({ Resources: resources, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }), { abortSignal }));
}

export async function deleteTags(aws: AwsClient, region: string | undefined, resources: string[], keys: string[]): Promise<void> {
  if (resources.length === 0 || keys.length === 0) return;
  await aws.call('DeleteTags', (abortSignal) => aws.in(region).ec2.send(new DeleteTagsCommand({ Resources: resources, Tags: keys.map((Key) => ({ Key })) }), { abortSignal }));
}

export async function terminationProtection(aws: AwsClient, region: string | undefined, instanceId: string): Promise<boolean> {
  const res = await aws.call('DescribeInstanceAttribute', (abortSignal) =>
    aws.in(region).ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }), { abortSignal })
  );
  return res.DisableApiTermination?.Value === true;
}

/** The instance's Auto Scaling group and its lifecycle state there (InService, Standby, Detaching …). */
export async function autoScalingMembership(aws: AwsClient, region: string | undefined, instanceId: string): Promise<{ group: string; lifecycleState: string } | undefined> {
  const res = await aws.call('DescribeAutoScalingInstances', (abortSignal) => aws.in(region).autoscaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }), { abortSignal }));
  const found = res.AutoScalingInstances?.find((i) => i.InstanceId === instanceId);
  return found?.AutoScalingGroupName ? { group: found.AutoScalingGroupName, lifecycleState: found.LifecycleState ?? '' } : undefined;
}

export interface Registration {
  targetGroupArn: string;
  port?: number;
  /** initial, healthy, unhealthy, unused, draining, unavailable. */
  state: string;
}

/**
 * Where the instance is registered as a target: every instance-type target group of its VPC,
 * asked for all its targets (asking for the instance by id alone would miss a registration on
 * another port).
 */
export async function registrationsOf(aws: AwsClient, region: string | undefined, instanceId: string, vpcId: string | undefined): Promise<Registration[]> {
  const elb = aws.in(region).elbv2;
  const groups: Array<{ arn: string; port?: number }> = [];
  let marker: string | undefined;
  do {
    const page = await aws.call('DescribeTargetGroups', (abortSignal) => elb.send(new DescribeTargetGroupsCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }), { abortSignal }));
    for (const g of page.TargetGroups ?? []) {
      if (g.TargetGroupArn && (g.TargetType ?? 'instance') === 'instance' && (!vpcId || g.VpcId === vpcId)) groups.push({ arn: g.TargetGroupArn, ...(g.Port !== undefined ? { port: g.Port } : {}) });
    }
    marker = page.NextMarker;
  } while (marker);
  const found: Registration[] = [];
  for (const g of groups) {
    const health = await aws.call('DescribeTargetHealth', (abortSignal) => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.arn }), { abortSignal }));
    for (const d of health.TargetHealthDescriptions ?? []) {
      if (d.Target?.Id !== instanceId) continue;
      const port = d.Target.Port ?? g.port;
      found.push({ targetGroupArn: g.arn, ...(port !== undefined ? { port } : {}), state: d.TargetHealth?.State ?? 'unknown' });
    }
  }
  return found;
}

export async function describeInstance(aws: AwsClient, region: string | undefined, instanceId: string): Promise<InstanceDescription> {
  const inst = await getInstance(aws, region, instanceId);
  const enis = (inst.NetworkInterfaces ?? []).filter((n) => n.NetworkInterfaceId).sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0));
  // The instance's own list is its primary interface's; the other interfaces may have others.
  const groups = new Map<string, string>();
  for (const g of [...(inst.SecurityGroups ?? []), ...enis.flatMap((n) => n.Groups ?? [])]) if (g.GroupId) groups.set(g.GroupId, g.GroupName ?? '');
  const ebs = (inst.BlockDeviceMappings ?? []).filter((b) => b.Ebs?.VolumeId);
  const sizes = new Map<string, number>();
  if (ebs.length > 0) {
    const vols = await aws.call('DescribeVolumes', (abortSignal) => aws.in(region).ec2.send(new DescribeVolumesCommand({ VolumeIds: ebs.map((b) => b.Ebs?.VolumeId as string) }), { abortSignal }));
    for (const v of vols.Volumes ?? []) if (v.VolumeId && v.Size !== undefined) sizes.set(v.VolumeId, v.Size);
  }
  const asg = await autoScalingMembership(aws, region, instanceId);
  const targets = await registrationsOf(aws, region, instanceId, inst.VpcId);
  return {
    status: 'ok',
    instanceId,
    region: region ?? aws.defaultRegion,
    state: inst.State?.Name ?? 'unknown',
    ...(inst.VpcId ? { vpcId: inst.VpcId } : {}),
    ...(inst.SubnetId ? { subnetId: inst.SubnetId } : {}),
    ...(inst.PrivateIpAddress ? { privateIp: inst.PrivateIpAddress } : {}),
    ...(inst.PublicIpAddress ? { publicIp: inst.PublicIpAddress } : {}),
    imageId: inst.ImageId ?? '',
    launchTime: inst.LaunchTime?.toISOString() ?? '',
    tags: tagMap(inst.Tags),
    securityGroups: [...groups].map(([id, name]) => ({ id, name })),
    networkInterfaces: enis.map((n) => ({ id: n.NetworkInterfaceId as string, groups: (n.Groups ?? []).map((g) => g.GroupId as string) })),
    volumes: ebs.map((b) => {
      const volumeId = b.Ebs?.VolumeId as string;
      const size = sizes.get(volumeId);
      return { volumeId, device: b.DeviceName ?? '', ...(size !== undefined ? { sizeGiB: size } : {}) };
    }),
    ...(inst.IamInstanceProfile?.Arn ? { iamInstanceProfileArn: inst.IamInstanceProfile.Arn } : {}),
    ...(asg ? { autoScalingGroup: asg.group } : {}),
    targetGroups: [...new Set(targets.filter((t) => t.state !== 'draining').map((t) => t.targetGroupArn))],
    terminationProtection: await terminationProtection(aws, region, instanceId),
  };
}
