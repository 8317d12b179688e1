// OCSF Detection Finding (class_uid 2004) → the native alert.
// Reads time, severity_id, finding_info.{uid,title,analytic}, observables[] and evidences[];
// everything else in the finding is accepted and ignored.
import { isIP } from 'node:net';
import type { NativeAlert, Observable, ObservableRole, ObservableType, SeverityId } from '../../core/alert.ts';
import { alertIdFor } from '../../domain/entities.ts';
import type { FieldError } from '../problem.ts';
import { createAjv, toFieldErrors } from '../openapi.ts';
import { OcsfDetectionFinding } from '../schemas.ts';
import { FormatError, type Normalized, type SourceAdapter } from './types.ts';

export class NormalizationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path} ${e.message}`).join('; '));
    this.name = 'NormalizationError';
  }
}

const TYPE_BY_ID: Record<number, ObservableType> = {
  1: 'hostname',
  2: 'ip',
  4: 'user',
  5: 'email',
  6: 'url',
  8: 'hash',
  10: 'cloud_resource',
};

/** Role from the attribute path the observable names, e.g. "evidences[0].dst_endpoint.ip". */
export function roleFromName(name: string): ObservableRole | undefined {
  if (/(^|\.)(src_endpoint|device)(\.|$)/.test(name)) return 'src';
  if (/(^|\.)(dst_endpoint|query|url)(\.|$)/.test(name)) return 'dst';
  if (/(^|\.)actor(\.|$)/.test(name)) return 'actor';
  return undefined;
}

export function normalizeOcsf(f: OcsfDetectionFinding, source = 'ocsf'): NativeAlert {
  return { id: alertIdFor(source, f.finding_info.uid), source, ...readOcsf(f) };
}

/** The OCSF fields Riposte reads, checked (types are already schema-valid). */
function readOcsf(f: OcsfDetectionFinding): Normalized['alert'] {
  const errors: FieldError[] = [];
  const observables: Observable[] = [];
  const add = (type: ObservableType, value: string | undefined, role: ObservableRole | undefined, path: string) => {
    if (value === undefined) return;
    const v = value.trim();
    if (type === 'ip' && isIP(v) === 0) {
      errors.push({ path, message: `is not an IP address ("${v.slice(0, 60)}")` });
      return;
    }
    // In OCSF a domain is a Hostname observable; on the remote side it is what we resolve and block.
    const t: ObservableType = type === 'hostname' && role === 'dst' ? 'domain' : type;
    const value_ = t === 'domain' || t === 'hostname' ? v.toLowerCase().replace(/\.$/, '') : v;
    if (!observables.some((o) => o.type === t && o.value === value_ && o.role === role)) {
      observables.push({ type: t, value: value_, ...(role ? { role } : {}) });
    }
  };

  (f.observables ?? []).forEach((o, i) => {
    const type = TYPE_BY_ID[o.type_id];
    if (type) add(type, o.value, roleFromName(o.name), `observables[${i}].value`);
  });
  (f.evidences ?? []).forEach((e, i) => {
    const p = `evidences[${i}]`;
    add('ip', e.src_endpoint?.ip, 'src', `${p}.src_endpoint.ip`);
    add('hostname', e.src_endpoint?.hostname ?? e.src_endpoint?.name, 'src', `${p}.src_endpoint.hostname`);
    add('cloud_resource', e.src_endpoint?.instance_uid, 'src', `${p}.src_endpoint.instance_uid`);
    add('ip', e.dst_endpoint?.ip, 'dst', `${p}.dst_endpoint.ip`);
    add('hostname', e.dst_endpoint?.hostname ?? e.dst_endpoint?.domain, 'dst', `${p}.dst_endpoint.hostname`);
    add('hostname', e.query?.hostname, 'dst', `${p}.query.hostname`);
    add('url', e.url?.url_string, 'dst', `${p}.url.url_string`);
    add('user', e.actor?.user?.name, 'actor', `${p}.actor.user.name`);
    add('email', e.actor?.user?.email_addr, 'actor', `${p}.actor.user.email_addr`);
  });
  if (errors.length > 0) throw new NormalizationError(errors);

  const analytic = f.finding_info.analytic;
  const ruleName = analytic?.name ?? f.finding_info.types?.[0];
  return {
    sourceUid: f.finding_info.uid,
    time: new Date(f.time).toISOString(),
    severity_id: f.severity_id as SeverityId,
    title: f.finding_info.title,
    ...(ruleName ? { rule: { name: ruleName, ...(analytic?.uid ? { uid: analytic.uid } : {}) } } : {}),
    observables,
  };
}

const validate = createAjv().compile<OcsfDetectionFinding>(OcsfDetectionFinding);

/** OCSF as a source (POST /v1/alerts/ocsf): one finding or an array of them. */
export const ocsf: SourceAdapter = {
  name: 'ocsf',
  title: 'OCSF Detection Finding (class_uid 2004) — the native format',
  docs: 'https://schema.ocsf.io/classes/detection_finding',
  canSign: true,
  schema: OcsfDetectionFinding,
  items(body) {
    const list = Array.isArray(body) ? body : [body];
    return list.map((value, i) => ({ value, at: Array.isArray(body) ? `[${i}]` : 'finding' }));
  },
  normalize(value) {
    if (!validate(value)) {
      throw new FormatError(toFieldErrors('body', validate.errors ?? []));
    }
    try {
      return { alert: readOcsf(value) };
    } catch (err) {
      if (err instanceof NormalizationError) throw new FormatError(err.errors);
      throw err;
    }
  },
  example: {
    class_uid: 2004,
    time: 1795795200000,
    severity_id: 4,
    finding_info: { uid: 'ndr-7f3a9c', title: 'Outbound beacon to suspected C2', analytic: { name: 'Periodic beacon to rare domain' } },
    evidences: [{ src_endpoint: { ip: '10.0.1.23', hostname: 'web-1' }, dst_endpoint: { ip: '203.0.113.7' }, query: { hostname: 'c2-never-seen.test' } }],
  },
};
