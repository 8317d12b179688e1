// The embedded alert store: SQLite in WAL mode (better-sqlite3). Every decision about an
// alert — duplicate, repeat, suppressed, which case — is taken inside the one transaction
// that commits it (sqlite/ingest.ts), so what the API acknowledges is exactly what is stored.
// By job: sqlite/schema.ts (migrations, rows, opening the file), sqlite/statements.ts,
// sqlite/group-commit.ts (many writes, one fsync), sqlite/ingest.ts (the decisions); here the
// reads, the idempotent requests, the outbox, suppression rules and pruning.
import type Database from 'better-sqlite3';
import { SuppressionMatcher, type SuppressionRule } from '../domain/suppression.ts';
import { GroupCommit } from './sqlite/group-commit.ts';
import { IngestDecisions, type IngestJob, type IngestOutput } from './sqlite/ingest.ts';
import { openStoreFile, type SqliteStoreOptions } from './sqlite/schema.ts';
import { caseListQuery, closedByAutoClose, rowTriage, toAlert, type CaseListDialect, type CaseRow } from './rows.ts';
import { prepareStatements, type Statements } from './sqlite/statements.ts';
import type { AlertStats, AlertStore, CaseQuery, CaseVerdict, IngestItem, KeptVerdict, IngestPolicy, IngestResult, OutboxItem, RequestRecord, StoredAlert, StoredCase, StoredRequest } from './types.ts';

const SQLITE_CASE_LIST: CaseListDialect = {
  placeholder: () => '?',
  named: "EXISTS (SELECT 1 FROM alerts a, json_each(a.observables) o WHERE a.case_id = cases.id AND json_extract(o.value, '$.value')",
  like: 'LIKE',
};

export type { SqliteStoreOptions };

export class SqliteAlertStore implements AlertStore {
  private readonly db: Database.Database;
  private pending = 0;
  private readonly commits: GroupCommit;
  private readonly decisions: IngestDecisions;
  /** The case list's statements, one per combination of filters. */
  private readonly listStmts = new Map<string, Database.Statement<unknown[], CaseRow>>();
  private readonly jobTx: (job: IngestJob) => { out: IngestOutput; added: number };
  private readonly markTx: (seqs: number[], at: string) => number;
  private readonly stmt: Statements;

  constructor(file: string, opts: SqliteStoreOptions = {}) {
    this.db = openStoreFile(file, opts);
    this.stmt = prepareStatements(this.db);
    this.decisions = new IngestDecisions(this.stmt);
    this.pending = this.stmt.countPending.get()?.n ?? 0;
    this.jobTx = this.db.transaction((job: IngestJob) => this.decisions.runJob(job));
    this.markTx = this.db.transaction((seqs: number[], at: string) => this.stmt.markDispatched.run(at, JSON.stringify(seqs)).changes);
    this.commits = new GroupCommit(this.db, opts.groupCommitMs ?? 10, (added) => (this.pending += added), (committed) => this.decisions.entities.txEnded(committed));
  }

  /** Joins the next group commit (see sqlite/group-commit.ts). */
  ingest(items: IngestItem[], policy: IngestPolicy, request?: RequestRecord): Promise<IngestOutput> {
    return this.commits.enqueue(() => {
      try {
        const { out, added } = this.jobTx({ items, policy, request });
        this.decisions.entities.jobEnded(true);
        return { value: out, added };
      } catch (err) {
        this.decisions.entities.jobEnded(false);
        throw err;
      }
    });
  }

  async findRequest(key: string): Promise<StoredRequest | null> {
    const row = this.stmt.request.get(key);
    if (!row) return null;
    const body = JSON.parse(row.body) as unknown;
    if (row.status !== 0) return { key: row.key, bodySha: row.body_sha, status: row.status, body };
    const { results, context } = body as { results: IngestResult[]; context: unknown };
    return { key: row.key, bodySha: row.body_sha, results, context };
  }

  async getAlert(id: string) {
    const row = this.stmt.alert.get(id);
    if (!row) return null;
    const raw = this.stmt.raw.get(id);
    return { ...toAlert(row), ...(raw ? { raw: raw.raw, rawTruncated: raw.raw_truncated === 1 } : {}) };
  }

  async alertStats(since: string, until: string): Promise<AlertStats> {
    const range = 'received_at >= @since AND received_at < @until';
    const q = <T>(sql: string) => this.db.prepare<{ since: string; until: string }, T>(sql);
    const totals = q<{ alerts: number; occurrences: number | null; suppressed: number }>(`SELECT count(*) AS alerts, sum(count) AS occurrences, count(suppressed_by) AS suppressed FROM alerts WHERE ${range}`).get({ since, until });
    return {
      alerts: totals?.alerts ?? 0,
      occurrences: totals?.occurrences ?? 0,
      suppressed: totals?.suppressed ?? 0,
      bySource: q<{ source: string; alerts: number }>(`SELECT source, count(*) AS alerts FROM alerts WHERE ${range} GROUP BY source ORDER BY alerts DESC, source`).all({ since, until }),
      bySuppression: q<{ rule: string; alerts: number }>(`SELECT suppressed_by AS rule, count(*) AS alerts FROM alerts WHERE ${range} AND suppressed_by IS NOT NULL GROUP BY suppressed_by ORDER BY alerts DESC, rule LIMIT 20`).all({ since, until }),
      topRules: q<{ rule: string; alerts: number }>(`SELECT coalesce(rule_name, title) AS rule, count(*) AS alerts FROM alerts WHERE ${range} GROUP BY 1 ORDER BY alerts DESC, rule LIMIT 10`).all({ since, until }),
      topEntities: q<{ entity: string; alerts: number }>(
        `SELECT json_extract(o.value, '$.type') || ':' || json_extract(o.value, '$.value') AS entity, count(DISTINCT a.id) AS alerts FROM alerts a, json_each(a.observables) o WHERE ${range.replace(/received_at/g, 'a.received_at')} GROUP BY 1 ORDER BY alerts DESC, entity LIMIT 10`
      ).all({ since, until }),
    };
  }

  async alertsSince(since: string, limit: number): Promise<StoredAlert[]> {
    return this.stmt.alertsSince.all(since, limit).map(toAlert);
  }

  async alertsByIds(ids: string[]): Promise<StoredAlert[]> {
    return this.stmt.alertsByIds.all(JSON.stringify(ids)).map(toAlert);
  }

  async getCase(id: string): Promise<StoredCase | null> {
    const row = this.stmt.case.get(id);
    return row ? this.toCase(row) : null;
  }

  async caseAlerts(caseId: string, limit: number): Promise<StoredAlert[]> {
    return this.stmt.caseAlerts.all(caseId, limit).map(toAlert);
  }

  async firstAlerts(caseIds: string[]): Promise<StoredAlert[]> {
    return this.stmt.firstAlerts.all(JSON.stringify(caseIds)).map(toAlert);
  }

  async listCases(q: CaseQuery): Promise<StoredCase[]> {
    const { sql, params } = caseListQuery(q, SQLITE_CASE_LIST);
    let stmt = this.listStmts.get(sql);
    if (!stmt) this.listStmts.set(sql, (stmt = this.db.prepare<unknown[], CaseRow>(sql)));
    return stmt.all(...params).map((r) => this.toCase(r));
  }

  async setVerdict(caseId: string, verdict: CaseVerdict, suggestions: SuppressionRule[]): Promise<void> {
    this.db.transaction(() => {
      this.stmt.setVerdict.run(JSON.stringify(verdict), caseId);
      for (const s of suggestions) this.stmt.saveSuppression.run(s.id, JSON.stringify(s));
    })();
  }

  async reopenAutoClosed(caseId: string, now: Date, limit: number): Promise<number> {
    const queued = this.db.transaction(() => {
      if (!closedByAutoClose(this.stmt.caseVerdict.get(caseId)?.verdict)) return 0;
      this.stmt.clearVerdict.run(caseId);
      const ids = this.stmt.caseAlertIds.all(caseId, limit);
      for (const { id } of ids) this.stmt.insertOutbox.run(caseId, id, 'new', now.toISOString(), null);
      return ids.length;
    })();
    this.pending += queued;
    return queued;
  }

  async verdictsSince(since: string, limit: number): Promise<KeptVerdict[]> {
    return this.stmt.verdictsSince.all(since, limit).map((r) => ({ caseId: r.id, verdict: JSON.parse(r.verdict) as CaseVerdict }));
  }

  async pendingCases(): Promise<string[]> {
    return this.stmt.pendingCases.all().map((r) => r.case_id);
  }

  async pendingForCase(caseId: string, limit: number): Promise<OutboxItem[]> {
    return this.stmt.pendingForCase.all(caseId, limit).map((r) => ({
      seq: r.seq,
      caseId: r.case_id,
      alertId: r.alert_id,
      kind: r.kind as OutboxItem['kind'],
      createdAt: r.created_at,
      ...(r.trace ? { traceparent: r.trace } : {}),
    }));
  }

  async waitingForDispatch(caseId: string): Promise<boolean> {
    return this.stmt.pendingForCase.all(caseId, 1).length > 0;
  }

  /** Rides along with the next group commit, so dispatch costs no fsync of its own. */
  async markDispatched(seqs: number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.commits.enqueue(() => ({ value: undefined, added: -this.markTx(seqs, new Date().toISOString()) }));
  }

  backlog(): number {
    return this.pending;
  }

  async setSuppressionRules(rules: SuppressionRule[]): Promise<void> {
    this.decisions.suppression = new SuppressionMatcher(rules);
  }

  async countAlerts(): Promise<number> {
    return this.stmt.countAlerts.get()?.n ?? 0;
  }

  async listSuppressions(): Promise<SuppressionRule[]> {
    return this.stmt.suppressions.all().map((r) => JSON.parse(r.rule) as SuppressionRule);
  }

  async getSuppression(id: string): Promise<SuppressionRule | null> {
    const row = this.stmt.suppression.get(id);
    return row ? (JSON.parse(row.rule) as SuppressionRule) : null;
  }

  async saveSuppression(rule: SuppressionRule): Promise<void> {
    this.stmt.saveSuppression.run(rule.id, JSON.stringify(rule));
  }

  async casesIdleSince(before: string, limit: number): Promise<string[]> {
    return this.db.prepare<[string, number], { id: string }>('SELECT id FROM cases WHERE last_alert_at < ? ORDER BY last_alert_at LIMIT ?').all(before, limit).map((r) => r.id);
  }

  async deleteCases(ids: string[]): Promise<number> {
    const list = JSON.stringify(ids);
    return this.db.transaction(() => {
      const inList = 'IN (SELECT value FROM json_each(?))';
      this.db.prepare(`DELETE FROM alert_uids WHERE alert_id IN (SELECT id FROM alerts WHERE case_id ${inList})`).run(list);
      this.db.prepare(`DELETE FROM alerts WHERE case_id ${inList}`).run(list);
      this.db.prepare(`DELETE FROM case_entities WHERE case_id ${inList}`).run(list);
      this.db.prepare(`DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND case_id ${inList}`).run(list);
      return this.db.prepare(`DELETE FROM cases WHERE id ${inList}`).run(list).changes;
    })();
  }

  async prune(now: Date, keep: { requestsMs: number; entitiesMs: number }): Promise<void> {
    const t = now.getTime();
    this.db.transaction(() => {
      this.stmt.pruneRequests.run(new Date(t - keep.requestsMs).toISOString());
      this.stmt.pruneEntities.run(new Date(t - keep.entitiesMs).toISOString());
      this.stmt.pruneOutbox.run(new Date(t - keep.requestsMs).toISOString());
    })();
  }

  async close(): Promise<void> {
    this.commits.flushNow();
    this.db.close();
  }

  private toCase(row: CaseRow): StoredCase {
    return {
      id: row.id,
      title: row.title,
      severity_id: row.severity_id,
      createdAt: row.created_at,
      lastAlertAt: row.last_alert_at,
      alertCount: row.alert_count,
      entities: this.stmt.caseEntities.all(row.id).map((e) => e.entity),
      ...(row.verdict ? { verdict: JSON.parse(row.verdict) as CaseVerdict } : {}),
      ...rowTriage(row),
    };
  }
}
