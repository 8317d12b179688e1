// AWS GuardDuty findings, as EventBridge delivers them ("detail-type": "GuardDuty Finding").
// GuardDuty re-sends a finding with the same detail.id and a higher service.count when it
// recurs: that updates the one alert instead of making another.
import { Type } from '@sinclair/typebox';
import type { SeverityId } from '../../core/alert.ts';
import { awsCloud, awsPrincipal } from './aws.ts';
import { FormatError, type SourceAdapter } from './types.ts';
import { isObject, pick, Reader } from './util.ts';

/** GuardDuty bands: 1.0–3.9 Low, 4.0–6.9 Medium, 7.0–8.9 High, 9.0+ Critical. */
export function guarddutySeverity(s: number): SeverityId {
  return s >= 9 ? 5 : s >= 7 ? 4 : s >= 4 ? 3 : s >= 1 ? 2 : 1;
}

export const guardduty: SourceAdapter = {
  name: 'guardduty',
  title: 'AWS GuardDuty (EventBridge "GuardDuty Finding" event)',
  docs: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html',
  canSign: true,
  schema: Type.Object(
    {
      'detail-type': Type.Literal('GuardDuty Finding'),
      source: Type.Literal('aws.guardduty'),
      time: Type.Optional(Type.String()),
      detail: Type.Object({ id: Type.String(), type: Type.String(), severity: Type.Number(), title: Type.String(), resource: Type.Object({}), service: Type.Object({}) }),
    },
    { description: 'One EventBridge event; the finding is in detail.' }
  ),
  items(body) {
    return [{ value: body, at: 'event' }];
  },
  normalize(event) {
    const r = new Reader(event);
    if (pick(event, 'detail-type') !== 'GuardDuty Finding') r.errors.push({ path: 'detail-type', message: 'must be "GuardDuty Finding"' });
    const d = pick(event, 'detail');
    if (!isObject(d)) throw new FormatError([...r.errors, { path: 'detail', message: 'must be the finding object' }]);
    const id = r.str('detail.id', { required: true });
    const type = r.str('detail.type', { required: true });
    const title = r.str('detail.title', { required: true });
    const severity = r.num('detail.severity', { required: true });
    const time = r.time('detail.updatedAt') ?? r.time('time') ?? r.time('detail.createdAt', { required: true });
    const count = r.num('detail.service.count');

    // The resource: an instance (its addresses are the host) or an access key (its user is the actor).
    const inst = pick(d, 'resource.instanceDetails');
    r.field('cloud_resource', 'resource.instanceDetails.instanceId', 'src', d);
    const enis = pick(inst, 'networkInterfaces');
    if (Array.isArray(enis)) {
      enis.forEach((eni, i) => {
        r.add('ip', pick(eni, 'privateIpAddress') as string, 'src', `detail.resource.instanceDetails.networkInterfaces[${i}].privateIpAddress`);
        r.add('hostname', pick(eni, 'privateDnsName') as string, 'src', `detail.resource.instanceDetails.networkInterfaces[${i}].privateDnsName`);
      });
    }
    // accessKeyDetails names who acted, on AccessKey findings and on S3 findings alike.
    const key = pick(d, 'resource.accessKeyDetails');
    const accessKeyId = r.str('detail.resource.accessKeyDetails.accessKeyId');
    const userName = r.str('detail.resource.accessKeyDetails.userName');
    const userType = r.str('detail.resource.accessKeyDetails.userType');
    r.add('cloud_resource', accessKeyId, 'actor', 'detail.resource.accessKeyDetails.accessKeyId');
    // The root user is named "Root": as a user entity it would join every case about a Unix root.
    if (userType !== 'Root') r.add('user', userName, 'actor', 'detail.resource.accessKeyDetails.userName');

    // The action: the remote side of a connection, a DNS query, an API caller.
    const at = 'detail.service.action';
    const action = pick(d, 'service.action');
    const remoteIp = (path: string, role: 'src' | 'dst' | 'actor', details = pick(action, path)) => {
      for (const v of ['ipAddressV4', 'ipAddressV6']) r.add('ip', pick(details, v) as string, role, `${at}.${path}.${v}`);
    };
    const inbound = pick(action, 'networkConnectionAction.connectionDirection') === 'INBOUND';
    remoteIp('networkConnectionAction.remoteIpDetails', inbound ? 'src' : 'dst');
    r.add('domain', pick(action, 'dnsRequestAction.domain') as string, 'dst', `${at}.dnsRequestAction.domain`);
    remoteIp('awsApiCallAction.remoteIpDetails', 'actor');
    const probes = pick(action, 'portProbeAction.portProbeDetails');
    if (Array.isArray(probes)) probes.forEach((p, i) => remoteIp(`portProbeAction.portProbeDetails[${i}].remoteIpDetails`, 'src', pick(p, 'remoteIpDetails')));
    const account = r.str('detail.accountId') ?? r.str('account');
    const region = r.str('detail.region') ?? r.str('region');
    r.check();
    return {
      alert: {
        sourceUid: id as string,
        time: time as string,
        severity_id: guarddutySeverity(severity as number),
        title: title as string,
        rule: { name: type as string, uid: type as string },
        observables: r.observables,
        cloud: awsCloud(account, region),
        ...(isObject(key) ? { principal: awsPrincipal(userType, userName, accessKeyId) } : {}),
      },
      ...(count !== undefined ? { occurrences: count } : {}),
    };
  },
  example: {
    version: '0',
    id: 'c8c4daa7-a20c-2f03-0070-b7393dd542ad',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: '123456789012',
    time: '2026-11-27T10:05:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      schemaVersion: '2.0',
      accountId: '123456789012',
      region: 'us-east-1',
      id: '96b9a5e5cd7a4d0b8a9d2c4e1f3b7a60',
      arn: 'arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d/finding/96b9a5e5cd7a4d0b8a9d2c4e1f3b7a60',
      type: 'Backdoor:EC2/C&CActivity.B!DNS',
      resource: {
        resourceType: 'Instance',
        instanceDetails: { instanceId: 'i-0a1b2c3d4e5f67890', networkInterfaces: [{ privateIpAddress: '10.0.1.23', privateDnsName: 'ip-10-0-1-23.ec2.internal' }] },
      },
      service: {
        serviceName: 'guardduty',
        action: { actionType: 'DNS_REQUEST', dnsRequestAction: { domain: 'c2-never-seen.test', protocol: 'UDP', blocked: false } },
        count: 3,
        eventFirstSeen: '2026-11-27T09:50:00Z',
        eventLastSeen: '2026-11-27T10:04:00Z',
      },
      severity: 8,
      createdAt: '2026-11-27T09:55:00Z',
      updatedAt: '2026-11-27T10:04:30Z',
      title: 'Command and Control server domain name queried by EC2 instance i-0a1b2c3d4e5f67890.',
      description: 'EC2 instance i-0a1b2c3d4e5f67890 is querying a domain name associated with a known Command & Control server.',
    },
  },
};
