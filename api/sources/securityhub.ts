// AWS Security Hub findings (ASFF) in an EventBridge event: several findings per event, each
// one alert. A bad finding is refused on its own; the others in the event go through.
import { Type } from '@sinclair/typebox';
import type { AlertPrincipal, SeverityId } from '../../core/alert.ts';
import { awsCloud, awsPrincipal } from './aws.ts';
import { FormatError, type SourceAdapter } from './types.ts';
import { isObject, pick, Reader, severityFromWord } from './util.ts';

const INDICATOR_TYPES: Record<string, 'ip' | 'domain' | 'url' | 'hash'> = {
  IPV4_ADDRESS: 'ip',
  IPV6_ADDRESS: 'ip',
  DOMAIN: 'domain',
  URL: 'url',
  HASH_MD5: 'hash',
  HASH_SHA1: 'hash',
  HASH_SHA256: 'hash',
  HASH_SHA512: 'hash',
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const securityhub: SourceAdapter = {
  name: 'securityhub',
  title: 'AWS Security Hub (ASFF findings in an EventBridge event)',
  docs: 'https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html',
  canSign: true,
  schema: Type.Object(
    {
      'detail-type': Type.String({ description: '"Security Hub Findings - Imported" or "… - Custom Action"' }),
      source: Type.Literal('aws.securityhub'),
      detail: Type.Object({ findings: Type.Array(Type.Object({ Id: Type.String(), ProductArn: Type.String(), Title: Type.String() })) }),
    },
    { description: 'One EventBridge event with detail.findings[]; each finding becomes one alert.' }
  ),
  items(body) {
    const findings = pick(body, 'detail.findings');
    if (pick(body, 'source') !== 'aws.securityhub') throw new FormatError([{ path: 'source', message: 'must be "aws.securityhub"' }]);
    if (!Array.isArray(findings)) throw new FormatError([{ path: 'detail.findings', message: 'must be an array of ASFF findings' }]);
    return findings.map((value, i) => ({ value, at: `detail.findings[${i}]` }));
  },
  normalize(f) {
    const r = new Reader(f);
    if (!isObject(f)) throw new FormatError([{ path: '', message: 'must be an ASFF finding object' }]);
    const id = r.str('Id', { required: true });
    const product = r.str('ProductArn', { required: true });
    const title = r.str('Title', { required: true });
    const time = r.time('UpdatedAt') ?? r.time('LastObservedAt') ?? r.time('CreatedAt', { required: true });
    const label = r.str('Severity.Label');
    const normalized = r.num('Severity.Normalized');
    const severity: SeverityId = label ? severityFromWord(label) : normalized !== undefined ? ((n) => (n >= 90 ? 5 : n >= 70 ? 4 : n >= 40 ? 3 : n >= 1 ? 2 : 1))(normalized) : 0;
    // The affected resource sends the traffic when the finding's direction is OUT.
    const resourceRole = pick(f, 'Network.Direction') === 'OUT' ? 'src' : 'target';
    const resources = pick(f, 'Resources');
    let principal: AlertPrincipal | undefined;
    if (Array.isArray(resources)) {
      resources.forEach((res, i) => {
        const rid = pick(res, 'Id');
        if (typeof rid !== 'string') return;
        if (pick(res, 'Type') === 'AwsIamAccessKey') {
          // GuardDuty's access key findings: the key and its principal acted (as GuardDuty says).
          // The Id is "AWS::IAM::AccessKey:<key id>"; Details carries the key id on newer findings.
          const key = pick(res, 'Details.AwsIamAccessKey');
          const at = `Resources[${i}].Details.AwsIamAccessKey`;
          const keyId = text(pick(key, 'AccessKeyId')) ?? /^AWS::IAM::AccessKey:(\S+)$/.exec(rid)?.[1];
          const name = text(pick(key, 'PrincipalName')) ?? text(pick(key, 'UserName'));
          r.add('cloud_resource', keyId ?? rid, 'actor', `Resources[${i}].Id`);
          const type = text(pick(key, 'PrincipalType'));
          // The root user is named "Root": as a user entity it would join every case about a Unix root.
          if (type !== 'Root') r.add('user', name, 'actor', `${at}.PrincipalName`);
          principal ??= awsPrincipal(type, name, keyId);
          return;
        }
        // arn:aws:ec2:region:account:instance/i-0abc → i-0abc
        const instance = /:instance\/(i-[0-9a-f]+)$/.exec(rid)?.[1];
        r.add('cloud_resource', instance ?? rid, resourceRole, `Resources[${i}].Id`);
        r.add('ip', (pick(res, 'Details.AwsEc2Instance.IpV4Addresses') as string[] | undefined)?.[0], resourceRole, `Resources[${i}].Details.AwsEc2Instance.IpV4Addresses[0]`);
      });
    }
    r.field('ip', 'Network.SourceIpV4', 'src');
    r.field('ip', 'Network.DestinationIpV4', 'dst');
    r.field('domain', 'Network.DestinationDomain', 'dst');
    r.field('domain', 'Network.SourceDomain', 'src');
    // Action: what GuardDuty saw happen — an API caller, a connection's remote end, a DNS query, probes.
    const remoteIp = (details: unknown, at: string, role: 'src' | 'dst' | 'actor') => {
      for (const v of ['IpAddressV4', 'IpAddressV6']) r.add('ip', pick(details, v) as string, role, `${at}.${v}`);
    };
    remoteIp(pick(f, 'Action.AwsApiCallAction.RemoteIpDetails'), 'Action.AwsApiCallAction.RemoteIpDetails', 'actor');
    const inbound = pick(f, 'Action.NetworkConnectionAction.ConnectionDirection') === 'INBOUND';
    remoteIp(pick(f, 'Action.NetworkConnectionAction.RemoteIpDetails'), 'Action.NetworkConnectionAction.RemoteIpDetails', inbound ? 'src' : 'dst');
    r.field('domain', 'Action.DnsRequestAction.Domain', 'dst');
    const probes = pick(f, 'Action.PortProbeAction.PortProbeDetails');
    if (Array.isArray(probes)) probes.forEach((p, i) => remoteIp(pick(p, 'RemoteIpDetails'), `Action.PortProbeAction.PortProbeDetails[${i}].RemoteIpDetails`, 'src'));
    const intel = pick(f, 'ThreatIntelIndicators');
    if (Array.isArray(intel)) {
      intel.forEach((t, i) => {
        const type = INDICATOR_TYPES[String(pick(t, 'Type'))];
        if (type) r.add(type, pick(t, 'Value') as string, type === 'hash' ? undefined : 'dst', `ThreatIntelIndicators[${i}].Value`);
      });
    }
    const account = r.str('AwsAccountId');
    const firstRegion = Array.isArray(resources) ? resources.map((res) => pick(res, 'Region')).find((v) => typeof v === 'string') : undefined;
    const region = r.str('Region') ?? (firstRegion as string | undefined);
    r.check();
    const generator = r.str('GeneratorId');
    const types = pick(f, 'Types');
    return {
      alert: {
        sourceUid: `${product}/${id}`,
        time: time as string,
        severity_id: severity,
        title: title as string,
        rule: { name: (Array.isArray(types) && typeof types[0] === 'string' ? types[0] : generator) ?? (title as string), ...(generator ? { uid: generator } : {}) },
        observables: r.observables,
        cloud: awsCloud(account, region),
        ...(principal ? { principal } : {}),
      },
    };
  },
  example: {
    version: '0',
    id: '8e5622f9-d81c-4d81-612a-9319e7ee2506',
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: '123456789012',
    time: '2026-11-27T10:06:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:securityhub:us-east-1::product/aws/guardduty/arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d/finding/96b9'],
    detail: {
      findings: [
        {
          SchemaVersion: '2018-10-08',
          Id: 'arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d/finding/96b9',
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
          GeneratorId: 'arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d',
          AwsAccountId: '123456789012',
          Region: 'us-east-1',
          Types: ['TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS'],
          CreatedAt: '2026-11-27T09:55:00Z',
          UpdatedAt: '2026-11-27T10:04:30Z',
          Severity: { Label: 'HIGH', Normalized: 70, Original: '8' },
          Title: 'Command and Control server domain name queried by EC2 instance i-0a1b2c3d4e5f67890.',
          Description: 'EC2 instance i-0a1b2c3d4e5f67890 is querying a domain name associated with a known Command & Control server.',
          Resources: [{ Type: 'AwsEc2Instance', Id: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f67890', Details: { AwsEc2Instance: { IpV4Addresses: ['10.0.1.23'] } } }],
          Network: { Direction: 'OUT', DestinationDomain: 'c2-never-seen.test' },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  },
};
