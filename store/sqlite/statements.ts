// The alert store's prepared statements, one place for every query it runs often.
import type Database from 'better-sqlite3';
import { ALERT_COLUMNS, type AlertRow, type CaseRow } from '../rows.ts';

export function prepareStatements(db: Database.Database) {
  return {
    uid: db.prepare<[string, string], { alert_id: string; occurrences: number | null; status: string | null }>(
      'SELECT alert_id, occurrences, status FROM alert_uids WHERE source = ? AND uid = ?'
    ),
    insertUid: db.prepare('INSERT INTO alert_uids (source, uid, alert_id, occurrences, status) VALUES (?, ?, ?, ?, ?)'),
    updateUid: db.prepare('UPDATE alert_uids SET occurrences = ?, status = ? WHERE source = ? AND uid = ?'),
    own: db.prepare<[string, string, string], { alert_id: string; occurrences: number | null; status: string | null }>(
      'SELECT id AS alert_id, occurrences, status FROM alerts WHERE id = ? AND source = ? AND source_uid = ?'
    ),
    updateOwn: db.prepare('UPDATE alerts SET occurrences = ? WHERE id = ?'),
    alert: db.prepare<[string], AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ?`),
    alertsSince: db.prepare<[string, number], AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE received_at >= ? ORDER BY rowid DESC LIMIT ?`),
    alertsByIds: db.prepare<[string], AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id IN (SELECT value FROM json_each(?))`),
    repeatOf: db.prepare<[string, string], { id: string; case_id: string | null; suppressed_by: string | null }>(
      'SELECT id, case_id, suppressed_by FROM alerts WHERE fingerprint = ? AND last_received_at >= ? ORDER BY last_received_at DESC LIMIT 1'
    ),
    countRepeat: db.prepare(
      'UPDATE alerts SET count = count + ?, first_seen = min(first_seen, ?), last_seen = max(last_seen, ?), last_received_at = ? WHERE id = ?'
    ),
    setStatus: db.prepare('UPDATE alerts SET status = ?, last_seen = max(last_seen, ?), last_received_at = ? WHERE id = ?'),
    insertAlert: db.prepare(`INSERT INTO alerts (id, source, source_uid, fingerprint, time, severity_id, title, rule_name, rule_uid, observables,
      count, first_seen, last_seen, received_at, last_received_at, case_id, suppressed_by, status, raw, raw_truncated, occurrences, context, triage)
      VALUES (@id, @source, @source_uid, @fingerprint, @time, @severity_id, @title, @rule_name, @rule_uid, @observables,
      @count, @time, @time, @now, @now, @case_id, @suppressed_by, @status, @raw, @raw_truncated, @occurrences, @context, @triage)`),
    raw: db.prepare<[string], { raw: string; raw_truncated: number }>('SELECT raw, raw_truncated FROM alerts WHERE id = ?'),
    correlate: db.prepare<[string, string], { id: string; created_at: string }>(
      'SELECT c.id, c.created_at FROM case_entities e JOIN cases c ON c.id = e.case_id WHERE e.entity = ? AND e.last_seen >= ?'
    ),
    insertCase: db.prepare(
      'INSERT INTO cases (id, title, severity_id, created_at, last_alert_at, alert_count, priority, triage, verdict) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)'
    ),
    /** Counts an alert on its case; one that outranks the case's highest lends it its priority and triage. */
    touchCase: db.prepare(
      `UPDATE cases SET last_alert_at = @now, alert_count = alert_count + @added, severity_id = max(severity_id, @severity),
         triage = CASE WHEN @priority > priority THEN @triage ELSE triage END, priority = max(priority, @priority) WHERE id = @caseId`
    ),
    upsertEntity: db.prepare(
      `INSERT INTO case_entities (entity, case_id, last_seen) VALUES (?, ?, ?)
       ON CONFLICT (entity, case_id) DO UPDATE SET last_seen = excluded.last_seen`
    ),
    insertOutbox: db.prepare('INSERT INTO outbox (case_id, alert_id, kind, created_at, trace) VALUES (?, ?, ?, ?, ?)'),
    pendingCases: db.prepare<[], { case_id: string }>(
      'SELECT case_id FROM outbox WHERE dispatched_at IS NULL GROUP BY case_id ORDER BY min(seq)'
    ),
    pendingForCase: db.prepare<[string, number], { seq: number; case_id: string; alert_id: string; kind: string; trace: string | null; created_at: string }>(
      'SELECT seq, case_id, alert_id, kind, trace, created_at FROM outbox WHERE dispatched_at IS NULL AND case_id = ? ORDER BY seq LIMIT ?'
    ),
    markDispatched: db.prepare('UPDATE outbox SET dispatched_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND dispatched_at IS NULL'),
    countPending: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL'),
    countAlerts: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM alerts'),
    request: db.prepare<[string], { key: string; body_sha: string; status: number; body: string }>('SELECT * FROM requests WHERE key = ?'),
    insertRequest: db.prepare('INSERT OR IGNORE INTO requests (key, body_sha, status, body, created_at) VALUES (?, ?, ?, ?, ?)'),
    case: db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE id = ?'),
    caseEntities: db.prepare<[string], { entity: string }>('SELECT entity FROM case_entities WHERE case_id = ? ORDER BY entity'),
    caseAlerts: db.prepare<[string, number], AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE case_id = ? ORDER BY received_at LIMIT ?`),
    firstAlerts: db.prepare<[string], AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE id IN (SELECT (SELECT id FROM alerts f WHERE f.case_id = c.value ORDER BY received_at LIMIT 1) FROM json_each(?) c)`
    ),
    setVerdict: db.prepare('UPDATE cases SET verdict = ? WHERE id = ?'),
    caseVerdict: db.prepare<[string], { verdict: string | null }>('SELECT verdict FROM cases WHERE id = ?'),
    clearVerdict: db.prepare('UPDATE cases SET verdict = NULL WHERE id = ?'),
    caseAlertIds: db.prepare<[string, number], { id: string }>('SELECT id FROM alerts WHERE case_id = ? ORDER BY received_at LIMIT ?'),
    verdictsSince: db.prepare<[string, number], { id: string; verdict: string }>(
      'SELECT id, verdict FROM (SELECT id, verdict, last_alert_at FROM cases WHERE verdict IS NOT NULL AND last_alert_at >= ? ORDER BY last_alert_at DESC LIMIT ?) ORDER BY last_alert_at'
    ),
    suppressions: db.prepare<[], { rule: string }>('SELECT rule FROM suppressions'),
    suppression: db.prepare<[string], { rule: string }>('SELECT rule FROM suppressions WHERE id = ?'),
    saveSuppression: db.prepare('INSERT INTO suppressions (id, rule) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET rule = excluded.rule'),
    pruneRequests: db.prepare('DELETE FROM requests WHERE created_at < ?'),
    pruneEntities: db.prepare('DELETE FROM case_entities WHERE last_seen < ?'),
    pruneOutbox: db.prepare('DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < ? AND seq < (SELECT max(seq) FROM outbox)'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
