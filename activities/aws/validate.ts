// Input checks, before anything is sent to AWS: a value that is not what it claims is a
// non-retryable InvalidObservableError. Patterns are AWS's own (API reference "Pattern:" lines).
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors.ts';
import { SAFE_CASE_ID } from '../shared/evidence.ts';
import type { TargetRegistration } from './types.ts';

const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 80) ?? String(value);

export function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`aws: ${message}`, ErrorType.invalidInput);
}

function check(pattern: RegExp, what: string, value: unknown): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw invalid(`not ${what}: ${shown(value)}`);
  return value;
}

export const assertInstanceId = (v: unknown) => check(/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'an EC2 instance id (i-…)', v);
export const assertEniId = (v: unknown) => check(/^eni-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'a network interface id (eni-…)', v);
export const assertGroupId = (v: unknown) => check(/^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'a security group id (sg-…)', v);
export const assertAccessKeyId = (v: unknown) => check(/^A[KS]IA[A-Z0-9]{16}$/, 'an access key id (AKIA… or ASIA…)', v);
/** IAM user and role names: `[\w+=,.@-]+`, users up to 64 characters, roles up to 64. */
export const assertUserName = (v: unknown) => check(/^[\w+=,.@-]{1,64}$/, 'an IAM user name', v);
export const assertRoleName = (v: unknown) => check(/^[\w+=,.@-]{1,64}$/, 'an IAM role name', v);
export const assertPolicyName = (v: unknown) => check(/^[\w+=,.@-]{1,128}$/, 'an IAM policy name', v);
export const assertRegion = (v: unknown) => check(/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, 'an AWS region', v);
/** Auto Scaling group names: 1–255 printable characters (AWS's pattern excludes control characters). */
export const assertGroupName = (v: unknown) => check(/^[^\p{Cc}]{1,255}$/u, 'an Auto Scaling group name', v);
export const assertCaseId = (v: unknown) => check(SAFE_CASE_ID, 'a case id (1–128 letters, digits, ".", "_" or "-")', v);

export function optionalRegion(v: unknown): string | undefined {
  return v === undefined ? undefined : assertRegion(v);
}

/** Tag values hold at most 256 characters, and the idempotency key is one. */
export function assertIdempotencyKey(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > 256) throw invalid('idempotencyKey must be 1–256 characters');
  return v;
}

export function assertRequired(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > 256) throw invalid(`${name} must be 1–256 characters`);
  return v;
}

/** An ISO 8601 time → AWS's form (seconds, UTC, `Z`). */
export function assertTime(v: unknown, name: string): string {
  const at = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(at)) throw invalid(`${name} is not an ISO 8601 time: ${shown(v)}`);
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** User tags: keys 1–128 characters not starting with `aws:`, values up to 256; at most 50. */
export function assertTags(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalid('tags must be an object of strings');
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0 || entries.length > 50) throw invalid('tags must hold 1–50 tags');
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128 || /^aws:/i.test(key)) throw invalid(`not a tag key: ${shown(key)}`);
    if (typeof value !== 'string' || value.length > 256) throw invalid(`tag ${key} needs a string value of at most 256 characters`);
  }
  return v as Record<string, string>;
}

export function assertPreviousGroups(v: unknown): Record<string, string[]> {
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) throw invalid('previousGroups must map network interface ids to security group ids');
  for (const [eni, groups] of Object.entries(v as Record<string, unknown>)) {
    assertEniId(eni);
    if (!Array.isArray(groups) || groups.length === 0 || groups.length > 16) throw invalid(`previousGroups.${eni} must list 1–16 security group ids`);
    groups.forEach(assertGroupId);
  }
  return v as Record<string, string[]>;
}

const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

export function assertTargets(v: unknown): TargetRegistration[] {
  if (!Array.isArray(v) || v.length > 100) throw invalid('targets must be a list of { targetGroupArn, port? }');
  return v.map((t: { targetGroupArn?: unknown; port?: unknown }) => {
    check(TARGET_GROUP_ARN, 'a target group ARN', t?.targetGroupArn);
    if (t.port !== undefined && !(Number.isInteger(t.port) && (t.port as number) >= 1 && (t.port as number) <= 65535)) throw invalid(`not a port: ${shown(t.port)}`);
    return { targetGroupArn: t.targetGroupArn as string, ...(t.port !== undefined ? { port: t.port as number } : {}) };
  });
}
