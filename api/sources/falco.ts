// Falco events as json_output writes them (stdout, file, falcosidekick webhook).
import { Type } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { SourceAdapter, SourceItem } from './types.ts';
import { isObject, ndjson, pick, Reader, severityFromWord } from './util.ts';

/** fd.name of an IP socket, "client:port->server:port" ("[v6]:port" or "v6:port"), → its two addresses. */
export function falcoConnection(name: unknown): { client: string; server: string } | undefined {
  if (typeof name !== 'string') return undefined;
  const [a, b, ...rest] = name.split('->');
  if (!a || !b || rest.length) return undefined;
  const host = (end: string) => {
    const i = end.lastIndexOf(':');
    const h = i > 0 ? end.slice(0, i).replace(/^\[(.*)\]$/, '$1') : '';
    return isIP(h) ? h : undefined;
  };
  const client = host(a);
  const server = host(b);
  return client && server ? { client, server } : undefined;
}

export const falco: SourceAdapter = {
  name: 'falco',
  title: 'Falco event (json_output; one object, an array, or NDJSON)',
  docs: 'https://falco.org/docs/concepts/outputs/formatting/',
  canSign: true,
  lines: true,
  schema: Type.Object(
    {
      time: Type.String(),
      rule: Type.String(),
      priority: Type.String({ description: 'Emergency … Debug' }),
      output: Type.String(),
      output_fields: Type.Record(Type.String(), Type.Unknown()),
      hostname: Type.Optional(Type.String()),
      uuid: Type.Optional(Type.String()),
    },
    { description: 'A Falco event. output_fields read: fd.cip, fd.sip, fd.sip.name, fd.name, fd.rip, fd.rip.name, fd.lip, evt.type, user.name, container.id.' }
  ),
  items(body, text): SourceItem[] {
    if (body === undefined) return ndjson(text);
    return Array.isArray(body) ? body.map((value, i) => ({ value, at: `[${i}]` })) : [{ value: body, at: 'event' }];
  },
  normalize(e) {
    const r = new Reader(e);
    const time = r.time('time', { required: true });
    const rule = r.str('rule', { required: true });
    const priority = r.str('priority', { required: true });
    const output = r.str('output') ?? rule ?? '';
    // Falco prints fields it has no value for (an address on a non-IP socket) as "<NA>" or null.
    const given = pick(e, 'output_fields');
    const fields = isObject(given) ? Object.fromEntries(Object.entries(given).filter(([, v]) => v !== null && v !== '<NA>')) : {};
    r.field('hostname', 'hostname', 'src');
    // Falco's fd.cip/fd.sip are the connection's client and server ends; most stock rules print
    // only fd.name ("client:port->server:port"), some the remote end (fd.rip) and local (fd.lip).
    const conn = falcoConnection(pick(fields, 'fd.name'));
    r.field('ip', 'fd.cip', 'src', fields);
    r.field('ip', 'fd.sip', 'dst', fields);
    if (conn && pick(fields, 'fd.cip') === undefined) r.add('ip', conn.client, 'src', 'output_fields.fd.name');
    if (conn && pick(fields, 'fd.sip') === undefined) r.add('ip', conn.server, 'dst', 'output_fields.fd.name');
    r.field('domain', 'fd.sip.name', 'dst', fields);
    // The remote end is the destination, unless this host accepted the connection.
    const accepted = /^accept/.test(String(pick(fields, 'evt.type') ?? ''));
    r.field('ip', 'fd.rip', accepted ? 'src' : 'dst', fields);
    r.field('domain', 'fd.rip.name', accepted ? 'src' : 'dst', fields);
    r.field('ip', 'fd.lip', accepted ? 'dst' : 'src', fields);
    r.field('user', 'user.name', 'actor', fields);
    const container = pick(fields, 'container.id');
    if (typeof container === 'string' && container !== 'host') r.add('cloud_resource', container, 'src', 'output_fields.container.id');
    r.check();
    const uid = r.str('uuid') ?? createHash('sha256').update(`${time}\n${rule}\n${r.str('hostname') ?? ''}\n${output}`).digest('hex');
    return {
      alert: {
        sourceUid: uid,
        time: time as string,
        severity_id: severityFromWord(priority),
        title: output,
        rule: { name: rule as string },
        observables: r.observables,
      },
    };
  },
  example: {
    uuid: '5e0b1c3a-8f2d-4e6b-9a7c-1d2e3f4a5b6c',
    output: '10:12:03.123456789: Warning Outbound connection to a C2 server (command=curl -s https://c2-never-seen.test connection=10.0.1.23:40000->203.0.113.7:443 user=www-data container_id=host)',
    priority: 'Warning',
    rule: 'Outbound Connection to C2 Servers',
    time: '2026-11-27T10:12:03.123456789Z',
    source: 'syscall',
    tags: ['network', 'mitre_command_and_control'],
    hostname: 'web-1',
    output_fields: { 'proc.cmdline': 'curl -s https://c2-never-seen.test', 'fd.cip': '10.0.1.23', 'fd.sip': '203.0.113.7', 'fd.sport': 443, 'user.name': 'www-data', 'container.id': 'host' },
  },
};
