// AWS SDK errors → the project's typed failures. The SDK names a service error after AWS's error
// code (`err.name`: UnauthorizedOperation, InvalidInstanceID.NotFound, Throttling …) and carries
// the HTTP status in `$metadata`; errors with neither never reached AWS (network, timeout, no
// credentials found). Messages keep AWS's own text, with anything shaped like a secret key or a
// session token cut out, and never the request.
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors.ts';

/** Credentials are wrong, expired or lack the permission: retrying cannot help. */
const AUTH = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthFailure',
  'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'IncompleteSignature',
  'InvalidAccessKeyId', 'MissingAuthenticationToken', 'ExpiredToken', 'ExpiredTokenException', 'RequestExpired',
  'OptInRequired', 'CredentialsProviderError',
]);

/**
 * AWS's throttling codes (as the SDK's own retry strategy lists them). Not `LimitExceeded`: in
 * IAM and EC2 that is a quota (too many policies, groups), which waiting does not fix.
 */
const THROTTLED = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException',
  'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown', 'EC2ThrottledException', 'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/**
 * The AWS error code behind a failure from AwsClient.call (or an SDK error), for the callers that
 * treat one as data: NoSuchEntity when asking whether a policy exists, InvalidPermission.Duplicate.
 */
export function awsErrorCode(err: unknown): string | undefined {
  if (err instanceof ApplicationFailure) return (err.details?.[0] as { awsCode?: string } | undefined)?.awsCode;
  const e = err as SdkError | undefined;
  return e && typeof e === 'object' && e.$metadata ? e.name : undefined;
}

/** The failure an AWS call's error becomes; `op` is the API action (DescribeInstances). */
export function awsFailure(op: string, err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const e = (err ?? {}) as SdkError;
  const code = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = scrub(e.message ?? '').slice(0, 300);
  const message = `aws: ${op} failed: ${code}${status ? ` (HTTP ${status})` : ''}${detail ? ` — ${detail}` : ''}`;
  // The code and status travel as details (no request, no credentials), so callers and playbooks can match on them.
  const details = [{ awsCode: code, ...(status ? { httpStatus: status } : {}) }];
  if (AUTH.has(code) || status === 401 || status === 403) return ApplicationFailure.create({ type: ErrorType.auth, message, nonRetryable: true, details });
  if (THROTTLED.has(code) || status === 429) return ApplicationFailure.create({ type: ErrorType.rateLimited, message, details });
  if (status === undefined) {
    // Never reached AWS: a refused connection, a timeout, DNS. A plain bug (TypeError) stays itself.
    if (e.$fault || e.code || /Timeout|Abort|Network|ECONN|ENOTFOUND|EAI_AGAIN|socket/i.test(`${code} ${e.message ?? ''}`)) {
      return ApplicationFailure.create({ type: ErrorType.unavailable, message: `aws: ${op} failed: ${e.code ?? code} (no answer from AWS)` });
    }
    return err;
  }
  if (status >= 500 || e.$fault === 'server') return ApplicationFailure.create({ type: ErrorType.unavailable, message, details });
  // What was named does not exist (InvalidInstanceID.NotFound, InvalidGroup.NotFound, NoSuchEntity).
  if (/NotFound|NoSuchEntity/.test(code)) return ApplicationFailure.create({ type: ErrorType.invalidInput, message, nonRetryable: true, details });
  return ApplicationFailure.create({ type: ErrorType.request, message, nonRetryable: true, details });
}

/** AWS messages quote identifiers, never secrets; this is the belt to that braces. */
function scrub(text: string): string {
  return text.replace(/[A-Za-z0-9/+=]{40,}/g, '[redacted]');
}
