// The alert store's rows as both stores (SQLite, PostgreSQL) read them, and how a row becomes
// an alert: the columns are the same on both, times as ISO 8601 text, JSON as text.
import type { NativeAlert } from '../core/alert.ts';
import { AUTO_CLOSE_ACTOR } from '../core/triage.ts';
import type { CaseQuery, CaseTriage, CaseVerdict, StoredAlert, TriageAssessment } from './types.ts';

/** Every alert column but the raw payload, for reads that do not need it. */
export const ALERT_COLUMNS =
  'id, source, source_uid, fingerprint, time, severity_id, title, rule_name, rule_uid, observables, count, first_seen, last_seen, received_at, case_id, suppressed_by, status, context, triage';

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
  triage: string | null;
}

export interface CaseRow {
  id: string;
  title: string;
  severity_id: number;
  created_at: string;
  last_alert_at: string;
  alert_count: number;
  verdict: string | null;
  priority: number;
  triage: string | null;
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
    ...(row.triage ? { triage: JSON.parse(row.triage) as TriageAssessment } : {}),
  };
}

/** How each store's SQL differs where a case list is built. */
export interface CaseListDialect {
  /** The placeholder for the n-th parameter (1-based). */
  placeholder(n: number): string;
  /** `EXISTS (… WHERE a.case_id = cases.id AND <the observable's value>` — the caller closes it. */
  named: string;
  /** LIKE that ignores ASCII case. */
  like: string;
}

/**
 * The case list's SQL and parameters: newest first, or by triage priority (then newest), after a
 * cursor, narrowed by what the alert store knows.
 */
export function caseListQuery(q: CaseQuery, d: CaseListDialect): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => d.placeholder(params.push(v));
  const byPriority = q.sort === 'priority';
  if (q.before) {
    // Placeholders in the order they appear: SQLite's `?` are positional.
    const parts = q.before.split('|');
    const ranked = byPriority && parts.length === 3;
    const [at, id] = ranked ? parts.slice(1) : parts;
    const priority = ranked ? `(priority < ${p(Number(parts[0]))} OR (priority = ${p(Number(parts[0]))} AND ` : '';
    const newer = id ? `(created_at < ${p(at)} OR (created_at = ${p(at)} AND id < ${p(id)}))` : `created_at < ${p(at)}`;
    where.push(ranked ? `${priority}${newer}))` : newer);
  }
  if (q.since) where.push(`created_at >= ${p(q.since)}`);
  if (q.until) where.push(`created_at < ${p(q.until)}`);
  if (q.severityMin !== undefined) where.push(`severity_id >= ${p(q.severityMin)}`);
  if (q.source) where.push(`EXISTS (SELECT 1 FROM alerts a WHERE a.case_id = cases.id AND a.source = ${p(q.source)})`);
  if (q.entity) where.push(`${d.named} = ${p(q.entity.replace(/^[a-z]+:/, ''))})`);
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(title ${d.like} ${p(like)} ESCAPE '\\' OR ${d.named} ${d.like} ${p(like)} ESCAPE '\\'))`);
  }
  const order = byPriority ? 'priority DESC, created_at DESC, id DESC' : 'created_at DESC, id DESC';
  return { sql: `SELECT * FROM cases${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${p(q.limit)}`, params };
}

/** Where a case list continues after this case. */
export function caseCursor(c: { priority: number; createdAt: string; id: string }, sort: CaseQuery['sort']): string {
  return sort === 'priority' ? `${c.priority}|${c.createdAt}|${c.id}` : `${c.createdAt}|${c.id}`;
}

/** The case's triage columns from its alert's assessment (priority 0 and no triage without one). */
export function caseTriage(alertId: string, triage: TriageAssessment | undefined): { priority: number; triage: string | null } {
  return triage ? { priority: triage.priority, triage: JSON.stringify({ ...triage, alertId }) } : { priority: 0, triage: null };
}

/** A case row's triage fields for StoredCase. */
export function rowTriage(row: CaseRow): { priority: number; triage?: CaseTriage } {
  return { priority: Number(row.priority ?? 0), ...(row.triage ? { triage: JSON.parse(row.triage) as CaseTriage } : {}) };
}

/**
 * An auto-closable alert (its triage says so) is not dispatched when it opens a case — the case is
 * opened closed, with this verdict — or when it joins a case auto-close opened.
 */
export function autoCloseVerdict(triage: TriageAssessment, now: string): string {
  const verdict: CaseVerdict = { verdict: 'false_positive', by: AUTO_CLOSE_ACTOR, at: now, comment: `false-positive likelihood ${Math.round(triage.fpLikelihood * 100)}%: ${triage.fpBasis}` };
  return JSON.stringify(verdict);
}

/** Whether a case's stored verdict is auto-close's. */
export const closedByAutoClose = (verdict: string | null | undefined): boolean => Boolean(verdict && (JSON.parse(verdict) as CaseVerdict).by === AUTO_CLOSE_ACTOR);
