// What aws says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'aws',
  title: 'AWS: EC2 isolation (two-step security-group swap), termination protection, Auto Scaling and target-group removal, EBS snapshots as evidence; IAM key deactivation, role session revocation, CloudTrail key activity',
  category: 'containment',
  docUrl: 'https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/',
  activities: [
    'awsDescribeInstance',
    'awsEnableTerminationProtection',
    'awsRestoreTerminationProtection',
    'awsTagInstance',
    'awsUntagInstance',
    'awsSnapshotVolumes',
    'awsDetachFromAutoScaling',
    'awsAttachToAutoScaling',
    'awsDeregisterFromTargetGroups',
    'awsRegisterWithTargetGroups',
    'awsIsolateInstance',
    'awsRestoreSecurityGroups',
    'awsAccessKeyOwner',
    'awsDeactivateAccessKey',
    'awsReactivateAccessKey',
    'awsRevokeRoleSessions',
    'awsRemoveRoleSessionRevocation',
    'awsLookupKeyActivity',
  ],
  settings: [
    { name: 'AWS_REGION', description: 'the default region (AWS_DEFAULT_REGION is read when this is unset); an activity may name another', required: true },
    { name: 'AWS_DEFAULT_REGION', description: 'the region, when AWS_REGION is unset' },
    { name: 'AWS_ACCESS_KEY_ID', description: 'static credentials (otherwise the SDK default chain: AWS_PROFILE, SSO, web identity, ECS or EC2 instance role)' },
    { name: 'AWS_SECRET_ACCESS_KEY', description: 'the secret of AWS_ACCESS_KEY_ID', secret: true },
    { name: 'AWS_SESSION_TOKEN', description: 'for temporary credentials', secret: true },
    { name: 'AWS_PROFILE', description: 'a profile of ~/.aws/config for the default credential chain' },
    { name: 'AWS_ENDPOINT_URL', description: 'send every AWS call to this endpoint (an emulator such as moto, or a proxy)' },
  ],
  // AWS throttles per account and API (EC2 refills its buckets at a few to tens of requests a
  // second); 10/s per worker stays well inside that for a handful of concurrent responses.
  rateLimit: { limit: 10, intervalMs: 1000 },
  privileged: true,
};
