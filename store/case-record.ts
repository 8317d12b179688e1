// The case record: every fact of every case, append-only, in a SQLite file of its own
// (cases.db in the data directory). The worker appends what playbooks find and do (through the
// caseRecordAppend activity); the API appends what people do and reads cases from here, so a
// case reads the same with no worker running and after Temporal has dropped its history.
// Synchronous and small: a write is one short transaction, a read one indexed range.
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openSharedFile } from './shared-file.ts';
import type { CaseEvent, StoredCaseEvent } from '../core/case-events.ts';

const MIGRATIONS = [
  `
  CREATE TABLE case_events (
    seq INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    run TEXT,
    n INTEGER,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX case_events_case ON case_events(case_id, seq);
  `,
  // Each approval's latest status, kept with every append: "how many wait" without a scan.
  `
  CREATE TABLE record_approvals (
    case_id TEXT NOT NULL,
    approval_id TEXT NOT NULL,
    run TEXT,
    status TEXT NOT NULL,
    PRIMARY KEY (case_id, approval_id)
  );
  CREATE INDEX record_approvals_status ON record_approvals(status);
  INSERT OR REPLACE INTO record_approvals
    SELECT case_id, json_extract(data, '$.item.id'), run, json_extract(data, '$.item.status') FROM case_events
    WHERE kind IN ('approval.asked', 'approval.updated') ORDER BY seq;
  `,
  // Each run's start and end, kept with every append: "which runs are still open" without a scan.
  `
  CREATE TABLE record_runs (
    run TEXT NOT NULL PRIMARY KEY,
    case_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    closed_at TEXT
  );
  CREATE INDEX record_runs_open ON record_runs(started_at) WHERE closed_at IS NULL;
  CREATE INDEX case_events_run ON case_events(run, n) WHERE run IS NOT NULL;
  INSERT OR IGNORE INTO record_runs (run, case_id, started_at) SELECT run, case_id, at FROM case_events WHERE kind = 'run.started' AND run IS NOT NULL;
  UPDATE record_runs SET closed_at = (SELECT max(at) FROM case_events e WHERE e.run = record_runs.run AND e.kind = 'run.closed');
  `,
];

interface EventRow {
  seq: number;
  case_id: string;
  key: string;
  run: string | null;
  n: number | null;
  at: string;
  kind: string;
  actor: string | null;
  data: string;
}

export function caseRecordFile(dataDir: string): string {
  return path.join(dataDir, 'cases.db');
}

export interface CaseRecordStore {
  /** Appends facts to a case; one whose key is already there is skipped. Returns how many were new. */
  append(caseId: string, events: CaseEvent[]): Promise<number>;
  /** Every fact of a case, in the order they were appended. */
  events(caseId: string): Promise<StoredCaseEvent[]>;
  /** The facts of several cases at once (a page of the case list), grouped by case. */
  eventsOfCases(caseIds: string[]): Promise<Map<string, StoredCaseEvent[]>>;
  /** Whether the case has a fact at or after `since` (a case still being worked keeps its record). */
  activeSince(caseId: string, since: string): Promise<boolean>;
  /** Deletes every fact of these cases (the record's retention ended for them). */
  deleteCases(ids: string[]): Promise<number>;
  /** Whether a fact with this key is in the record (a one-off fact: an SLA breach, say). */
  has(key: string): Promise<boolean>;
  /** Runs the record has no end for, started before `before` (oldest first, at most `limit`). */
  openRuns(before: string, limit: number): Promise<Array<{ run: string; caseId: string; startedAt: string }>>;
  /** One run's facts, in its order. */
  runFacts(run: string): Promise<StoredCaseEvent[]>;
  /** Approvals waiting for an analyst, in every case. */
  pendingApprovals(): Promise<number>;
  /** A playbook run's first fact (its `run.started`), by its workflow ID. */
  runStarted(run: string): Promise<{ playbook: string; startedAt: string } | undefined>;
  /**
   * The cases with facts appended after `seq` (at most `limit`, oldest change first) and the
   * newest seq seen — what the console's live updates follow. Without `seq`: only the newest.
   */
  changedSince(seq: number | undefined, limit: number): Promise<{ seq: number; changes: Array<{ caseId: string; seq: number }> }>;
  close(): Promise<void>;
}

export class SqliteCaseRecordStore implements CaseRecordStore {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly appendTx: (caseId: string, events: CaseEvent[]) => number;

  constructor(readonly file: string) {
    // The API and the worker write this file from two processes.
    this.db = openSharedFile(file, MIGRATIONS);
    this.stmt = {
      insert: this.db.prepare(
        'INSERT INTO case_events (case_id, key, run, n, at, kind, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING'
      ),
      events: this.db.prepare<[string], EventRow>('SELECT * FROM case_events WHERE case_id = ? ORDER BY seq'),
      eventsOf: this.db.prepare<[string], EventRow>('SELECT * FROM case_events WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY seq'),
      approval: this.db.prepare('INSERT INTO record_approvals (case_id, approval_id, run, status) VALUES (?, ?, ?, ?) ON CONFLICT (case_id, approval_id) DO UPDATE SET status = excluded.status'),
      pending: this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM record_approvals WHERE status = 'pending'"),
      newest: this.db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM case_events'),
      changed: this.db.prepare<[number, number], { case_id: string; seq: number }>('SELECT case_id, max(seq) AS seq FROM case_events WHERE seq > ? GROUP BY case_id ORDER BY 2 LIMIT ?'),
      first: this.db.prepare<[string], EventRow>('SELECT * FROM case_events WHERE key = ?'),
      runStarted: this.db.prepare('INSERT OR IGNORE INTO record_runs (run, case_id, started_at) VALUES (?, ?, ?)'),
      runClosed: this.db.prepare('UPDATE record_runs SET closed_at = ? WHERE run = ?'),
      openRuns: this.db.prepare<[string, number], { run: string; case_id: string; started_at: string }>(
        'SELECT run, case_id, started_at FROM record_runs WHERE closed_at IS NULL AND started_at < ? ORDER BY started_at LIMIT ?'
      ),
      runEvents: this.db.prepare<[string], EventRow>('SELECT * FROM case_events WHERE run = ? ORDER BY n, seq'),
    };
    this.appendTx = this.db.transaction((caseId: string, events: CaseEvent[]) => {
      let added = 0;
      for (const e of events) {
        const changes = this.stmt.insert.run(caseId, e.key, e.run ?? null, e.n ?? null, e.at, e.kind, e.actor ?? null, JSON.stringify(e.data)).changes;
        added += changes;
        const item = e.data.item as { id?: string; status?: string } | undefined;
        if (changes && (e.kind === 'approval.asked' || e.kind === 'approval.updated') && item?.id && item.status) this.stmt.approval.run(caseId, item.id, e.run ?? null, item.status);
        if (changes && e.run && e.kind === 'run.started') this.stmt.runStarted.run(e.run, caseId, e.at);
        if (changes && e.run && e.kind === 'run.closed') this.stmt.runClosed.run(e.at, e.run);
      }
      return added;
    });
  }

  /** Appends facts to a case; one whose key is already there is skipped. Returns how many were new. */
  async append(caseId: string, events: CaseEvent[]): Promise<number> {
    return events.length === 0 ? 0 : this.appendTx(caseId, events);
  }

  /** Every fact of a case, in the order they were appended. */
  async events(caseId: string): Promise<StoredCaseEvent[]> {
    return this.stmt.events.all(caseId).map(fromRow);
  }

  /** The facts of several cases at once (a page of the case list), grouped by case. */
  async eventsOfCases(caseIds: string[]): Promise<Map<string, StoredCaseEvent[]>> {
    const out = new Map<string, StoredCaseEvent[]>(caseIds.map((id) => [id, []]));
    for (const row of this.stmt.eventsOf.all(JSON.stringify(caseIds))) out.get(row.case_id)?.push(fromRow(row));
    return out;
  }

  /** Whether the case has a fact at or after `since` (a case still being worked keeps its record). */
  async activeSince(caseId: string, since: string): Promise<boolean> {
    return Boolean(this.db.prepare('SELECT 1 FROM case_events WHERE case_id = ? AND at >= ? LIMIT 1').get(caseId, since));
  }

  /** Deletes every fact of these cases (the record's retention ended for them). */
  async deleteCases(ids: string[]): Promise<number> {
    const list = JSON.stringify(ids);
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM record_approvals WHERE case_id IN (SELECT value FROM json_each(?))').run(list);
      this.db.prepare('DELETE FROM record_runs WHERE case_id IN (SELECT value FROM json_each(?))').run(list);
      return this.db.prepare('DELETE FROM case_events WHERE case_id IN (SELECT value FROM json_each(?))').run(list).changes;
    })();
  }

  /** Whether a fact with this key is in the record (a one-off fact: an SLA breach, say). */
  async has(key: string): Promise<boolean> {
    return this.stmt.first.get(key) !== undefined;
  }

  /** Runs the record has no end for, started before `before` (oldest first, at most `limit`). */
  async openRuns(before: string, limit: number): Promise<Array<{ run: string; caseId: string; startedAt: string }>> {
    return this.stmt.openRuns.all(before, limit).map((r) => ({ run: r.run, caseId: r.case_id, startedAt: r.started_at }));
  }

  /** One run's facts, in its order. */
  async runFacts(run: string): Promise<StoredCaseEvent[]> {
    return this.stmt.runEvents.all(run).map(fromRow);
  }

  /** Approvals waiting for an analyst, in every case. */
  async pendingApprovals(): Promise<number> {
    return this.stmt.pending.get()?.n ?? 0;
  }

  async changedSince(seq: number | undefined, limit: number): Promise<{ seq: number; changes: Array<{ caseId: string; seq: number }> }> {
    if (seq === undefined) return { seq: this.stmt.newest.get()?.seq ?? 0, changes: [] };
    const rows = this.stmt.changed.all(seq, limit);
    return { seq: rows.reduce((m, r) => Math.max(m, r.seq), seq), changes: rows.map((r) => ({ caseId: r.case_id, seq: Number(r.seq) })) };
  }

  /** A playbook run's first fact (its `run.started`), by its workflow ID. */
  async runStarted(run: string): Promise<{ playbook: string; startedAt: string } | undefined> {
    const row = this.stmt.first.get(`${run}:0`);
    if (!row || row.kind !== 'run.started') return undefined;
    const d = JSON.parse(row.data) as { playbook?: string; startedAt?: string };
    return { playbook: String(d.playbook), startedAt: d.startedAt ?? row.at };
  }

  async close(): Promise<void> {
    this.db.close();
  }

}

function fromRow(r: EventRow): StoredCaseEvent {
  return {
    seq: r.seq,
    caseId: r.case_id,
    key: r.key,
    at: r.at,
    kind: r.kind,
    ...(r.run !== null ? { run: r.run } : {}),
    ...(r.n !== null ? { n: r.n } : {}),
    ...(r.actor !== null ? { actor: r.actor } : {}),
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}
