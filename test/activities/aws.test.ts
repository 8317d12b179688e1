// AWS incident response against a real AWS emulator (moto server on loopback): each test builds
// its own VPC, instances, volumes, Auto Scaling group, target groups, users and roles, runs an
// activity, then checks moto's state the way a responder would with the console or the CLI.
// What moto does not implement (CloudTrail LookupEvents) and failures it cannot produce
// (AccessDenied, throttling) are tested with nock from AWS's documented wire shapes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import * as ASG from '@aws-sdk/client-auto-scaling';
import * as EC2 from '@aws-sdk/client-ec2';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import * as IAM from '@aws-sdk/client-iam';
import { AwsClient } from '../../activities/aws/client.ts';
import { awsFromEnv, createAwsActivities, integration } from '../../activities/aws/index.ts';
import { createContainmentActivities } from '../../activities/containment/index.ts';
import { NeverContain } from '../../activities/containment/never-contain.ts';
import type { PlannedAction } from '../../activities/containment/types.ts';
import { Secret } from '../../config/secret.ts';
import { freePort } from '../../scripts/dev-server.ts';
import { fixture, rejection, runActivity, silentLogger } from '../helpers/fixtures.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const REGION = 'us-east-1';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET };
const xml = (name: string) => fs.readFileSync(new URL(`../fixtures/aws/${name}`, import.meta.url), 'utf8');
const mockEnv = (heartbeatDetails?: unknown) => new MockActivityEnvironment(heartbeatDetails === undefined ? undefined : ({ heartbeatDetails } as never), { logger: silentLogger });

/** Every request the activities' SDK clients send, by API action, in order (an SDK middleware). */
type Sent = Array<{ op: string; input: any }>;
function recordRequests(client: { middlewareStack: { add(m: unknown, o: unknown): void } }, into: Sent): void {
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName: string }) => async (args: { input: unknown }) => {
      into.push({ op: context.commandName.replace(/Command$/, ''), input: args.input });
      return next(args);
    },
    { step: 'initialize', name: 'riposteTestRecorder' }
  );
}

describe('aws activities against moto server', () => {
  let moto: Moto;
  let aws: AwsClient;
  let acts: ReturnType<typeof createAwsActivities>;
  let ec2: EC2.EC2Client;
  let iam: IAM.IAMClient;
  let asg: ASG.AutoScalingClient;
  let elb: ELB.ElasticLoadBalancingV2Client;
  let evidenceDir: string;
  const sent: Sent = [];

  before(async () => {
    setupNock();
    moto = await startMoto();
    aws = new AwsClient({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: new Secret(SECRET) }, maxAttempts: 1 });
    for (const c of [aws.in().ec2, aws.in().autoscaling, aws.in().elbv2, aws.iam]) recordRequests(c, sent);
    evidenceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-aws-evidence-'));
    acts = createAwsActivities({ client: aws, evidenceDir, pollMs: 10 });
    // The responder's own view: plain SDK clients, as the CLI would be.
    const config = { region: REGION, endpoint: moto.endpoint, credentials: creds };
    [ec2, iam, asg, elb] = [new EC2.EC2Client(config), new IAM.IAMClient(config), new ASG.AutoScalingClient(config), new ELB.ElasticLoadBalancingV2Client(config)];
  });
  beforeEach(async () => {
    await moto.reset();
    sent.length = 0;
  });
  afterEach(checkNock);
  after(async () => {
    await moto?.stop();
    fs.rmSync(evidenceDir, { recursive: true, force: true });
  });

  /** A VPC with a web server: two interfaces (web+ssh groups, then web), a root and two data volumes. */
  async function webServer(opts: { secondInterface?: boolean; profileArn?: string } = {}) {
    const ami = (await ec2.send(new EC2.DescribeImagesCommand({}))).Images?.[0]?.ImageId as string;
    const vpcId = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId as string;
    const subnetId = (await ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet?.SubnetId as string;
    const web = (await ec2.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }))).GroupId as string;
    const ssh = (await ec2.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'ssh', Description: 'ssh', VpcId: vpcId }))).GroupId as string;
    await ec2.send(new EC2.AuthorizeSecurityGroupIngressCommand({ GroupId: web, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    // Groups go on the interface spec: moto unions RunInstances' SecurityGroupIds into every
    // attached interface for good, so a swap could never remove them there (a moto quirk, not AWS).
    const run = await ec2.send(
      new EC2.RunInstancesCommand({
        ImageId: ami,
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.micro',
        NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, Groups: [web, ssh], AssociatePublicIpAddress: true }],
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } },
          { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 16 } },
          { DeviceName: '/dev/sdg', Ebs: { VolumeSize: 32 } },
        ],
        ...(opts.profileArn ? { IamInstanceProfile: { Arn: opts.profileArn } } : {}),
      })
    );
    const instanceId = run.Instances?.[0]?.InstanceId as string;
    const eni0 = run.Instances?.[0]?.NetworkInterfaces?.[0]?.NetworkInterfaceId as string;
    let eni1: string | undefined;
    if (opts.secondInterface) {
      eni1 = (await ec2.send(new EC2.CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [web] }))).NetworkInterface?.NetworkInterfaceId as string;
      await ec2.send(new EC2.AttachNetworkInterfaceCommand({ NetworkInterfaceId: eni1, InstanceId: instanceId, DeviceIndex: 1 }));
    }
    return { ami, vpcId, subnetId, web, ssh, instanceId, eni0, eni1 };
  }

  async function autoScalingGroup(name: string, subnetId: string, ami: string, instanceId: string, minSize = 0) {
    const lt = await ec2.send(new EC2.CreateLaunchTemplateCommand({ LaunchTemplateName: `${name}-lt`, LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro' } }));
    await asg.send(new ASG.CreateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: 0, MaxSize: 4, DesiredCapacity: 0, VPCZoneIdentifier: subnetId, LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate?.LaunchTemplateId, Version: '$Latest' } }));
    await asg.send(new ASG.AttachInstancesCommand({ AutoScalingGroupName: name, InstanceIds: [instanceId] }));
    if (minSize) await asg.send(new ASG.UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: minSize }));
  }

  const group = async (name: string) => (await asg.send(new ASG.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups?.[0] as ASG.AutoScalingGroup;
  const targetGroup = async (name: string, vpcId: string, port: number) => (await elb.send(new ELB.CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: port, VpcId: vpcId, TargetType: 'instance' }))).TargetGroups?.[0]?.TargetGroupArn as string;
  const targetsOf = async (arn: string) => (await elb.send(new ELB.DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions?.map((d) => d.Target) ?? [];
  const instance = async (id: string) => (await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0] as EC2.Instance;
  const eniGroups = async (instanceId: string) =>
    Object.fromEntries(
      ((await ec2.send(new EC2.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))).NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId, (n.Groups ?? []).map((g) => g.GroupId).sort()])
    );
  const protection = async (id: string) => (await ec2.send(new EC2.DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'disableApiTermination' }))).DisableApiTermination?.Value;
  const securityGroup = async (id: string) => (await ec2.send(new EC2.DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups?.[0] as EC2.SecurityGroup;
  const changes = () => sent.filter((s) => !/^(Describe|Get|List)/.test(s.op));

  it('recording an instance captures its network, groups, volumes, profile, Auto Scaling group, target groups and termination protection', async () => {
    const profile = (await iam.send(new IAM.CreateInstanceProfileCommand({ InstanceProfileName: 'web-profile' }))).InstanceProfile?.Arn as string;
    const s = await webServer({ secondInterface: true, profileArn: profile });
    await ec2.send(new EC2.CreateTagsCommand({ Resources: [s.instanceId], Tags: [{ Key: 'Name', Value: 'web-1' }] }));
    await autoScalingGroup('web-asg', s.subnetId, s.ami, s.instanceId);
    const tg = await targetGroup('web-tg', s.vpcId, 80);
    await targetGroup('other-tg', s.vpcId, 80);
    await elb.send(new ELB.RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: s.instanceId, Port: 8080 }] }));

    const out = await runActivity(mockEnv(), acts.awsDescribeInstance, { instanceId: s.instanceId });
    assert.ok(out.status === 'ok');
    const inst = await instance(s.instanceId);
    assert.equal(out.state, 'running');
    assert.equal(out.region, REGION);
    assert.equal(out.vpcId, s.vpcId);
    assert.equal(out.subnetId, s.subnetId);
    assert.equal(out.privateIp, inst.PrivateIpAddress);
    assert.equal(out.publicIp, inst.PublicIpAddress);
    assert.equal(out.imageId, s.ami);
    assert.equal(out.launchTime, inst.LaunchTime?.toISOString());
    assert.equal(out.tags.Name, 'web-1');
    assert.deepEqual(out.securityGroups.map((g) => g.name).sort(), ['ssh', 'web']);
    assert.deepEqual(out.networkInterfaces, [{ id: s.eni0, groups: [s.web, s.ssh] }, { id: s.eni1, groups: [s.web] }]);
    assert.deepEqual(out.volumes.map((v) => [v.device, v.sizeGiB]), [['/dev/xvda', 8], ['/dev/sdf', 16], ['/dev/sdg', 32]]);
    assert.equal(out.iamInstanceProfileArn, profile);
    assert.equal(out.autoScalingGroup, 'web-asg');
    assert.deepEqual(out.targetGroups, [tg]);
    assert.equal(out.terminationProtection, false);
    assert.deepEqual(changes(), [], 'recording changes nothing');
  });

  it('enabling termination protection remembers it was off, a retry answers the same, and the undo turns it off again', async () => {
    const s = await webServer();
    const first = await runActivity(mockEnv(), acts.awsEnableTerminationProtection, { instanceId: s.instanceId });
    assert.deepEqual(first, { status: 'ok', instanceId: s.instanceId, changed: true, previous: false });
    assert.equal(await protection(s.instanceId), true);
    const retry = await runActivity(mockEnv(), acts.awsEnableTerminationProtection, { instanceId: s.instanceId });
    assert.deepEqual(retry, { ...first, changed: false }, 'still "previous: false", so the undo turns it off');
    const undo = await runActivity(mockEnv(), acts.awsRestoreTerminationProtection, { instanceId: s.instanceId, previous: first.status === 'ok' ? first.previous : true });
    assert.deepEqual(undo, { status: 'ok', instanceId: s.instanceId, changed: true, terminationProtection: false });
    assert.equal(await protection(s.instanceId), false);
    assert.ok(!('riposte:termination-protection-before' in Object.fromEntries((await instance(s.instanceId)).Tags?.map((t) => [t.Key, t.Value]) ?? [])), 'the memory tag is gone');
  });

  it('when protection was already on, enabling it changes nothing and the undo leaves it on', async () => {
    const s = await webServer();
    await ec2.send(new EC2.ModifyInstanceAttributeCommand({ InstanceId: s.instanceId, DisableApiTermination: { Value: true } }));
    const out = await runActivity(mockEnv(), acts.awsEnableTerminationProtection, { instanceId: s.instanceId });
    assert.deepEqual(out, { status: 'ok', instanceId: s.instanceId, changed: false, previous: true });
    await runActivity(mockEnv(), acts.awsRestoreTerminationProtection, { instanceId: s.instanceId, previous: true });
    assert.equal(await protection(s.instanceId), true);
  });

  it('tagging the instance with the case shows in DescribeInstances; the undo removes those tags, except one changed since', async () => {
    const s = await webServer();
    const out = await runActivity(mockEnv(), acts.awsTagInstance, { instanceId: s.instanceId, tags: { 'riposte:case': 'cs_42', 'riposte:status': 'quarantined' } });
    assert.deepEqual(out, { status: 'ok', instanceId: s.instanceId, tags: { 'riposte:case': 'cs_42', 'riposte:status': 'quarantined' } });
    const tagsNow = async () => Object.fromEntries((await instance(s.instanceId)).Tags?.map((t) => [t.Key, t.Value]) ?? []);
    const tags = await tagsNow();
    assert.equal(tags['riposte:case'], 'cs_42');
    assert.equal(tags['riposte:status'], 'quarantined');

    await ec2.send(new EC2.CreateTagsCommand({ Resources: [s.instanceId], Tags: [{ Key: 'riposte:status', Value: 'released by hand' }] }));
    const undone = await runActivity(mockEnv(), acts.awsUntagInstance, { instanceId: s.instanceId, tags: out.status === 'ok' ? out.tags : {} });
    assert.deepEqual(undone, { status: 'ok', instanceId: s.instanceId, removed: ['riposte:case'] });
    const after = await tagsNow();
    assert.equal(after['riposte:case'], undefined);
    assert.equal(after['riposte:status'], 'released by hand', 'a tag someone changed since is left alone');
  });

  it('snapshotting takes one tagged snapshot per attached volume, records each in the custody ledger, and a retry takes no new ones', async () => {
    const s = await webServer();
    const input = { instanceId: s.instanceId, caseId: 'cs_7', idempotencyKey: 'wf-7:snapshot', requestedBy: 'c2-playbook' };
    const env = mockEnv();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const out = await runActivity(env, acts.awsSnapshotVolumes, input);
    assert.ok(out.status === 'ok');
    assert.equal(out.snapshots.length, 3);
    const inAws = (await ec2.send(new EC2.DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:riposte:case', Values: ['cs_7'] }] }))).Snapshots ?? [];
    assert.equal(inAws.length, 3, 'one snapshot per volume');
    const vols = (await instance(s.instanceId)).BlockDeviceMappings ?? [];
    for (const rec of out.snapshots) {
      const snap = inAws.find((x) => x.SnapshotId === rec.snapshotId) as EC2.Snapshot;
      const tags = Object.fromEntries(snap.Tags?.map((t) => [t.Key, t.Value]) ?? []);
      assert.equal(snap.VolumeId, rec.volumeId);
      assert.equal(vols.find((b) => b.Ebs?.VolumeId === rec.volumeId)?.DeviceName, rec.device);
      assert.equal(tags['riposte:key'], 'wf-7:snapshot');
      assert.equal(tags['riposte:volume'], rec.volumeId);
      assert.equal(rec.kind, 'ebs-snapshot');
      assert.equal(rec.state, 'completed');
      assert.equal(rec.requestedBy, 'c2-playbook');
      assert.equal(rec.uri, `arn:aws:ec2:${REGION}:123456789012:snapshot/${rec.snapshotId}`);
      assert.ok(rec.completedAt && rec.startedAt);
    }
    assert.ok(beats.some((b) => Object.keys((b as { snapshots: object }).snapshots).length === 3), 'the snapshot ids were heartbeated');
    const ledger = fs.readFileSync(path.join(evidenceDir, 'custody.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.caseId === 'cs_7');
    assert.deepEqual(ledger.map((e) => e.snapshotId).sort(), out.snapshots.map((r) => r.snapshotId).sort());

    sent.length = 0;
    const again = await runActivity(mockEnv(), acts.awsSnapshotVolumes, input);
    assert.deepEqual(again, out, 'a retry answers the same records');
    assert.ok(!sent.some((x) => x.op === 'CreateSnapshot'), 'and creates nothing');
    assert.equal((await ec2.send(new EC2.DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: out.snapshots.map((r) => r.volumeId) }] }))).Snapshots?.length, 3, 'still three snapshots of these volumes');
    assert.equal(fs.readFileSync(path.join(evidenceDir, 'custody.jsonl'), 'utf8').trim().split('\n').filter((l) => JSON.parse(l).caseId === 'cs_7').length, 3, 'recorded once');
  });

  it('a retry resumes the snapshots its heartbeat names even before a tag search can see them', async () => {
    const s = await webServer();
    const root = (await instance(s.instanceId)).BlockDeviceMappings?.find((b) => b.DeviceName === '/dev/xvda')?.Ebs?.VolumeId as string;
    // Taken by the first attempt, whose tags AWS has not indexed yet: here, no tags at all.
    const taken = (await ec2.send(new EC2.CreateSnapshotCommand({ VolumeId: root }))).SnapshotId as string;
    const out = await runActivity(mockEnv({ snapshots: { [root]: taken } }), acts.awsSnapshotVolumes, { instanceId: s.instanceId, caseId: 'cs_8', idempotencyKey: 'wf-8:snapshot', requestedBy: 'c2-playbook' });
    assert.ok(out.status === 'ok');
    assert.equal(out.snapshots.find((r) => r.volumeId === root)?.snapshotId, taken);
    assert.equal(sent.filter((x) => x.op === 'CreateSnapshot').length, 2, 'only the other two volumes');
  });

  it('detaching from the Auto Scaling group lowers its desired capacity so nothing replaces the instance; a retry still names the group; attaching puts it back', async () => {
    const s = await webServer();
    await autoScalingGroup('web-asg', s.subnetId, s.ami, s.instanceId);
    assert.equal((await group('web-asg')).DesiredCapacity, 1);
    const out = await runActivity(mockEnv(), acts.awsDetachFromAutoScaling, { instanceId: s.instanceId });
    assert.deepEqual(out, { status: 'ok', instanceId: s.instanceId, group: 'web-asg', detached: true });
    const detached = await group('web-asg');
    assert.deepEqual(detached.Instances, []);
    assert.equal(detached.DesiredCapacity, 0, 'decremented: no replacement is launched');
    assert.equal(sent.find((x) => x.op === 'DetachInstances')?.input.ShouldDecrementDesiredCapacity, true);
    const retry = await runActivity(mockEnv(), acts.awsDetachFromAutoScaling, { instanceId: s.instanceId });
    assert.deepEqual(retry, out, 'the group is remembered for the undo');
    const undo = await runActivity(mockEnv(), acts.awsAttachToAutoScaling, { instanceId: s.instanceId, group: 'web-asg' });
    assert.deepEqual(undo, { status: 'ok', instanceId: s.instanceId, group: 'web-asg', changed: true });
    const back = await group('web-asg');
    assert.deepEqual(back.Instances?.map((i) => i.InstanceId), [s.instanceId]);
    assert.equal(back.DesiredCapacity, 1);
    assert.ok(!(await instance(s.instanceId)).Tags?.some((t) => t.Key === 'riposte:autoscaling-group'), 'the record of the group is gone');
    assert.equal((await runActivity(mockEnv(), acts.awsAttachToAutoScaling, { instanceId: s.instanceId, group: 'web-asg' })).status === 'ok', true);
    assert.equal((await group('web-asg')).DesiredCapacity, 1, 'attaching twice adds nothing');
    const loner = await webServer();
    assert.deepEqual(await runActivity(mockEnv(), acts.awsDetachFromAutoScaling, { instanceId: loner.instanceId }), { status: 'ok', instanceId: loner.instanceId, detached: false }, 'in no group: nothing to do');
  });

  it('a group already at its minimum size is refused rather than shrunk below it', async () => {
    const s = await webServer();
    await autoScalingGroup('web-asg', s.subnetId, s.ami, s.instanceId, 1);
    const err = await rejection(() => runActivity(mockEnv(), acts.awsDetachFromAutoScaling, { instanceId: s.instanceId }));
    assert.equal(err.type, 'IntegrationRequestError');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /minimum size/);
    assert.deepEqual((await group('web-asg')).Instances?.map((i) => i.InstanceId), [s.instanceId], 'still in the group');
  });

  it('deregistering from target groups lists every registration with its port, and the undo registers them again', async () => {
    const s = await webServer();
    const web = await targetGroup('web-tg', s.vpcId, 80);
    const api = await targetGroup('api-tg', s.vpcId, 8080);
    const other = await targetGroup('other-tg', s.vpcId, 80);
    await elb.send(new ELB.RegisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: s.instanceId, Port: 8081 }] }));
    await elb.send(new ELB.RegisterTargetsCommand({ TargetGroupArn: api, Targets: [{ Id: s.instanceId }] }));
    const out = await runActivity(mockEnv(), acts.awsDeregisterFromTargetGroups, { instanceId: s.instanceId });
    assert.ok(out.status === 'ok');
    assert.deepEqual(
      [...out.targets].sort((a, b) => a.targetGroupArn.localeCompare(b.targetGroupArn)),
      [{ targetGroupArn: api, port: 8080 }, { targetGroupArn: web, port: 8081 }].sort((a, b) => a.targetGroupArn.localeCompare(b.targetGroupArn))
    );
    assert.deepEqual(await targetsOf(web), []);
    assert.deepEqual(await targetsOf(api), []);
    assert.deepEqual(await targetsOf(other), []);
    const undo = await runActivity(mockEnv(), acts.awsRegisterWithTargetGroups, { instanceId: s.instanceId, targets: out.targets });
    assert.ok(undo.status === 'ok' && undo.changed);
    assert.deepEqual(await targetsOf(web), [{ Id: s.instanceId, Port: 8081 }]);
    assert.deepEqual(await targetsOf(api), [{ Id: s.instanceId, Port: 8080 }]);
    sent.length = 0;
    const again = await runActivity(mockEnv(), acts.awsRegisterWithTargetGroups, { instanceId: s.instanceId, targets: out.targets });
    assert.ok(again.status === 'ok' && !again.changed);
    assert.ok(!sent.some((x) => x.op === 'RegisterTargets'));
  });

  it('a retry of a deregistration still answers the registrations its first attempt removed', async () => {
    const s = await webServer();
    const web = await targetGroup('web-tg', s.vpcId, 80);
    const out = await runActivity(mockEnv({ targets: [{ targetGroupArn: web, port: 80 }] }), acts.awsDeregisterFromTargetGroups, { instanceId: s.instanceId });
    assert.deepEqual(out, { status: 'ok', instanceId: s.instanceId, targets: [{ targetGroupArn: web, port: 80 }] });
    assert.ok(!sent.some((x) => x.op === 'DeregisterTargets'), 'nothing left to deregister');
  });

  it('isolating moves every interface through the untrack group to an isolation group with no rules at all', async () => {
    const s = await webServer({ secondInterface: true });
    const out = await runActivity(mockEnv(), acts.awsIsolateInstance, { instanceId: s.instanceId, caseId: 'cs_9', idempotencyKey: 'wf-9:isolate' });
    assert.ok(out.status === 'ok');
    assert.equal(out.alreadyIsolated, false);
    assert.deepEqual(out.previousGroups, { [s.eni0]: [s.web, s.ssh], [s.eni1 as string]: [s.web] });

    // As the console shows it: each interface (and so the instance) in the isolation group only.
    assert.deepEqual(await eniGroups(s.instanceId), { [s.eni0]: [out.isolationGroupId], [s.eni1 as string]: [out.isolationGroupId] });
    const inst = await instance(s.instanceId);
    for (const n of inst.NetworkInterfaces ?? []) assert.deepEqual(n.Groups?.map((g) => g.GroupId), [out.isolationGroupId]);
    const isolation = await securityGroup(out.isolationGroupId);
    assert.equal(isolation.GroupName, `riposte-isolation-${s.vpcId}`);
    assert.deepEqual(isolation.IpPermissions, [], 'no inbound rule');
    assert.deepEqual(isolation.IpPermissionsEgress, [], 'no outbound rule, not even the default one');
    const untrack = await securityGroup(out.transitionGroupId);
    assert.equal(untrack.GroupName, `riposte-untrack-${s.vpcId}`);
    for (const rules of [untrack.IpPermissions, untrack.IpPermissionsEgress]) {
      assert.ok(rules?.some((p) => p.IpProtocol === '-1' && p.IpRanges?.some((r) => r.CidrIp === '0.0.0.0/0')), 'all IPv4 traffic both ways');
      assert.ok(rules?.some((p) => p.IpProtocol === '-1' && p.Ipv6Ranges?.some((r) => r.CidrIpv6 === '::/0')), 'all IPv6 traffic both ways');
    }
    // The order of the swaps, as EC2 received them: every interface to the untrack group first.
    const swaps = sent.filter((x) => x.op === 'ModifyNetworkInterfaceAttribute').map((x) => [x.input.NetworkInterfaceId, x.input.Groups[0]]);
    assert.deepEqual(swaps, [[s.eni0, out.transitionGroupId], [s.eni1, out.transitionGroupId], [s.eni0, out.isolationGroupId], [s.eni1, out.isolationGroupId]]);
    const tagWrite = sent.findIndex((x) => x.op === 'CreateTags');
    assert.ok(tagWrite >= 0 && tagWrite < sent.findIndex((x) => x.op === 'ModifyNetworkInterfaceAttribute'), 'the original groups are recorded before anything moves');
  });

  it('when the instance is already isolated, isolating again keeps the original groups for undo', async () => {
    const s = await webServer({ secondInterface: true });
    const input = { instanceId: s.instanceId, caseId: 'cs_10', idempotencyKey: 'wf-10:isolate' };
    const first = await runActivity(mockEnv(), acts.awsIsolateInstance, input);
    sent.length = 0;
    const again = await runActivity(mockEnv(), acts.awsIsolateInstance, input);
    assert.deepEqual(again, { ...first, alreadyIsolated: true });
    assert.ok(again.status === 'ok' && !Object.values(again.previousGroups).flat().includes(again.isolationGroupId), 'never the isolation group as "previous"');
    assert.deepEqual(changes(), [], 'nothing changed');
  });

  it('a retry after a crash between the two swaps finishes the isolation and answers the original groups', async () => {
    const first = await webServer();
    const done = await runActivity(mockEnv(), acts.awsIsolateInstance, { instanceId: first.instanceId, caseId: 'cs_11', idempotencyKey: 'wf-11:isolate' });
    assert.ok(done.status === 'ok');
    // A second instance in the same VPC, left by a crashed attempt: recorded, moved to the untrack group only.
    const ami = first.ami;
    const run = await ec2.send(new EC2.RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: first.subnetId, Groups: [first.ssh] }] }));
    const id = run.Instances?.[0]?.InstanceId as string;
    const eni = run.Instances?.[0]?.NetworkInterfaces?.[0]?.NetworkInterfaceId as string;
    await ec2.send(new EC2.CreateTagsCommand({ Resources: [eni], Tags: [{ Key: 'riposte:previous-groups', Value: first.ssh }] }));
    await ec2.send(new EC2.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, Groups: [done.transitionGroupId] }));
    const out = await runActivity(mockEnv(), acts.awsIsolateInstance, { instanceId: id, caseId: 'cs_11', idempotencyKey: 'wf-11b:isolate' });
    assert.ok(out.status === 'ok');
    assert.deepEqual(out.previousGroups, { [eni]: [first.ssh] });
    assert.equal(out.isolationGroupId, done.isolationGroupId, 'one isolation group per VPC, reused');
    assert.deepEqual(await eniGroups(id), { [eni]: [done.isolationGroupId] });
  });

  it('restoring puts every interface back in its original groups and clears Riposte\u2019s records', async () => {
    const s = await webServer({ secondInterface: true });
    const before = await eniGroups(s.instanceId);
    const iso = await runActivity(mockEnv(), acts.awsIsolateInstance, { instanceId: s.instanceId, caseId: 'cs_12', idempotencyKey: 'wf-12:isolate' });
    assert.ok(iso.status === 'ok');
    const out = await runActivity(mockEnv(), acts.awsRestoreSecurityGroups, { instanceId: s.instanceId, previousGroups: iso.previousGroups });
    assert.deepEqual(out, { status: 'ok', instanceId: s.instanceId, restored: iso.previousGroups, changed: true });
    assert.deepEqual(await eniGroups(s.instanceId), before);
    const enis = (await ec2.send(new EC2.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [s.eni0, s.eni1 as string] }))).NetworkInterfaces ?? [];
    assert.ok(enis.every((n) => !(n.TagSet ?? []).some((t) => t.Key?.startsWith('riposte:'))), 'no riposte:* tags left');
    const again = await runActivity(mockEnv(), acts.awsRestoreSecurityGroups, { instanceId: s.instanceId, previousGroups: iso.previousGroups });
    assert.ok(again.status === 'ok' && !again.changed);
    // Isolating after a release records the groups anew (the old record is gone).
    const second = await runActivity(mockEnv(), acts.awsIsolateInstance, { instanceId: s.instanceId, caseId: 'cs_13', idempotencyKey: 'wf-13:isolate' });
    assert.ok(second.status === 'ok');
    assert.deepEqual(second.previousGroups, iso.previousGroups);
  });

  it('deactivating a user\u2019s key makes it Inactive; a retry still answers it was Active; reactivating makes it Active', async () => {
    await iam.send(new IAM.CreateUserCommand({ UserName: 'ci-deploy' }));
    const keyId = (await iam.send(new IAM.CreateAccessKeyCommand({ UserName: 'ci-deploy' }))).AccessKey?.AccessKeyId as string;
    const status = async () => (await iam.send(new IAM.ListAccessKeysCommand({ UserName: 'ci-deploy' }))).AccessKeyMetadata?.find((k) => k.AccessKeyId === keyId)?.Status;
    const out = await runActivity(mockEnv(), acts.awsDeactivateAccessKey, { accessKeyId: keyId });
    assert.deepEqual(out, { status: 'ok', accessKeyId: keyId, userName: 'ci-deploy', previousStatus: 'Active', changed: true });
    assert.ok(sent.some((x) => x.op === 'GetAccessKeyLastUsed'), 'the user was found from the key');
    assert.equal(await status(), 'Inactive');
    const retry = await runActivity(mockEnv(), acts.awsDeactivateAccessKey, { accessKeyId: keyId, userName: 'ci-deploy' });
    assert.deepEqual(retry, { ...out, changed: false });
    const undo = await runActivity(mockEnv(), acts.awsReactivateAccessKey, { accessKeyId: keyId, userName: 'ci-deploy' });
    assert.deepEqual(undo, { status: 'ok', accessKeyId: keyId, userName: 'ci-deploy', changed: true });
    assert.equal(await status(), 'Active');
    assert.deepEqual((await iam.send(new IAM.ListUserTagsCommand({ UserName: 'ci-deploy' }))).Tags, [], 'the memory tag is gone');
  });

  it('a key that is not the named user\u2019s (as a root key is no user\u2019s) is refused, and so is a temporary ASIA key, before any call', async () => {
    await iam.send(new IAM.CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new IAM.CreateUserCommand({ UserName: 'bob' }));
    const bobs = (await iam.send(new IAM.CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey?.AccessKeyId as string;
    const err = await rejection(() => runActivity(mockEnv(), acts.awsDeactivateAccessKey, { accessKeyId: bobs, userName: 'alice' }));
    assert.equal(err.type, 'InvalidObservableError');
    assert.equal(err.nonRetryable, true);
    assert.equal((await iam.send(new IAM.ListAccessKeysCommand({ UserName: 'bob' }))).AccessKeyMetadata?.[0]?.Status, 'Active');
    sent.length = 0;
    const temp = await rejection(() => runActivity(mockEnv(), acts.awsDeactivateAccessKey, { accessKeyId: 'ASIAIOSFODNN7EXAMPLE' }));
    assert.equal(temp.type, 'InvalidObservableError');
    assert.equal(temp.nonRetryable, true);
    assert.match(temp.message, /awsRevokeRoleSessions/);
    assert.deepEqual(sent, [], 'refused before any call');
  });

  it('a key named without its user is checked by its owner against the never-contain list before it is touched', async () => {
    await iam.send(new IAM.CreateUserCommand({ UserName: 'break-glass' }));
    const keyId = (await iam.send(new IAM.CreateAccessKeyCommand({ UserName: 'break-glass' }))).AccessKey?.AccessKeyId as string;
    const cloud = { driver: 'aws', live: true };
    const containment = (never: string) =>
      createContainmentActivities({
        drivers: { edr: {}, aws: acts as never },
        providers: () => ({ egress: { driver: 'log-only', live: false }, host: { driver: 'log-only', live: false }, cloud_instance: cloud, cloud_credential: cloud }),
        neverContain: NeverContain.fromEnv({ RIPOSTE_NEVER_CONTAIN: never }),
      });
    const [action] = (await runActivity(mockEnv(), containment('').containmentPlan, { requests: [{ kind: 'cloud_credential', op: 'deactivate-key', target: keyId, params: { accessKeyId: keyId } }] })).allowed;
    const apply = (never: string) => runActivity(mockEnv(), containment(never).containmentApply, { action: action as PlannedAction, caseId: 'cs_k', idempotencyKey: 'wf-k:contain:1', reason: 'test' });
    const status = async () => (await iam.send(new IAM.ListAccessKeysCommand({ UserName: 'break-glass' }))).AccessKeyMetadata?.[0]?.Status;

    const refused = await apply('break-glass');
    assert.match(refused.refused ?? '', /the key's owner break-glass is on the never-contain list/);
    assert.equal(await status(), 'Active', 'nothing changed');
    const done = await apply('someone-else');
    assert.equal(done.refused, undefined);
    assert.deepEqual(done.undo, { op: 'reactivate-key', input: { accessKeyId: keyId, userName: 'break-glass' } });
    assert.equal(await status(), 'Inactive');
  });

  it('revoking a role\u2019s sessions puts a deny-all policy conditioned on aws:TokenIssueTime; a retry changes nothing; the undo removes it', async () => {
    await iam.send(new IAM.CreateRoleCommand({ RoleName: 'web-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    const input = { roleName: 'web-role', issuedBefore: '2026-03-02T10:20:00.000Z', caseId: 'cs_14' };
    const out = await runActivity(mockEnv(), acts.awsRevokeRoleSessions, input);
    assert.deepEqual(out, { status: 'ok', roleName: 'web-role', policyName: 'RiposteRevokeSessions-cs_14', changed: true });
    const doc = JSON.parse(decodeURIComponent((await iam.send(new IAM.GetRolePolicyCommand({ RoleName: 'web-role', PolicyName: 'RiposteRevokeSessions-cs_14' }))).PolicyDocument as string));
    assert.deepEqual(doc.Statement, [{ Sid: 'RiposteRevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-03-02T10:20:00Z' } } }]);
    const retry = await runActivity(mockEnv(), acts.awsRevokeRoleSessions, input);
    assert.deepEqual(retry, { ...out, changed: false });
    const undo = await runActivity(mockEnv(), acts.awsRemoveRoleSessionRevocation, { roleName: 'web-role', policyName: 'RiposteRevokeSessions-cs_14' });
    assert.deepEqual(undo, { status: 'ok', roleName: 'web-role', policyName: 'RiposteRevokeSessions-cs_14', changed: true });
    assert.deepEqual((await iam.send(new IAM.ListRolePoliciesCommand({ RoleName: 'web-role' }))).PolicyNames, []);
    assert.equal((await runActivity(mockEnv(), acts.awsRemoveRoleSessionRevocation, { roleName: 'web-role', policyName: 'RiposteRevokeSessions-cs_14' })).status === 'ok', true, 'removing twice is fine');
    // Two revocations in one case (two actions): each its own policy, each undone alone.
    await runActivity(mockEnv(), acts.awsRevokeRoleSessions, { ...input, actionId: 'aws-credential-compromise-revoke-sessions-1' });
    await runActivity(mockEnv(), acts.awsRevokeRoleSessions, { ...input, issuedBefore: '2026-03-02T11:00:00.000Z', actionId: 'aws-credential-compromise-run2-revoke-sessions-1' });
    await runActivity(mockEnv(), acts.awsRemoveRoleSessionRevocation, { roleName: 'web-role', policyName: 'RiposteRevokeSessions-cs_14-aws-credential-compromise-revoke-sessions-1' });
    assert.deepEqual((await iam.send(new IAM.ListRolePoliciesCommand({ RoleName: 'web-role' }))).PolicyNames, ['RiposteRevokeSessions-cs_14-aws-credential-compromise-run2-revoke-sessions-1'], 'the other revocation stays');
    const missing = await rejection(() => runActivity(mockEnv(), acts.awsRevokeRoleSessions, { ...input, roleName: 'no-such-role' }));
    assert.equal(missing.type, 'InvalidObservableError');
  });

  it('an instance that does not exist is a non-retryable failure naming it', async () => {
    const err = await rejection(() => runActivity(mockEnv(), acts.awsDescribeInstance, { instanceId: 'i-0123456789abcdef0' }));
    assert.equal(err.type, 'InvalidObservableError');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /InvalidInstanceID\.NotFound/);
  });

  it('bad inputs are refused before any call is made', async () => {
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['instance id', () => runActivity(mockEnv(), acts.awsDescribeInstance, { instanceId: 'i-xyz; rm -rf' })],
      ['region', () => runActivity(mockEnv(), acts.awsDescribeInstance, { instanceId: 'i-0123456789abcdef0', region: 'mars-1' })],
      ['aws: tag', () => runActivity(mockEnv(), acts.awsTagInstance, { instanceId: 'i-0123456789abcdef0', tags: { 'aws:cloudformation:stack-name': 'x' } })],
      ['an undo record', () => runActivity(mockEnv(), acts.awsTagInstance, { instanceId: 'i-0123456789abcdef0', tags: { 'riposte:autoscaling-group': 'x' } })],
      ['case id', () => runActivity(mockEnv(), acts.awsIsolateInstance, { instanceId: 'i-0123456789abcdef0', caseId: '../etc', idempotencyKey: 'k' })],
      ['idempotency key', () => runActivity(mockEnv(), acts.awsSnapshotVolumes, { instanceId: 'i-0123456789abcdef0', caseId: 'cs_1', idempotencyKey: '', requestedBy: 'x' })],
      ['previous groups', () => runActivity(mockEnv(), acts.awsRestoreSecurityGroups, { instanceId: 'i-0123456789abcdef0', previousGroups: { 'eni-12345678': [] } })],
      ['target', () => runActivity(mockEnv(), acts.awsRegisterWithTargetGroups, { instanceId: 'i-0123456789abcdef0', targets: [{ targetGroupArn: 'arn:aws:s3:::bucket' }] })],
      ['access key', () => runActivity(mockEnv(), acts.awsDeactivateAccessKey, { accessKeyId: 'AKIA123' })],
      ['user name', () => runActivity(mockEnv(), acts.awsReactivateAccessKey, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'bob smith' })],
      ['role name', () => runActivity(mockEnv(), acts.awsRevokeRoleSessions, { roleName: 'web role', issuedBefore: '2026-03-02T10:20:00Z', caseId: 'cs_1' })],
      ['issuedBefore', () => runActivity(mockEnv(), acts.awsRevokeRoleSessions, { roleName: 'web-role', issuedBefore: 'yesterday', caseId: 'cs_1' })],
      ['not our policy', () => runActivity(mockEnv(), acts.awsRemoveRoleSessionRevocation, { roleName: 'web-role', policyName: 'AdminAccess' })],
      ['limit', () => runActivity(mockEnv(), acts.awsLookupKeyActivity, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', since: '2026-03-01T00:00:00Z', limit: 0 })],
    ];
    for (const [what, call] of bad) {
      const err = await rejection(call);
      assert.equal(err.type, 'InvalidObservableError', what);
      assert.equal(err.nonRetryable, true, what);
    }
    assert.deepEqual(sent, [], 'nothing reached AWS');
  });

  it('AWS_ENDPOINT_URL from the environment points every client at the emulator', async () => {
    const s = await webServer();
    const env = { AWS_REGION: REGION, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET };
    const fromEnv = integration.activities({ env, dataDir: evidenceDir, evidenceDir });
    const out = await runActivity(mockEnv(), fromEnv.awsDescribeInstance, { instanceId: s.instanceId });
    assert.ok(out.status === 'ok' && out.vpcId === s.vpcId);
    assert.equal(awsFromEnv({ AWS_DEFAULT_REGION: 'eu-west-1' })?.defaultRegion, 'eu-west-1');
  });
});

describe('aws without configuration', () => {
  it('with no region every activity answers skipped, after checking its input', async () => {
    assert.equal(awsFromEnv({ AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET }), undefined);
    const acts = integration.activities({ env: {}, dataDir: os.tmpdir(), evidenceDir: os.tmpdir() });
    const skipped = { status: 'skipped', reason: 'AWS is not configured (AWS_REGION unset)' };
    const i = 'i-0123456789abcdef0';
    const calls: Array<Promise<unknown>> = [
      runActivity(mockEnv(), acts.awsDescribeInstance, { instanceId: i }),
      runActivity(mockEnv(), acts.awsEnableTerminationProtection, { instanceId: i }),
      runActivity(mockEnv(), acts.awsRestoreTerminationProtection, { instanceId: i, previous: false }),
      runActivity(mockEnv(), acts.awsTagInstance, { instanceId: i, tags: { 'riposte:case': 'cs_1' } }),
      runActivity(mockEnv(), acts.awsUntagInstance, { instanceId: i, tags: { 'riposte:case': 'cs_1' } }),
      runActivity(mockEnv(), acts.awsSnapshotVolumes, { instanceId: i, caseId: 'cs_1', idempotencyKey: 'k', requestedBy: 'x' }),
      runActivity(mockEnv(), acts.awsDetachFromAutoScaling, { instanceId: i }),
      runActivity(mockEnv(), acts.awsAttachToAutoScaling, { instanceId: i, group: 'web' }),
      runActivity(mockEnv(), acts.awsDeregisterFromTargetGroups, { instanceId: i }),
      runActivity(mockEnv(), acts.awsRegisterWithTargetGroups, { instanceId: i, targets: [] }),
      runActivity(mockEnv(), acts.awsIsolateInstance, { instanceId: i, caseId: 'cs_1', idempotencyKey: 'k' }),
      runActivity(mockEnv(), acts.awsRestoreSecurityGroups, { instanceId: i, previousGroups: { 'eni-12345678': ['sg-12345678'] } }),
      runActivity(mockEnv(), acts.awsAccessKeyOwner, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }),
      runActivity(mockEnv(), acts.awsDeactivateAccessKey, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }),
      runActivity(mockEnv(), acts.awsReactivateAccessKey, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'bob' }),
      runActivity(mockEnv(), acts.awsRevokeRoleSessions, { roleName: 'web-role', issuedBefore: '2026-03-02T10:20:00Z', caseId: 'cs_1' }),
      runActivity(mockEnv(), acts.awsRemoveRoleSessionRevocation, { roleName: 'web-role', policyName: 'RiposteRevokeSessions-cs_1' }),
      runActivity(mockEnv(), acts.awsLookupKeyActivity, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', since: '2026-03-01T00:00:00Z' }),
    ];
    assert.equal(calls.length, integration.info.activities.length, 'every activity');
    for (const out of await Promise.all(calls)) assert.deepEqual(out, skipped);
    assert.equal((await rejection(() => runActivity(mockEnv(), acts.awsDescribeInstance, { instanceId: 'web-1' }))).type, 'InvalidObservableError', 'input is still checked');
  });
});

describe('aws failures and CloudTrail, from AWS\u2019s documented wire shapes', () => {
  before(setupNock);
  afterEach(checkNock);
  const EC2_HOST = `https://ec2.${REGION}.amazonaws.com`;
  const client = () => new AwsClient({ region: REGION, credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: new Secret(SECRET) }, maxAttempts: 1 });

  it('an EC2 UnauthorizedOperation is a non-retryable auth failure that shows no secret', async () => {
    nock(EC2_HOST).post('/', (form: Record<string, string>) => form.Action === 'DescribeInstances' && form['InstanceId.1'] === 'i-0123456789abcdef0').reply(403, xml('ec2-unauthorized-operation.xml'), { 'content-type': 'text/xml;charset=UTF-8' });
    const err = await rejection(() => runActivity(mockEnv(), createAwsActivities({ client: client() }).awsDescribeInstance, { instanceId: 'i-0123456789abcdef0' }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /UnauthorizedOperation/);
    assert.doesNotMatch(err.message, new RegExp(SECRET.slice(0, 12)));
  });

  it('an IAM AccessDenied is a non-retryable auth failure', async () => {
    nock('https://iam.amazonaws.com').post('/', (form: Record<string, string>) => form.Action === 'GetAccessKeyLastUsed' && form.AccessKeyId === 'AKIAIOSFODNN7EXAMPLE').reply(403, xml('iam-access-denied.xml'), { 'content-type': 'text/xml' });
    const err = await rejection(() => runActivity(mockEnv(), createAwsActivities({ client: client() }).awsDeactivateAccessKey, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /AccessDenied/);
  });

  it('EC2 throttling is retried as rate limited; a 5xx or no answer as unavailable', async () => {
    const acts = createAwsActivities({ client: client() });
    nock(EC2_HOST).post('/').reply(503, xml('ec2-request-limit-exceeded.xml'), { 'content-type': 'text/xml' });
    const throttled = await rejection(() => runActivity(mockEnv(), acts.awsDescribeInstance, { instanceId: 'i-0123456789abcdef0' }));
    assert.equal(throttled.type, 'RateLimitedError');
    assert.notEqual(throttled.nonRetryable, true);
    nock(EC2_HOST).post('/').reply(500, '<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred.</Message></Error></Errors><RequestID>r-1</RequestID></Response>');
    assert.equal((await rejection(() => runActivity(mockEnv(), acts.awsDescribeInstance, { instanceId: 'i-0123456789abcdef0' }))).type, 'IntegrationUnavailableError');
    // Nothing listens on this loopback port: a real refused connection.
    const closed = new AwsClient({ region: REGION, endpoint: `http://127.0.0.1:${await freePort()}`, credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: new Secret(SECRET) }, maxAttempts: 1 });
    const refused = await rejection(() => runActivity(mockEnv(), createAwsActivities({ client: closed }).awsDescribeInstance, { instanceId: 'i-0123456789abcdef0' }));
    assert.equal(refused.type, 'IntegrationUnavailableError');
    assert.notEqual(refused.nonRetryable, true);
  });

  it('looking up a key\u2019s activity pages through CloudTrail event history up to the limit', async () => {
    const CT = `https://cloudtrail.${REGION}.amazonaws.com`;
    const bodies: unknown[] = [];
    const target = /CloudTrail_20131101\.LookupEvents$/;
    nock(CT)
      .post('/', (b) => (bodies.push(b), true))
      .matchHeader('x-amz-target', target)
      .matchHeader('content-type', 'application/x-amz-json-1.1')
      .reply(200, fixture('aws/cloudtrail-lookup-events-page-1.json'), { 'content-type': 'application/x-amz-json-1.1' })
      .post('/', (b) => (bodies.push(b), true))
      .matchHeader('x-amz-target', target)
      .reply(200, fixture('aws/cloudtrail-lookup-events-page-2.json'), { 'content-type': 'application/x-amz-json-1.1' });
    const out = await runActivity(mockEnv(), createAwsActivities({ client: client() }).awsLookupKeyActivity, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', since: '2026-03-01T00:00:00Z', limit: 3 });
    assert.deepEqual(bodies[0], { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'AKIAIOSFODNN7EXAMPLE' }], StartTime: Date.parse('2026-03-01T00:00:00Z') / 1000, MaxResults: 3 });
    assert.deepEqual(bodies[1], { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'AKIAIOSFODNN7EXAMPLE' }], StartTime: Date.parse('2026-03-01T00:00:00Z') / 1000, MaxResults: 1, NextToken: (fixture('aws/cloudtrail-lookup-events-page-1.json') as { NextToken: string }).NextToken });
    assert.deepEqual(out, {
      status: 'ok',
      truncated: true,
      events: [
        { time: '2026-03-02T10:15:04.000Z', eventName: 'CreateUser', eventSource: 'iam.amazonaws.com', sourceIp: '198.51.100.23', region: 'us-east-1', userName: 'ci-deploy' },
        { time: '2026-03-02T10:14:41.000Z', eventName: 'ListBuckets', eventSource: 's3.amazonaws.com', sourceIp: '198.51.100.23', region: 'us-east-1', userName: 'ci-deploy' },
        { time: '2026-03-02T10:13:58.000Z', eventName: 'GetCallerIdentity', eventSource: 'sts.amazonaws.com', sourceIp: '198.51.100.23', region: 'us-east-1', userName: 'ci-deploy' },
      ],
    });
  });
});
