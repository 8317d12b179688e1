// AWS (EC2, Auto Scaling, ELBv2, IAM, CloudTrail) incident response: inputs and results.
// Types only — safe for workflows. Every state change answers what its undo needs, and a retry
// answers the same undo data (the `previous…` fields), even when the first attempt already acted.

/** What every activity answers when AWS_REGION is unset. */
export interface AwsSkipped {
  status: 'skipped';
  reason: string;
}

/** An instance, in the configured region unless `region` says otherwise. */
export interface InstanceRef {
  /** `i-` and 8 or 17 hex digits. */
  instanceId: string;
  region?: string;
}

// 1. Record the instance's metadata (read-only).

export type DescribeInstanceInput = InstanceRef;

export interface InstanceDescription {
  status: 'ok';
  instanceId: string;
  region: string;
  /** pending, running, stopping, stopped, shutting-down, terminated. */
  state: string;
  /** AWS leaves out the network fields of a terminated instance. */
  vpcId?: string;
  subnetId?: string;
  privateIp?: string;
  publicIp?: string;
  imageId: string;
  /** ISO 8601. */
  launchTime: string;
  tags: Record<string, string>;
  /** Every group on any of its network interfaces. */
  securityGroups: Array<{ id: string; name: string }>;
  networkInterfaces: Array<{ id: string; groups: string[] }>;
  volumes: Array<{ volumeId: string; device: string; sizeGiB?: number }>;
  iamInstanceProfileArn?: string;
  autoScalingGroup?: string;
  /** ARNs of the target groups the instance is registered with (draining ones excluded). */
  targetGroups: string[];
  terminationProtection: boolean;
}

// 2. Termination protection, and its undo.

export type TerminationProtectionInput = InstanceRef;

export interface TerminationProtectionResult {
  status: 'ok';
  instanceId: string;
  /** Whether this call turned protection on (false on a retry after success). */
  changed: boolean;
  /** The setting before Riposte first turned it on: what the undo restores. */
  previous: boolean;
}

export interface RestoreTerminationProtectionInput extends InstanceRef {
  previous: boolean;
}

export interface RestoreTerminationProtectionResult {
  status: 'ok';
  instanceId: string;
  changed: boolean;
  terminationProtection: boolean;
}

// 3. Tags.

export interface TagInstanceInput extends InstanceRef {
  /** e.g. `{ 'riposte:case': 'cs_42' }`. Keys may not start with `aws:`. */
  tags: Record<string, string>;
}

export interface TagInstanceResult {
  status: 'ok';
  instanceId: string;
  tags: Record<string, string>;
}

export interface UntagInstanceResult {
  status: 'ok';
  instanceId: string;
  /** The keys removed (a tag changed since by someone else is left alone). */
  removed: string[];
}

// 4. EBS snapshots as evidence.

export interface SnapshotVolumesInput extends InstanceRef {
  caseId: string;
  /** From the workflow (`${workflowId}:${step}`): the snapshots are found by it on a retry. */
  idempotencyKey: string;
  /** Who or which playbook asked. */
  requestedBy: string;
}

/** One EBS snapshot, as the chain of custody records it. */
export interface EbsSnapshotRecord {
  evidenceId: string;
  kind: 'ebs-snapshot';
  snapshotId: string;
  volumeId: string;
  /** Where the volume was attached (`/dev/xvda`). */
  device: string;
  startedAt: string;
  completedAt: string;
  /** `completed` (the activity waits for it). */
  state: string;
  /** The snapshot's full size as AWS reports it, when it does. */
  bytes?: number;
  tags: Record<string, string>;
  requestedBy: string;
  /** `arn:aws:ec2:<region>:<account>:snapshot/<id>` */
  uri: string;
}

export interface SnapshotVolumesResult {
  status: 'ok';
  instanceId: string;
  /** One per attached EBS volume. */
  snapshots: EbsSnapshotRecord[];
}

// 5. Auto Scaling, and its undo.

export type DetachFromAutoScalingInput = InstanceRef;

export interface DetachFromAutoScalingResult {
  status: 'ok';
  instanceId: string;
  /** The group it was detached from (also on a retry after success); absent when it was in none. */
  group?: string;
  /** Whether the instance is out of `group` because of Riposte (true on a retry after success). */
  detached: boolean;
}

export interface AttachToAutoScalingInput extends InstanceRef {
  group: string;
}

export interface AttachToAutoScalingResult {
  status: 'ok';
  instanceId: string;
  group: string;
  changed: boolean;
}

// 6. Load balancer target groups, and the undo.

export interface TargetRegistration {
  targetGroupArn: string;
  /** The port it was registered on (absent: the target group's port). */
  port?: number;
}

export type DeregisterFromTargetGroupsInput = InstanceRef;

export interface DeregisterFromTargetGroupsResult {
  status: 'ok';
  instanceId: string;
  /** What it was registered with: what the undo registers again. */
  targets: TargetRegistration[];
}

export interface RegisterWithTargetGroupsInput extends InstanceRef {
  targets: TargetRegistration[];
}

export interface RegisterWithTargetGroupsResult {
  status: 'ok';
  instanceId: string;
  targets: TargetRegistration[];
  changed: boolean;
}

// 7. Network isolation by security groups, and the undo.

export interface IsolateInstanceInput extends InstanceRef {
  caseId: string;
  idempotencyKey: string;
}

export interface IsolateInstanceResult {
  status: 'ok';
  instanceId: string;
  /** `riposte-isolation-<vpcId>` of the instance's VPC: no inbound and no outbound rules. */
  isolationGroupId: string;
  /** `riposte-untrack-<vpcId>`: all traffic both ways, applied first so existing flows become untracked. */
  transitionGroupId: string;
  /** Network interface id → the groups it had before isolation (never the isolation groups). */
  previousGroups: Record<string, string[]>;
  /** True when every interface was already in the isolation group before this call. */
  alreadyIsolated: boolean;
}

export interface RestoreSecurityGroupsInput extends InstanceRef {
  previousGroups: Record<string, string[]>;
}

export interface RestoreSecurityGroupsResult {
  status: 'ok';
  instanceId: string;
  restored: Record<string, string[]>;
  changed: boolean;
}

// 8. IAM user access keys, and the undo.

export interface AccessKeyOwnerInput {
  accessKeyId: string;
}

export interface AccessKeyOwnerResult {
  status: 'ok';
  accessKeyId: string;
  userName: string;
}

export interface DeactivateAccessKeyInput {
  /** A long-term key, `AKIA…` (temporary `ASIA…` credentials are revoked by awsRevokeRoleSessions). */
  accessKeyId: string;
  /** Found with GetAccessKeyLastUsed when not given. */
  userName?: string;
}

export interface DeactivateAccessKeyResult {
  status: 'ok';
  accessKeyId: string;
  userName: string;
  /** The key's status before Riposte first deactivated it: Active means the undo reactivates it. */
  previousStatus: 'Active' | 'Inactive';
  /** Whether this call deactivated it (false on a retry after success). */
  changed: boolean;
}

export interface ReactivateAccessKeyInput {
  accessKeyId: string;
  userName: string;
}

export interface ReactivateAccessKeyResult {
  status: 'ok';
  accessKeyId: string;
  userName: string;
  changed: boolean;
}

// 9. Role session revocation, and the undo.

export interface RevokeRoleSessionsInput {
  roleName: string;
  /** ISO 8601: sessions (ASIA… credentials) issued before this are denied everything. */
  issuedBefore: string;
  caseId: string;
  /** The case's action (e.g. `aws-credential-compromise-revoke-sessions-1`): each revocation its own policy, undone alone. */
  actionId?: string;
}

export interface RevokeRoleSessionsResult {
  status: 'ok';
  roleName: string;
  /** `RiposteRevokeSessions-<caseId>[-<actionId>]`: the undo deletes it. */
  policyName: string;
  /** Whether this call wrote the policy (false when it was already in place, as on a retry). */
  changed: boolean;
}

export interface RemoveRoleSessionRevocationInput {
  roleName: string;
  policyName: string;
}

export interface RemoveRoleSessionRevocationResult {
  status: 'ok';
  roleName: string;
  policyName: string;
  changed: boolean;
}

// 10. What a key did (CloudTrail event history, 90 days, management events).

export interface LookupKeyActivityInput {
  accessKeyId: string;
  /** ISO 8601. */
  since: string;
  /** At most this many events, newest first (default 50, at most 1000). */
  limit?: number;
  region?: string;
}

export interface KeyActivityEvent {
  time: string;
  eventName: string;
  eventSource: string;
  sourceIp?: string;
  region?: string;
  userName?: string;
}

export type LookupKeyActivityResult = { status: 'ok'; events: KeyActivityEvent[]; truncated: boolean } | AwsSkipped;
