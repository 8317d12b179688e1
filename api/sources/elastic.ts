// Elastic Security detection alerts (the .alerts-security.alerts-* documents): kibana.alert.*
// plus the ECS fields copied from the source event. Accepts a document, a search hit
// ({_id, _source}), or an array of either; keys may be nested or dotted.
import { Type } from '@sinclair/typebox';
import type { SourceAdapter } from './types.ts';
import { isObject, pick, Reader, severityFromWord } from './util.ts';

export const elastic: SourceAdapter = {
  name: 'elastic',
  title: 'Elastic Security detection alert document',
  docs: 'https://www.elastic.co/guide/en/security/current/alert-schema.html',
  canSign: true,
  schema: Type.Object(
    {
      '@timestamp': Type.String(),
      'kibana.alert.uuid': Type.String(),
      'kibana.alert.rule.name': Type.String(),
      'kibana.alert.severity': Type.Optional(Type.String()),
    },
    { description: 'An alert document (nested or dotted keys), a search hit, or an array of them. ECS fields read: host.name, host.ip, source.ip, destination.ip, destination.domain, dns.question.name, url.full, user.name, file/process/dll.hash.sha256/sha1/md5, cloud.instance.id.' }
  ),
  items(body) {
    const list = Array.isArray(body) ? body : [body];
    return list.map((v, i) => ({ value: isObject(v) && isObject(v._source) ? v._source : v, at: Array.isArray(body) ? `[${i}]` : 'document' }));
  },
  normalize(d) {
    const r = new Reader(d);
    const uuid = r.str('kibana.alert.uuid', { required: true });
    const name = r.str('kibana.alert.rule.name', { required: true });
    const time = r.time('kibana.alert.original_time') ?? r.time('@timestamp', { required: true });
    r.field('hostname', 'host.name', 'src');
    r.field('ip', 'host.ip', 'src');
    r.field('ip', 'source.ip', 'src');
    r.field('ip', 'destination.ip', 'dst');
    r.field('domain', 'destination.domain', 'dst');
    r.field('domain', 'dns.question.name', 'dst');
    r.field('url', 'url.full', 'dst');
    r.field('user', 'user.name', 'actor');
    // The file a malware alert is about, the process, and a loaded library (Elastic Defend).
    for (const object of ['file', 'process', 'dll']) for (const algo of ['sha256', 'sha1', 'md5']) r.field('hash', `${object}.hash.${algo}`);
    r.field('cloud_resource', 'cloud.instance.id', 'src');
    r.check();
    const ruleUid = r.str('kibana.alert.rule.rule_id') ?? r.str('kibana.alert.rule.uuid');
    return {
      alert: {
        sourceUid: uuid as string,
        time: time as string,
        severity_id: severityFromWord(r.str('kibana.alert.severity')),
        title: r.str('kibana.alert.reason') ?? (name as string),
        rule: { name: name as string, ...(ruleUid ? { uid: ruleUid } : {}) },
        observables: r.observables,
      },
      ...(pick(d, 'kibana.alert.workflow_status') === 'closed' ? { status: 'resolved' as const } : {}),
    };
  },
  example: {
    '@timestamp': '2026-11-27T10:09:00.000Z',
    'event.kind': 'signal',
    'kibana.alert.uuid': '0b7f3c1e9a7d4e52b6f0c2d8e4a1f9b3',
    'kibana.alert.original_time': '2026-11-27T10:08:41.000Z',
    'kibana.alert.rule.name': 'Connection to a rare domain',
    'kibana.alert.rule.rule_id': 'c2d1e6f0-0000-4000-8000-000000000042',
    'kibana.alert.rule.uuid': '6a1f9e70-3b1d-11ef-9c0e-2f7d5a8c1b11',
    'kibana.alert.severity': 'high',
    'kibana.alert.risk_score': 73,
    'kibana.alert.workflow_status': 'open',
    'kibana.alert.reason': 'network event with process curl, source 10.0.1.23:40312, destination 203.0.113.7:443, on web-1 created high alert Connection to a rare domain.',
    host: { name: 'web-1', ip: ['10.0.1.23'] },
    source: { ip: '10.0.1.23', port: 40312 },
    destination: { ip: '203.0.113.7', port: 443, domain: 'c2-never-seen.test' },
    process: { name: 'curl' },
    user: { name: 'www-data' },
  },
};
