// OCSF findings and native alerts for tests, built the way a source would send them.
import { randomUUID } from 'node:crypto';
import type { NativeAlert } from '../../core/alert.ts';
import { normalizeOcsf } from '../../api/sources/ocsf.ts';
import type { OcsfDetectionFinding } from '../../api/schemas.ts';
import type { PlaybookInput } from '../../workflows/definitions.ts';

export interface C2FindingOptions {
  uid?: string;
  severity_id?: number;
  hostIp?: string;
  hostname?: string;
  remoteIp?: string;
  domain?: string;
}

export function c2Finding(o: C2FindingOptions = {}): OcsfDetectionFinding {
  return {
    class_uid: 2004,
    time: Date.parse('2026-11-27T10:00:00Z'),
    severity_id: (o.severity_id ?? 4) as OcsfDetectionFinding['severity_id'],
    finding_info: { uid: o.uid ?? `test-${randomUUID()}`, title: 'Outbound beacon to suspected C2', analytic: { name: 'Periodic beacon' } },
    evidences: [
      {
        src_endpoint: { ...(o.hostIp !== undefined ? { ip: o.hostIp } : { ip: '10.20.0.5' }), hostname: o.hostname ?? 'web-1.corp.test' },
        ...(o.remoteIp !== undefined || o.domain === undefined ? { dst_endpoint: { ip: o.remoteIp ?? '203.0.113.7' } } : {}),
        ...(o.domain ? { query: { hostname: o.domain } } : {}),
      },
    ],
  };
}

export function c2Alert(o: C2FindingOptions = {}): NativeAlert {
  return normalizeOcsf(c2Finding(o));
}

export function playbookInput(alert: NativeAlert, settings: Partial<PlaybookInput['settings']> = {}): PlaybookInput {
  return {
    caseId: `cs_${alert.id.slice(3)}`,
    alert,
    settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', ...settings },
  };
}
