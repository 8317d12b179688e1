// Falco events as json_output writes them (stdout, file, falcosidekick webhook).
import { Type } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import type { SourceAdapter, SourceItem } from './types.ts';
import { ndjson, pick, Reader, severityFromWord } from './util.ts';

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
    { description: 'A Falco event. output_fields read: fd.cip, fd.sip, fd.sip.name, user.name, container.id.' }
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
    const fields = pick(e, 'output_fields') ?? {};
    r.field('hostname', 'hostname', 'src');
    // Falco's fd.cip/fd.sip are the connection's client and server ends.
    r.field('ip', 'fd.cip', 'src', fields);
    r.field('ip', 'fd.sip', 'dst', fields);
    r.field('domain', 'fd.sip.name', 'dst', fields);
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
        title: output.slice(0, 500),
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
