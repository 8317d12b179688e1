// AWS Security Hub findings (ASFF) in an EventBridge event: several findings per event, each
// one alert. A bad finding is refused on its own; the others in the event go through.
import { Type } from '@sinclair/typebox';
import type { SeverityId } from '../../core/alert.ts';
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
    if (Array.isArray(resources)) {
      resources.forEach((res, i) => {
        const rid = pick(res, 'Id');
        if (typeof rid !== 'string') return;
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
    const intel = pick(f, 'ThreatIntelIndicators');
    if (Array.isArray(intel)) {
      intel.forEach((t, i) => {
        const type = INDICATOR_TYPES[String(pick(t, 'Type'))];
        if (type) r.add(type, pick(t, 'Value') as string, type === 'hash' ? undefined : 'dst', `ThreatIntelIndicators[${i}].Value`);
      });
    }
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
