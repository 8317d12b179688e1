// Riposte's own retro-hunt (the IOC sweep): every sighting of a known indicator in the estate's
// logs becomes an alert through the normal ingest path, so it lands in a case — with whatever else
// that host is doing — and the case's playbooks run (a C2 address → suspected-c2, a file hash →
// malware-on-endpoint). The worker posts with a `source` token. A sighting's id derives from what
// was seen where and when, so overlapping sweeps, or a retried post, never make a second alert.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import { RiposteRule } from '../../core/alert.ts';
import { FormatError, type SourceAdapter } from './types.ts';
import { isObject, pick, Reader } from './util.ts';

const TYPES = ['ip', 'domain', 'url', 'hash'] as const;

export const hunt: SourceAdapter = {
  name: 'hunt',
  title: 'Riposte IOC sweep sightings (scheduled retro-hunt)',
  docs: 'docs/playbooks/ioc-sweep.md',
  canSign: true,
  schema: Type.Object(
    {
      sweepId: Type.String({ maxLength: 256 }),
      sightings: Type.Array(
        Type.Object({
          indicator: Type.Object({ type: Type.Union(TYPES.map((t) => Type.Literal(t))), value: Type.String(), source: Type.String({ description: 'analyst, misp, otx, urlhaus' }) }),
          at: Type.String({ format: 'date-time' }),
          host: Type.Optional(Type.String({ description: 'The host that did it (a client address or name), when the log says' })),
          backend: Type.String(),
          where: Type.String(),
          excerpt: Type.String(),
        }),
        { maxItems: 1000 }
      ),
    },
    { description: 'One sweep\u2019s sightings; each becomes one alert (severity High for analysts\u2019 indicators, Medium for feeds\u2019).' }
  ),
  items(body) {
    const sightings = pick(body, 'sightings');
    if (!Array.isArray(sightings)) throw new FormatError([{ path: 'sightings', message: 'must be an array of sightings' }]);
    return sightings.map((value, i) => ({ value, at: `sightings[${i}]` }));
  },
  normalize(s) {
    if (!isObject(s)) throw new FormatError([{ path: '', message: 'must be a sighting object' }]);
    const r = new Reader(s);
    const type = r.str('indicator.type', { required: true });
    const value = r.str('indicator.value', { required: true });
    const source = r.str('indicator.source', { required: true });
    const at = r.time('at', { required: true });
    const backend = r.str('backend', { required: true });
    const where = r.str('where') ?? '';
    const host = r.str('host');
    if (type && !(TYPES as readonly string[]).includes(type)) r.errors.push({ path: 'indicator.type', message: `must be one of ${TYPES.join(', ')}` });
    if (value && type && (TYPES as readonly string[]).includes(type)) r.add(type as (typeof TYPES)[number], value, type === 'hash' ? undefined : 'dst', 'indicator.value');
    if (host) r.add(isIP(host) ? 'ip' : 'hostname', host, 'src', 'host');
    r.check();
    const uid = createHash('sha256').update([type, value, host ?? '', at, backend, where].join('|')).digest('hex').slice(0, 40);
    return {
      alert: {
        sourceUid: uid,
        time: at as string,
        severity_id: source === 'analyst' ? 4 : 3,
        title: `IOC sweep: ${source} indicator ${value} seen${host ? ` on ${host}` : ''} (${backend})`,
        rule: { name: `IOC sweep — ${source} indicator`, uid: RiposteRule.iocSweep.uid },
        observables: r.observables,
      },
    };
  },
  example: {
    sweepId: 'riposte-ioc-sweep-2026-11-28T10:00:00Z',
    sightings: [
      {
        indicator: { type: 'ip', value: '203.0.113.7', source: 'misp' },
        at: '2026-11-28T09:41:12.000Z',
        host: '10.0.1.23',
        backend: 'logstore',
        where: 'squid /var/log/squid/access.log',
        excerpt: '1795858872.000    120 10.0.1.23 TCP_MISS/200 5120 GET http://203.0.113.7/beacon - HIER_DIRECT/203.0.113.7 text/html',
      },
    ],
  },
};
