// Credentials: a leaked long-term access key (AKIA…) is deactivated — never deleted, so the
// undo can bring it back and the key id stays in the evidence; temporary credentials (ASIA…)
// cannot be deactivated, so the sessions of the role that issued them are revoked with the
// documented inline policy denying everything to tokens issued before a time
// (IAM User Guide, "Revoking IAM role temporary security credentials").
import {
  DeleteRolePolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetRolePolicyCommand,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  type AccessKeyMetadata,
} from '@aws-sdk/client-iam';
import type { AwsClient } from './client.ts';
import { awsErrorCode } from './errors.ts';
import type { DeactivateAccessKeyResult, ReactivateAccessKeyResult, RemoveRoleSessionRevocationResult, RevokeRoleSessionsResult } from './types.ts';
import { assertUserName, invalid } from './validate.ts';

/**
 * The key's status before Riposte first deactivated it, kept as a tag on its user until the
 * undo: a retry after success (the key already Inactive) must still answer "it was Active", or
 * the undo would leave the key off.
 */
const statusTag = (accessKeyId: string) => `riposte:key-status:${accessKeyId}`;

export async function deactivateAccessKey(aws: AwsClient, accessKeyId: string, userName?: string): Promise<DeactivateAccessKeyResult> {
  const user = userName ?? (await ownerOf(aws, accessKeyId));
  const key = await keyOf(aws, user, accessKeyId);
  const tag = statusTag(accessKeyId);
  const recorded = (await userTags(aws, user))[tag];
  if (key.Status === 'Active') {
    await aws.call('TagUser', (abortSignal) => aws.iam.send(new TagUserCommand({ UserName: user, Tags: [{ Key: tag, Value: 'Active' }] }), { abortSignal }));
    await aws.call('UpdateAccessKey', (abortSignal) => aws.iam.send(new UpdateAccessKeyCommand({ UserName: user, AccessKeyId: accessKeyId, Status: 'Inactive' }), { abortSignal }));
    return { status: 'ok', accessKeyId, userName: user, previousStatus: 'Active', changed: true };
  }
  return { status: 'ok', accessKeyId, userName: user, previousStatus: recorded === 'Active' ? 'Active' : 'Inactive', changed: false };
}

export async function reactivateAccessKey(aws: AwsClient, accessKeyId: string, userName: string): Promise<ReactivateAccessKeyResult> {
  const key = await keyOf(aws, userName, accessKeyId);
  let changed = false;
  if (key.Status !== 'Active') {
    await aws.call('UpdateAccessKey', (abortSignal) => aws.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Active' }), { abortSignal }));
    changed = true;
  }
  const tag = statusTag(accessKeyId);
  if (tag in (await userTags(aws, userName))) await aws.call('UntagUser', (abortSignal) => aws.iam.send(new UntagUserCommand({ UserName: userName, TagKeys: [tag] }), { abortSignal }));
  return { status: 'ok', accessKeyId, userName, changed };
}

/** The IAM user a key belongs to. A root key has none: Riposte never touches the root user's keys. */
export async function ownerOf(aws: AwsClient, accessKeyId: string): Promise<string> {
  const res = await aws.call('GetAccessKeyLastUsed', (abortSignal) => aws.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }), { abortSignal }));
  const user = res.UserName;
  if (!user || user === 'root' || user === '<root_account>') throw invalid(`${accessKeyId} belongs to the account's root user, not an IAM user; Riposte does not change root keys`);
  return assertUserName(user);
}

/** The key among its user's keys — which also refuses a root key named with a user's name. */
async function keyOf(aws: AwsClient, userName: string, accessKeyId: string): Promise<AccessKeyMetadata> {
  if (userName === 'root' || userName === '<root_account>') throw invalid('Riposte does not change the root user\u2019s keys');
  let marker: string | undefined;
  do {
    const page = await aws.call('ListAccessKeys', (abortSignal) => aws.iam.send(new ListAccessKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }), { abortSignal }));
    const found = page.AccessKeyMetadata?.find((k) => k.AccessKeyId === accessKeyId);
    if (found) return found;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  throw invalid(`${accessKeyId} is not an access key of IAM user ${userName}`);
}

async function userTags(aws: AwsClient, userName: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const page = await aws.call('ListUserTags', (abortSignal) => aws.iam.send(new ListUserTagsCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }), { abortSignal }));
    for (const t of page.Tags ?? []) tags[t.Key as string] = t.Value ?? '';
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return tags;
}

export const REVOCATION_PREFIX = 'RiposteRevokeSessions-';

/** Deny everything to sessions issued before `issuedBefore`; later sessions (after the fix) work. */
export function revocationPolicy(issuedBefore: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'RiposteRevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } } }],
  };
}

export async function revokeRoleSessions(aws: AwsClient, roleName: string, issuedBefore: string, policyName: string): Promise<RevokeRoleSessionsResult> {
  const wanted = revocationPolicy(issuedBefore);
  const existing = await rolePolicy(aws, roleName, policyName);
  if (existing !== undefined && canonical(existing) === canonical(wanted)) return { status: 'ok', roleName, policyName, changed: false };
  await aws.call('PutRolePolicy', (abortSignal) => aws.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(wanted) }), { abortSignal }));
  return { status: 'ok', roleName, policyName, changed: true };
}

export async function removeRoleSessionRevocation(aws: AwsClient, roleName: string, policyName: string): Promise<RemoveRoleSessionRevocationResult> {
  try {
    await aws.call('DeleteRolePolicy', (abortSignal) => aws.iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }), { abortSignal }));
    return { status: 'ok', roleName, policyName, changed: true };
  } catch (err) {
    if (awsErrorCode(err) === 'NoSuchEntity' || awsErrorCode(err) === 'NoSuchEntityException') return { status: 'ok', roleName, policyName, changed: false };
    throw err;
  }
}

/** The inline policy's document, or undefined when the role has none of that name. */
async function rolePolicy(aws: AwsClient, roleName: string, policyName: string): Promise<unknown> {
  try {
    const res = await aws.call('GetRolePolicy', (abortSignal) => aws.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }), { abortSignal }));
    // IAM answers the document URL-encoded (RFC 3986).
    return res.PolicyDocument ? JSON.parse(decodeURIComponent(res.PolicyDocument)) : undefined;
  } catch (err) {
    // A missing role also answers NoSuchEntity; PutRolePolicy then says so.
    if (awsErrorCode(err) === 'NoSuchEntity' || awsErrorCode(err) === 'NoSuchEntityException') return undefined;
    throw err;
  }
}

/** JSON with sorted keys, so two equal documents compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}
