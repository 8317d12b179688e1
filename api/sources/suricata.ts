// Suricata EVE JSON `alert` events: one object, a JSON array, or NDJSON lines straight from
// eve.json. Non-alert events (flow, dns, stats) on the same stream are refused one by one.
import { Type } from '@sinclair/typebox';
import type { SeverityId } from '../../core/alert.ts';
import type { SourceAdapter, SourceItem } from './types.ts';
import { ndjson, pick, Reader } from './util.ts';

/** EVE severity 1 is the highest (the classification's priority). */
export function suricataSeverity(s: number | undefined): SeverityId {
  return s === undefined ? 0 : s <= 1 ? 4 : s === 2 ? 3 : s === 3 ? 2 : 1;
}

export const suricata: SourceAdapter = {
  name: 'suricata',
  title: 'Suricata EVE JSON alert events (one object, an array, or NDJSON)',
  docs: 'https://docs.suricata.io/en/latest/output/eve/eve-json-format.html',
  canSign: true,
  lines: true,
  schema: Type.Object(
    {
      timestamp: Type.String(),
      event_type: Type.Literal('alert'),
      src_ip: Type.String(),
      dest_ip: Type.String(),
      alert: Type.Object({ signature: Type.String(), signature_id: Type.Integer(), gid: Type.Optional(Type.Integer()), rev: Type.Optional(Type.Integer()), severity: Type.Optional(Type.Integer()) }),
    },
    { description: 'An EVE alert event; send several as a JSON array or as NDJSON (Content-Type: application/x-ndjson).' }
  ),
  items(body, text): SourceItem[] {
    if (body === undefined) return ndjson(text);
    return Array.isArray(body) ? body.map((value, i) => ({ value, at: `[${i}]` })) : [{ value: body, at: 'event' }];
  },
  normalize(e) {
    const r = new Reader(e);
    if (pick(e, 'event_type') !== 'alert') r.errors.push({ path: 'event_type', message: `must be "alert" (got ${JSON.stringify(pick(e, 'event_type'))})` });
    const time = r.time('timestamp', { required: true });
    const signature = r.str('alert.signature', { required: true });
    const sid = r.num('alert.signature_id', { required: true });
    const gid = r.num('alert.gid') ?? 1;
    const rev = r.num('alert.rev') ?? 1;
    r.field('ip', 'src_ip', 'src');
    r.field('ip', 'dest_ip', 'dst');
    const queries = pick(e, 'dns.query');
    if (Array.isArray(queries)) queries.forEach((q, i) => r.add('domain', pick(q, 'rrname') as string, 'dst', `dns.query[${i}].rrname`));
    r.field('domain', 'dns.rrname', 'dst');
    r.field('domain', 'http.hostname', 'dst');
    r.field('domain', 'tls.sni', 'dst');
    const host = pick(e, 'http.hostname');
    const url = pick(e, 'http.url');
    if (typeof host === 'string' && typeof url === 'string') r.add('url', `http://${host}${url}`, 'dst', 'http.url');
    r.field('hash', 'fileinfo.sha256');
    for (const key of ['flow_id', 'tx_id']) {
      const v = pick(e, key);
      if (v !== undefined && typeof v !== 'number' && typeof v !== 'string') r.errors.push({ path: key, message: 'must be a number' });
    }
    r.check();
    // EVE has no event id; flow, transaction, rule and time together name one alert.
    const uid = [pick(e, 'flow_id') ?? '', pick(e, 'tx_id') ?? '', `${gid}:${sid}:${rev}`, time].join('/');
    return {
      alert: {
        sourceUid: uid,
        time: time as string,
        severity_id: suricataSeverity(r.num('alert.severity')),
        title: signature as string,
        rule: { name: signature as string, uid: `${gid}:${sid}:${rev}` },
        observables: r.observables,
      },
    };
  },
  example: {
    timestamp: '2026-11-27T10:07:12.000000+0000',
    flow_id: 2747785617,
    in_iface: 'eth0',
    event_type: 'alert',
    src_ip: '10.0.1.23',
    src_port: 40000,
    dest_ip: '10.0.0.2',
    dest_port: 53,
    proto: 'UDP',
    tx_id: 0,
    alert: { action: 'allowed', gid: 1, signature_id: 9000001, rev: 1, signature: 'IR-TEST never-seen domain lookup', category: 'A Network Trojan was detected', severity: 1 },
    dns: { version: 2, query: [{ type: 'query', id: 4660, rrname: 'x.c2-never-seen.test', rrtype: 'A', tx_id: 0, opcode: 0 }] },
    app_proto: 'dns',
  },
};
