// The alert store's rows as both stores (SQLite, PostgreSQL) read them, and how a row becomes
// an alert: the columns are the same on both, times as ISO 8601 text, JSON as text.
import type { NativeAlert } from '../core/alert.ts';
import type { StoredAlert } from './types.ts';

/** Every alert column but the raw payload, for reads that do not need it. */
export const ALERT_COLUMNS =
  'id, source, source_uid, fingerprint, time, severity_id, title, rule_name, rule_uid, observables, count, first_seen, last_seen, received_at, case_id, suppressed_by, status, context';

export interface AlertRow {
  id: string;
  source: string;
  source_uid: string;
  fingerprint: string;
  time: string;
  severity_id: number;
  title: string;
  rule_name: string | null;
  rule_uid: string | null;
  observables: string;
  context: string | null;
  count: number;
  first_seen: string;
  last_seen: string;
  received_at: string;
  case_id: string | null;
  suppressed_by: string | null;
  status: string | null;
}

export interface CaseRow {
  id: string;
  title: string;
  severity_id: number;
  created_at: string;
  last_alert_at: string;
  alert_count: number;
  verdict: string | null;
}

export function toAlert(row: AlertRow): StoredAlert {
  const alert: NativeAlert = {
    id: row.id,
    source: row.source,
    sourceUid: row.source_uid,
    time: row.time,
    severity_id: row.severity_id as NativeAlert['severity_id'],
    title: row.title,
    ...(row.rule_name ? { rule: { name: row.rule_name, ...(row.rule_uid ? { uid: row.rule_uid } : {}) } } : {}),
    observables: JSON.parse(row.observables) as NativeAlert['observables'],
    ...(row.context ? (JSON.parse(row.context) as Pick<NativeAlert, 'cloud' | 'principal'>) : {}),
  };
  return {
    ...alert,
    count: row.count,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    caseId: row.case_id,
    suppressedBy: row.suppressed_by,
    ...(row.status ? { status: row.status as 'firing' | 'resolved' } : {}),
    receivedAt: row.received_at,
    fingerprint: row.fingerprint,
  };
}
