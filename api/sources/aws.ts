// What AWS findings say about the account and the identity behind an access key, read the same
// way for GuardDuty and Security Hub (whose GuardDuty findings carry the same fields in ASFF).
import type { AlertCloud, AlertPrincipal } from '../../core/alert.ts';

/**
 * GuardDuty's accessKeyDetails.userType, or ASFF's AwsIamAccessKey.PrincipalType (both take
 * CloudTrail's userIdentity.type) → the native principal type. Federated users, AWS accounts
 * and anything new are `unknown`: a playbook must not treat them as an IAM user or a role.
 */
export function awsPrincipalType(type: string | undefined): AlertPrincipal['type'] {
  switch (type) {
    case 'IAMUser':
      return 'user';
    case 'AssumedRole':
      return 'role';
    case 'Root':
      return 'root';
    case 'AWSService':
      return 'service';
    default:
      return 'unknown';
  }
}

export function awsCloud(account: string | undefined, region: string | undefined): AlertCloud {
  return { provider: 'aws', ...(account ? { account } : {}), ...(region ? { region } : {}) };
}

export function awsPrincipal(type: string | undefined, name: string | undefined, accessKeyId: string | undefined): AlertPrincipal {
  return { type: awsPrincipalType(type), ...(name ? { name } : {}), ...(accessKeyId ? { accessKeyId } : {}) };
}
