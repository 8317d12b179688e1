// Splunk "webhook" alert action: the search's first result row, with the job id (sid).
// Splunk cannot sign: send a `source` bearer token (Splunk's built-in webhook cannot add headers,
// so use an alert action that can, or a proxy that adds it).
import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import type { SourceAdapter } from './types.ts';
import { isObject, pick, Reader, severityFromWord } from './util.ts';

export const splunk: SourceAdapter = {
  name: 'splunk',
  title: 'Splunk webhook alert action',
  docs: 'https://docs.splunk.com/Documentation/Splunk/latest/Alert/Webhooks',
  canSign: false,
  schema: Type.Object(
    {
      sid: Type.String(),
      search_name: Type.Union([Type.String(), Type.Null()]),
      result: Type.Record(Type.String(), Type.Unknown()),
      results_link: Type.Optional(Type.String()),
      owner: Type.Optional(Type.String()),
      app: Type.Optional(Type.String()),
    },
    { description: 'The webhook body. Fields read from result (CIM names): src/src_ip, dest/dest_ip, host, user, url, query, file_hash, severity/urgency, _time.' }
  ),
  items(body) {
    return [{ value: body, at: 'body' }];
  },
  normalize(b) {
    const r = new Reader(b);
    const sid = r.str('sid', { required: true });
    const result = pick(b, 'result');
    if (!isObject(result)) r.errors.push({ path: 'result', message: 'must be the first result row (an object)' });
    const name = r.str('search_name') ?? 'Splunk alert';
    const time = r.time('result._time') ?? new Date().toISOString();
    const ipOrHost = (path: string, role: 'src' | 'dst') => {
      const v = r.str(path);
      if (v) r.add(isIP(v) ? 'ip' : role === 'src' ? 'hostname' : 'domain', v, role, path);
    };
    ipOrHost('result.src_ip', 'src');
    ipOrHost('result.src', 'src');
    ipOrHost('result.dest_ip', 'dst');
    ipOrHost('result.dest', 'dst');
    r.field('hostname', 'result.host', 'src');
    r.field('user', 'result.user', 'actor');
    r.field('url', 'result.url', 'dst');
    r.field('domain', 'result.query', 'dst');
    r.field('hash', 'result.file_hash');
    r.check();
    return {
      alert: {
        sourceUid: sid as string,
        time,
        severity_id: severityFromWord(r.str('result.severity') ?? r.str('result.urgency')),
        title: name,
        rule: { name },
        observables: r.observables,
      },
    };
  },
  example: {
    result: { _time: '1795827000', src_ip: '10.0.1.23', dest: '203.0.113.7', host: 'web-1', query: 'c2-never-seen.test', severity: 'high', count: '14' },
    sid: 'scheduler__admin__search__RMD5a1b2c3d4e5f6_at_1795827000_1234',
    results_link: 'https://splunk.corp.test:8000/app/search/search?q=%7Cloadjob%20scheduler__admin__search__RMD5a1b2c3d4e5f6_at_1795827000_1234',
    search_name: 'Outbound beacon to rare domain',
    owner: 'admin',
    app: 'search',
  },
};
