// AWS incident response through the AWS SDK for JavaScript v3: record an EC2 instance, protect it
// from termination, tag it, snapshot its volumes as evidence, take it out of its Auto Scaling
// group and target groups, isolate it with the two-step security-group swap; deactivate a leaked
// access key, revoke a role's sessions, and read what a key did in CloudTrail. Every state change
// is idempotent and answers what its undo needs, and every one has its undo.
import { ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { Secret } from '../../config/secret.ts';
import { SAFE_CASE_ID } from '../shared/evidence.ts';
import { defineIntegration, integrationState, type RateLimit } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { AwsClient } from './client.ts';
import { lookupKeyActivity } from './cloudtrail.ts';
import { deactivateAccessKey, ownerOf, reactivateAccessKey, removeRoleSessionRevocation, REVOCATION_PREFIX, revokeRoleSessions } from './iam.ts';
import { deleteTags, describeInstance, getInstance, setTags, tagMap, terminationProtection } from './instance.ts';
import { isolate, restore } from './isolation.ts';
import { attachToAutoScaling, deregisterFromTargetGroups, DETACHED_FROM, detachFromAutoScaling, registerWithTargetGroups } from './membership.ts';
import { snapshotVolumes } from './snapshots.ts';
import type * as T from './types.ts';
import * as v from './validate.ts';
import { info } from './info.ts';

export { info };

/** CloudTrail LookupEvents: "limited to two per second, per account, per Region" (API reference). */
const LOOKUP_LIMIT: RateLimit = { limit: 2, intervalMs: 1000 };

const SKIPPED: T.AwsSkipped = { status: 'skipped', reason: 'AWS is not configured (AWS_REGION unset)' };

export function awsFromEnv(env: Record<string, string | undefined>): AwsClient | undefined {
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!region) return undefined;
  const state = integrationState(info, { ...env, AWS_REGION: region });
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  // The SDK would read AWS_ENDPOINT_URL, the keys and AWS_PROFILE from process.env by itself;
  // they are passed explicitly because an integration is built from the environment it is
  // handed (IntegrationContext.env), which need not be the process's.
  return new AwsClient({
    region,
    ...(env.AWS_ENDPOINT_URL?.trim() ? { endpoint: env.AWS_ENDPOINT_URL.trim() } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey: new Secret(secretAccessKey), ...(sessionToken ? { sessionToken: new Secret(sessionToken) } : {}) } } : {}),
    ...(env.AWS_PROFILE?.trim() ? { profile: env.AWS_PROFILE.trim() } : {}),
    limiter: limiterFor(info.name, state.rateLimit),
    lookupLimiter: limiterFor(`${info.name}-cloudtrail-lookup`, LOOKUP_LIMIT),
  });
}

/** Where Riposte keeps a setting it changed until the undo, so a retry answers the original. */
const PROTECTION_BEFORE = 'riposte:termination-protection-before';

export function createAwsActivities(deps: { client?: AwsClient; evidenceDir?: string; pollMs?: number }) {
  const aws = deps.client;
  const instance = (input: T.InstanceRef) => ({ instanceId: v.assertInstanceId(input?.instanceId), region: v.optionalRegion(input.region) });
  return {
    /** Records the instance as it is now (read-only): network, groups, volumes, profile, ASG, target groups. */
    async awsDescribeInstance(input: T.DescribeInstanceInput): Promise<T.InstanceDescription | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      if (!aws) return SKIPPED;
      return describeInstance(aws, region, instanceId);
    },

    /** Turns on termination protection (DisableApiTermination), so nobody deletes the evidence. */
    async awsEnableTerminationProtection(input: T.TerminationProtectionInput): Promise<T.TerminationProtectionResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      if (!aws) return SKIPPED;
      const inst = await getInstance(aws, region, instanceId);
      const on = await terminationProtection(aws, region, instanceId);
      const recorded = tagMap(inst.Tags)[PROTECTION_BEFORE];
      if (on) return { status: 'ok', instanceId, changed: false, previous: recorded === undefined ? true : recorded === 'true' };
      // Off now, so any record is stale: write the truth before changing it.
      await setTags(aws, region, [instanceId], { [PROTECTION_BEFORE]: 'false' });
      await aws.call('ModifyInstanceAttribute', (abortSignal) => aws.in(region).ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: true } }), { abortSignal }));
      return { status: 'ok', instanceId, changed: true, previous: false };
    },

    /** The undo: puts termination protection back as it was. */
    async awsRestoreTerminationProtection(input: T.RestoreTerminationProtectionInput): Promise<T.RestoreTerminationProtectionResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      if (typeof input.previous !== 'boolean') throw v.invalid('previous must be true or false');
      if (!aws) return SKIPPED;
      const inst = await getInstance(aws, region, instanceId);
      const on = await terminationProtection(aws, region, instanceId);
      if (on !== input.previous) {
        await aws.call('ModifyInstanceAttribute', (abortSignal) => aws.in(region).ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: input.previous } }), { abortSignal }));
      }
      if (PROTECTION_BEFORE in tagMap(inst.Tags)) await deleteTags(aws, region, [instanceId], [PROTECTION_BEFORE]);
      return { status: 'ok', instanceId, changed: on !== input.previous, terminationProtection: input.previous };
    },

    /** Tags the instance (e.g. `riposte:case`), so anyone looking at it in the console sees the case. */
    async awsTagInstance(input: T.TagInstanceInput): Promise<T.TagInstanceResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      const tags = v.assertTags(input.tags);
      // Those hold what an undo needs; a playbook's tag must not overwrite them.
      for (const key of [PROTECTION_BEFORE, DETACHED_FROM]) if (key in tags) throw v.invalid(`tag ${key} is Riposte's own record`);
      if (!aws) return SKIPPED;
      await getInstance(aws, region, instanceId);
      await setTags(aws, region, [instanceId], tags);
      return { status: 'ok', instanceId, tags };
    },

    /** The undo of awsTagInstance: removes those tags, each only while it still has the value set then. */
    async awsUntagInstance(input: T.TagInstanceInput): Promise<T.UntagInstanceResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      const tags = v.assertTags(input.tags);
      if (!aws) return SKIPPED;
      const now = tagMap((await getInstance(aws, region, instanceId)).Tags);
      const removed = Object.keys(tags).filter((k) => now[k] === tags[k]);
      await deleteTags(aws, region, [instanceId], removed);
      return { status: 'ok', instanceId, removed };
    },

    /** Snapshots every attached EBS volume, waits for completion and records each as evidence. */
    async awsSnapshotVolumes(input: T.SnapshotVolumesInput): Promise<T.SnapshotVolumesResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      const request = { instanceId, caseId: v.assertCaseId(input.caseId), idempotencyKey: v.assertIdempotencyKey(input.idempotencyKey), requestedBy: v.assertRequired(input.requestedBy, 'requestedBy') };
      if (!aws) return SKIPPED;
      return snapshotVolumes(aws, region, request, { evidenceDir: deps.evidenceDir ?? 'data/evidence', pollMs: deps.pollMs ?? 15_000 });
    },

    /** Takes the instance out of its Auto Scaling group without a replacement. */
    async awsDetachFromAutoScaling(input: T.DetachFromAutoScalingInput): Promise<T.DetachFromAutoScalingResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      if (!aws) return SKIPPED;
      return detachFromAutoScaling(aws, region, instanceId);
    },

    /** The undo: attaches it to its group again. */
    async awsAttachToAutoScaling(input: T.AttachToAutoScalingInput): Promise<T.AttachToAutoScalingResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      const group = v.assertGroupName(input.group);
      if (!aws) return SKIPPED;
      return attachToAutoScaling(aws, region, instanceId, group);
    },

    /** Takes the instance out of every load balancer target group it serves. */
    async awsDeregisterFromTargetGroups(input: T.DeregisterFromTargetGroupsInput): Promise<T.DeregisterFromTargetGroupsResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      if (!aws) return SKIPPED;
      return deregisterFromTargetGroups(aws, region, instanceId);
    },

    /** The undo: registers it again where it was. */
    async awsRegisterWithTargetGroups(input: T.RegisterWithTargetGroupsInput): Promise<T.RegisterWithTargetGroupsResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      const targets = v.assertTargets(input.targets);
      if (!aws) return SKIPPED;
      return registerWithTargetGroups(aws, region, instanceId, targets);
    },

    /** Cuts the instance off the network, existing sessions included (see isolation.ts). */
    async awsIsolateInstance(input: T.IsolateInstanceInput): Promise<T.IsolateInstanceResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      const request = { instanceId, caseId: v.assertCaseId(input.caseId), idempotencyKey: v.assertIdempotencyKey(input.idempotencyKey) };
      if (!aws) return SKIPPED;
      return isolate(aws, region, request);
    },

    /** The undo: every network interface back in the groups it had. */
    async awsRestoreSecurityGroups(input: T.RestoreSecurityGroupsInput): Promise<T.RestoreSecurityGroupsResult | T.AwsSkipped> {
      const { instanceId, region } = instance(input);
      const previousGroups = v.assertPreviousGroups(input.previousGroups);
      if (!aws) return SKIPPED;
      return restore(aws, region, instanceId, previousGroups);
    },

    /** The IAM user a long-term key belongs to (GetAccessKeyLastUsed); refuses root keys. */
    async awsAccessKeyOwner(input: T.AccessKeyOwnerInput): Promise<T.AccessKeyOwnerResult | T.AwsSkipped> {
      const accessKeyId = v.assertAccessKeyId(input?.accessKeyId);
      if (!aws) return SKIPPED;
      return { status: 'ok', accessKeyId, userName: await ownerOf(aws, accessKeyId) };
    },

    /** Deactivates a long-term IAM user key (AKIA…); refuses temporary (ASIA…) and root keys. */
    async awsDeactivateAccessKey(input: T.DeactivateAccessKeyInput): Promise<T.DeactivateAccessKeyResult | T.AwsSkipped> {
      const accessKeyId = v.assertAccessKeyId(input?.accessKeyId);
      const userName = input.userName === undefined ? undefined : v.assertUserName(input.userName);
      if (accessKeyId.startsWith('ASIA')) throw v.invalid(`${accessKeyId} is a temporary (STS) key, which cannot be deactivated: revoke its role's sessions (awsRevokeRoleSessions)`);
      if (!aws) return SKIPPED;
      return deactivateAccessKey(aws, accessKeyId, userName);
    },

    /** The undo: makes the key Active again. */
    async awsReactivateAccessKey(input: T.ReactivateAccessKeyInput): Promise<T.ReactivateAccessKeyResult | T.AwsSkipped> {
      const accessKeyId = v.assertAccessKeyId(input?.accessKeyId);
      const userName = v.assertUserName(input.userName);
      if (accessKeyId.startsWith('ASIA')) throw v.invalid(`${accessKeyId} is a temporary (STS) key, not a user's access key`);
      if (!aws) return SKIPPED;
      return reactivateAccessKey(aws, accessKeyId, userName);
    },

    /** Denies everything to the role's sessions issued before `issuedBefore` (inline policy). */
    async awsRevokeRoleSessions(input: T.RevokeRoleSessionsInput): Promise<T.RevokeRoleSessionsResult | T.AwsSkipped> {
      const roleName = v.assertRoleName(input?.roleName);
      const issuedBefore = v.assertTime(input.issuedBefore, 'issuedBefore');
      const caseId = v.assertCaseId(input.caseId);
      const policyName = v.assertPolicyName(`${REVOCATION_PREFIX}${caseId}${input.actionId === undefined ? '' : `-${input.actionId}`}`);
      if (!aws) return SKIPPED;
      return revokeRoleSessions(aws, roleName, issuedBefore, policyName);
    },

    /** The undo: deletes the case's revocation policy (and only a Riposte revocation policy). */
    async awsRemoveRoleSessionRevocation(input: T.RemoveRoleSessionRevocationInput): Promise<T.RemoveRoleSessionRevocationResult | T.AwsSkipped> {
      const roleName = v.assertRoleName(input?.roleName);
      const policyName = v.assertPolicyName(input.policyName);
      if (!policyName.startsWith(REVOCATION_PREFIX) || !SAFE_CASE_ID.test(policyName.slice(REVOCATION_PREFIX.length))) throw v.invalid(`${policyName} is not a Riposte session revocation policy`);
      if (!aws) return SKIPPED;
      return removeRoleSessionRevocation(aws, roleName, policyName);
    },

    /** What the key did since `since`, from CloudTrail event history (newest first, bounded). */
    async awsLookupKeyActivity(input: T.LookupKeyActivityInput): Promise<T.LookupKeyActivityResult> {
      const accessKeyId = v.assertAccessKeyId(input?.accessKeyId);
      const since = v.assertTime(input.since, 'since');
      const region = v.optionalRegion(input.region);
      const limit = input.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw v.invalid('limit must be 1–1000');
      if (!aws) return SKIPPED;
      return lookupKeyActivity(aws, region, accessKeyId, since, limit);
    },
  };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createAwsActivities({ client: awsFromEnv(ctx.env), evidenceDir: ctx.evidenceDir }) });
