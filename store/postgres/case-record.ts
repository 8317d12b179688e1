// The case record on PostgreSQL: the SQLite record's facts and projections (../case-record.ts),
// written by the workers and every API replica at once. A fact's key is unique, so a retried
// write — from any process — adds nothing.
import type pg from 'pg';
import type { CaseEvent, StoredCaseEvent } from '../../core/case-events.ts';
import type { CaseRecordStore } from '../case-record.ts';
import type { PgDatabase } from './db.ts';

const MIGRATIONS = [
  `
  CREATE TABLE case_events (
    seq BIGSERIAL PRIMARY KEY,
    case_id TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL UNIQUE,
    run TEXT COLLATE "C",
    n INTEGER,
    at TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX case_events_case ON case_events (case_id, seq);
  CREATE INDEX case_events_run ON case_events (run, n) WHERE run IS NOT NULL;
  CREATE TABLE record_approvals (
    case_id TEXT COLLATE "C" NOT NULL,
    approval_id TEXT COLLATE "C" NOT NULL,
    run TEXT,
    status TEXT NOT NULL,
    PRIMARY KEY (case_id, approval_id)
  );
  CREATE INDEX record_approvals_status ON record_approvals (status);
  CREATE TABLE record_runs (
    run TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    case_id TEXT COLLATE "C" NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    closed_at TEXT COLLATE "C"
  );
  CREATE INDEX record_runs_open ON record_runs (started_at) WHERE closed_at IS NULL;
  `,
];

interface EventRow {
  seq: string;
  case_id: string;
  key: string;
  run: string | null;
  n: number | null;
  at: string;
  kind: string;
  actor: string | null;
  data: string;
}

export class PgCaseRecordStore implements CaseRecordStore {
  private constructor(private readonly db: PgDatabase) {}

  static async open(db: PgDatabase): Promise<PgCaseRecordStore> {
    await db.migrate('case-record', MIGRATIONS);
    return new PgCaseRecordStore(db);
  }

  async append(caseId: string, events: CaseEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      // One writer per case at a time: its facts commit in the order they are numbered, and the
      // projections end at the latest fact, as on one box.
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('case-record ' || $1, 0))", [caseId]);
      let added = 0;
      for (const e of events) {
        const r = await tx.query('INSERT INTO case_events (case_id, key, run, n, at, kind, actor, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING', [
          caseId, e.key, e.run ?? null, e.n ?? null, e.at, e.kind, e.actor ?? null, JSON.stringify(e.data),
        ]);
        if (!r.rowCount) continue;
        added += 1;
        await project(tx, caseId, e);
      }
      return added;
    });
  }

  async events(caseId: string): Promise<StoredCaseEvent[]> {
    return (await this.db.rows<EventRow>('SELECT * FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId])).map(fromRow);
  }

  async eventsOfCases(caseIds: string[]): Promise<Map<string, StoredCaseEvent[]>> {
    const out = new Map<string, StoredCaseEvent[]>(caseIds.map((id) => [id, []]));
    for (const row of await this.db.rows<EventRow>('SELECT * FROM case_events WHERE case_id = ANY($1::text[]) ORDER BY seq', [caseIds])) out.get(row.case_id)?.push(fromRow(row));
    return out;
  }

  async activeSince(caseId: string, since: string): Promise<boolean> {
    return (await this.db.row('SELECT 1 FROM case_events WHERE case_id = $1 AND at >= $2 LIMIT 1', [caseId, since])) !== undefined;
  }

  async deleteCases(ids: string[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM record_approvals WHERE case_id = ANY($1::text[])', [ids]);
      await tx.query('DELETE FROM record_runs WHERE case_id = ANY($1::text[])', [ids]);
      return (await tx.query('DELETE FROM case_events WHERE case_id = ANY($1::text[])', [ids])).rowCount ?? 0;
    });
  }

  async has(key: string): Promise<boolean> {
    return (await this.db.row('SELECT 1 FROM case_events WHERE key = $1', [key])) !== undefined;
  }

  async openRuns(before: string, limit: number): Promise<Array<{ run: string; caseId: string; startedAt: string }>> {
    const rows = await this.db.rows<{ run: string; case_id: string; started_at: string }>(
      'SELECT run, case_id, started_at FROM record_runs WHERE closed_at IS NULL AND started_at < $1 ORDER BY started_at LIMIT $2',
      [before, limit]
    );
    return rows.map((r) => ({ run: r.run, caseId: r.case_id, startedAt: r.started_at }));
  }

  async runFacts(run: string): Promise<StoredCaseEvent[]> {
    return (await this.db.rows<EventRow>('SELECT * FROM case_events WHERE run = $1 ORDER BY n, seq', [run])).map(fromRow);
  }

  async pendingApprovals(): Promise<number> {
    return (await this.db.row<{ n: number }>("SELECT count(*)::int AS n FROM record_approvals WHERE status = 'pending'"))?.n ?? 0;
  }

  /** Sequence numbers are taken before commit: a reader may see 12 before 11 commits. Callers re-ask with an overlap (api/case-events.ts). */
  async changedSince(seq: number | undefined, limit: number): Promise<{ seq: number; changes: Array<{ caseId: string; seq: number }> }> {
    if (seq === undefined) return { seq: Number((await this.db.row<{ seq: string | null }>('SELECT max(seq) AS seq FROM case_events'))?.seq ?? 0), changes: [] };
    const rows = await this.db.rows<{ case_id: string; seq: string }>('SELECT case_id, max(seq) AS seq FROM case_events WHERE seq > $1 GROUP BY case_id ORDER BY 2 LIMIT $2', [seq, limit]);
    return { seq: rows.reduce((m, r) => Math.max(m, Number(r.seq)), seq), changes: rows.map((r) => ({ caseId: r.case_id, seq: Number(r.seq) })) };
  }

  async runStarted(run: string): Promise<{ playbook: string; startedAt: string } | undefined> {
    const row = await this.db.row<EventRow>('SELECT * FROM case_events WHERE key = $1', [`${run}:0`]);
    if (!row || row.kind !== 'run.started') return undefined;
    const d = JSON.parse(row.data) as { playbook?: string; startedAt?: string };
    return { playbook: String(d.playbook), startedAt: d.startedAt ?? row.at };
  }

  /** The pool is the caller's. */
  async close(): Promise<void> {}
}

/** Keeps the approvals' and runs' projections current with a new fact. */
async function project(tx: pg.PoolClient, caseId: string, e: CaseEvent): Promise<void> {
  const item = e.data.item as { id?: string; status?: string } | undefined;
  if ((e.kind === 'approval.asked' || e.kind === 'approval.updated') && item?.id && item.status) {
    await tx.query(
      'INSERT INTO record_approvals (case_id, approval_id, run, status) VALUES ($1, $2, $3, $4) ON CONFLICT (case_id, approval_id) DO UPDATE SET status = excluded.status',
      [caseId, item.id, e.run ?? null, item.status]
    );
  }
  if (e.run && e.kind === 'run.started') await tx.query('INSERT INTO record_runs (run, case_id, started_at) VALUES ($1, $2, $3) ON CONFLICT (run) DO NOTHING', [e.run, caseId, e.at]);
  if (e.run && e.kind === 'run.closed') await tx.query('UPDATE record_runs SET closed_at = $1 WHERE run = $2', [e.at, e.run]);
}

function fromRow(r: EventRow): StoredCaseEvent {
  return {
    seq: Number(r.seq),
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
