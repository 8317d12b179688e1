// CrowdStrike Falcon event stream detections: DetectionSummaryEvent (legacy) and
// EppDetectionSummaryEvent (current; Severity on a 0–100 scale).
import { Type } from '@sinclair/typebox';
import type { SeverityId } from '../../core/alert.ts';
import { FormatError, type SourceAdapter } from './types.ts';
import { isObject, pick, Reader, severityFromWord } from './util.ts';

const KINDS = ['detectionsummaryevent', 'eppdetectionsummaryevent'];

/** SeverityName when present; else 1–5 (legacy) or 0–100 (Epp). */
export function crowdstrikeSeverity(name: string | undefined, n: number | undefined): SeverityId {
  const byName = severityFromWord(name);
  if (byName) return byName;
  if (n === undefined) return 0;
  if (n <= 5) return Math.max(1, Math.round(n)) as SeverityId;
  return n >= 80 ? 5 : n >= 60 ? 4 : n >= 40 ? 3 : n >= 20 ? 2 : 1;
}

export const crowdstrike: SourceAdapter = {
  name: 'crowdstrike',
  title: 'CrowdStrike Falcon event stream (DetectionSummaryEvent, EppDetectionSummaryEvent)',
  docs: 'https://www.elastic.co/docs/reference/beats/filebeat/exported-fields-crowdstrike',
  canSign: true,
  schema: Type.Object(
    {
      metadata: Type.Object({ eventType: Type.String(), eventCreationTime: Type.Integer(), offset: Type.Optional(Type.Integer()) }),
      event: Type.Record(Type.String(), Type.Unknown()),
    },
    { description: 'One event-stream event, or an array of them.' }
  ),
  items(body) {
    const list = Array.isArray(body) ? body : [body];
    return list.map((value, i) => ({ value, at: Array.isArray(body) ? `[${i}]` : 'event' }));
  },
  normalize(m) {
    const r = new Reader(m);
    const kind = r.str('metadata.eventType', { required: true });
    if (kind && !KINDS.includes(kind.toLowerCase())) {
      throw new FormatError([{ path: 'metadata.eventType', message: `must be DetectionSummaryEvent or EppDetectionSummaryEvent (got "${kind}")` }]);
    }
    const e = pick(m, 'event');
    if (!isObject(e)) throw new FormatError([{ path: 'event', message: 'must be an object' }]);
    const epp = kind?.toLowerCase() === 'eppdetectionsummaryevent';
    const id = epp ? r.str('event.CompositeId', { required: true }) : r.str('event.DetectId', { required: true });
    const name = (epp ? r.str('event.Name') : r.str('event.DetectName')) ?? r.str('event.Technique') ?? 'Falcon detection';
    const time = r.time('metadata.eventCreationTime', { required: true, unit: 'ms' });
    r.add('hostname', r.str(epp ? 'event.Hostname' : 'event.ComputerName'), 'src', epp ? 'event.Hostname' : 'event.ComputerName');
    r.field('ip', 'event.LocalIP', 'src');
    r.field('ip', 'event.LocalIPv6', 'src');
    r.field('user', 'event.UserName', 'actor');
    // The detected file; the sensor sends all-zero hashes for those it did not compute.
    r.field('hash', 'event.SHA256String');
    r.field('hash', 'event.MD5String');
    r.field('hash', 'event.SHA1String');
    const quarantined = pick(e, 'QuarantineFiles');
    if (Array.isArray(quarantined)) quarantined.forEach((q, i) => r.add('hash', pick(q, 'SHA256HashData') as string, undefined, `event.QuarantineFiles[${i}].SHA256HashData`));
    r.add('cloud_resource', r.str(epp ? 'event.AgentId' : 'event.SensorId'), 'src', epp ? 'event.AgentId' : 'event.SensorId');
    const net = pick(e, 'NetworkAccesses');
    if (Array.isArray(net)) {
      net.forEach((n, i) => {
        // ConnectionDirection 0 is outbound, 1 inbound.
        const inbound = pick(n, 'ConnectionDirection') === 1;
        r.add('ip', pick(n, 'RemoteAddress') as string, inbound ? 'src' : 'dst', `event.NetworkAccesses[${i}].RemoteAddress`);
      });
    }
    const dns = pick(e, 'DnsRequests');
    if (Array.isArray(dns)) dns.forEach((d, i) => r.add('domain', pick(d, 'DomainName') as string, 'dst', `event.DnsRequests[${i}].DomainName`));
    // The indicator that matched: a remote domain or address, or the file's hash.
    const ioc = String(pick(e, 'IOCType') ?? '').toLowerCase();
    if (ioc === 'domain') r.field('domain', 'event.IOCValue', 'dst');
    if (ioc === 'ipv4' || ioc === 'ipv6') r.field('ip', 'event.IOCValue', 'dst');
    if (ioc.startsWith('hash_')) r.field('hash', 'event.IOCValue');
    r.check();
    const description = r.str(epp ? 'event.Description' : 'event.DetectDescription');
    const technique = r.str('event.Technique');
    return {
      alert: {
        sourceUid: id as string,
        time: time as string,
        severity_id: crowdstrikeSeverity(r.str('event.SeverityName'), r.num('event.Severity')),
        title: description ? `${name}: ${description}` : name,
        rule: { name, ...(technique ? { uid: `${r.str('event.Tactic') ?? ''}/${technique}` } : {}) },
        observables: r.observables,
      },
    };
  },
  example: {
    metadata: { customerIDString: 'c0ffee00c0ffee00c0ffee00c0ffee00', offset: 1532939, eventType: 'EppDetectionSummaryEvent', eventCreationTime: 1795828200000, version: '1.0' },
    event: {
      Hostname: 'web-1',
      UserName: 'www-data',
      Name: 'Suspicious Activity',
      Description: 'A process made a connection to a known command and control server.',
      Severity: 70,
      SeverityName: 'High',
      FileName: 'curl',
      FilePath: '/usr/bin/curl',
      CommandLine: 'curl -s https://c2-never-seen.test/beacon',
      SHA256String: '29aa689f38158d2e8941fa54e436f0260890af31cecad1e8799e5c2df7bc1ecc',
      AgentId: 'c8d1292a8a904216aa25ab728f4b45fd',
      CompositeId: 'c0ffee00c0ffee00c0ffee00c0ffee00:ind:c8d1292a8a904216aa25ab728f4b45fd:43185188660-10197-561424',
      LocalIP: '10.0.1.23',
      Tactic: 'Command and Control',
      Technique: 'Application Layer Protocol',
      IOCType: 'domain',
      IOCValue: 'c2-never-seen.test',
      FalconHostLink: 'https://falcon.crowdstrike.com/activity-v2/detections/c0ffee00:ind:c8d1292a:43185188660-10197-561424',
    },
  },
};
