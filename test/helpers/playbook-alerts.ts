// One alert for each alert-started playbook, as its source would post it (path and body), unique
// per `n`: its own host, file, domain, instance or key. Used by the end-to-end test through
// `npm start` and by the playbook benchmark.
import { randomUUID } from 'node:crypto';
import { firstSeenFinding } from '../../activities/logstore/first-seen-source.ts';
import { fixture } from './fixtures.ts';

export interface PlaybookAlert {
  playbook: string;
  /** The approval it asks, when the verdict calls for one. */
  approval?: string;
  alert(n: number): { path: string; body: unknown };
}

const ip = (n: number, net: number) => `10.${net}.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;

export const PLAYBOOK_ALERTS: PlaybookAlert[] = [
  {
    playbook: 'suspected-c2',
    approval: 'contain-egress',
    alert: (n) => ({
      path: '/v1/alerts',
      body: {
        class_uid: 2004,
        time: Date.now(),
        severity_id: 4,
        finding_info: { uid: `c2-${randomUUID()}`, title: 'Outbound beacon to suspected C2', analytic: { name: 'Periodic beacon' } },
        evidences: [{ src_endpoint: { ip: ip(n, 60), hostname: `ws-c2-${n}.corp.test` }, dst_endpoint: { ip: `203.0.113.${(n % 250) + 1}` } }],
      },
    }),
  },
  {
    playbook: 'malware-on-endpoint',
    approval: 'isolate-host',
    alert: (n) => {
      const e = structuredClone(fixture<{ event: Record<string, unknown> }>('malware/falcon-detection.json'));
      const sha = randomUUID().replace(/-/g, '').repeat(2);
      // The file alone (no network activity): the C2 playbook has no remote side to act on.
      Object.assign(e.event, { ComputerName: `fin-ws-${n}`, UserName: `user-${n}`, SensorId: randomUUID().replace(/-/g, ''), QuarantineFiles: [], LocalIP: ip(n, 61), SHA256String: sha, IOCValue: sha, MD5String: '0'.repeat(32), SHA1String: '0'.repeat(40), DetectId: `ldt:${randomUUID()}`, NetworkAccesses: [], DnsRequests: [] });
      return { path: '/v1/alerts/crowdstrike', body: e };
    },
  },
  {
    playbook: 'never-seen-domain',
    alert: (n) => ({ path: '/v1/alerts', body: firstSeenFinding(`new-${n}-${randomUUID().slice(0, 8)}.corp-example.test`, { at: new Date().toISOString(), source: 'dnsmasq', host: ip(n, 62) }) }),
  },
  {
    playbook: 'aws-instance-compromise',
    approval: 'isolate-instance',
    alert: (n) => {
      const e = structuredClone(fixture<any>('sources/guardduty-ec2-c2-activity.json'));
      e.detail.id = randomUUID().replace(/-/g, '');
      e.detail.resource.instanceDetails.instanceId = `i-${n.toString(16).padStart(17, '0')}`;
      for (const eni of e.detail.resource.instanceDetails.networkInterfaces ?? []) Object.assign(eni, { privateIpAddress: ip(n, 63), privateDnsName: `ip-${ip(n, 63).replace(/\./g, '-')}.ec2.internal` });
      delete e.detail.service.action; // the instance alone: the C2 playbook has no remote side to act on
      return { path: '/v1/alerts/guardduty', body: e };
    },
  },
  {
    playbook: 'aws-credential-compromise',
    approval: 'deactivate-key',
    alert: (n) => {
      const e = structuredClone(fixture<any>('sources/guardduty-iam-malicious-ip-caller.json'));
      e.detail.id = randomUUID().replace(/-/g, '');
      e.detail.resource.accessKeyDetails.accessKeyId = `AKIA${n.toString().padStart(16, '0')}`;
      e.detail.resource.accessKeyDetails.userName = `iam-user-${n}`;
      e.detail.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 = `198.51.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
      return { path: '/v1/alerts/guardduty', body: e };
    },
  },
];
