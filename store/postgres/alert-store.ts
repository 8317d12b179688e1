// The alert store on PostgreSQL (RIPOSTE_DATABASE_URL): the SQLite store's behaviour, shared by
// several API replicas. Ingest commits in groups as SQLite does — while one group's transaction
// is at the server, the next gathers — and each replica dispatches only the cases it holds a
// lease on (dispatch_leases), so two replicas never send one case's alerts, or send them out of order.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { SuppressionMatcher, type SuppressionRule } from '../../domain/suppression.ts';
import { ALERT_COLUMNS, caseListQuery, closedByAutoClose, rowTriage, toAlert, type AlertRow, type CaseListDialect, type CaseRow } from '../rows.ts';
import type { AlertStats, AlertStore, CaseQuery, CaseVerdict, IngestItem, KeptVerdict, IngestPolicy, IngestResult, OutboxItem, RequestRecord, StoredAlert, StoredCase, StoredRequest } from '../types.ts';
import { ALERT_MIGRATIONS } from './alert-schema.ts';
import { retryable, type PgDatabase } from './db.ts';
import { lockFor, lockKeys, PgIngestDecisions, type IngestJob } from './ingest.ts';

const POSTGRES_CASE_LIST: CaseListDialect = {
  placeholder: (n) => `$${n}`,
  named: "EXISTS (SELECT 1 FROM alerts a, jsonb_array_elements(a.observables::jsonb) o WHERE a.case_id = cases.id AND o->>'value'",
  // SQLite's LIKE ignores the case of ASCII letters.
  like: 'ILIKE',
};

/** Writes per group commit at most. */
const GROUP_MAX = 256;
/** How long a replica holds a case's dispatch after last reading it. */
const LEASE_SECONDS = 30;
/** NOTIFY channel: comma-separated case ids with newly queued alerts. */
const QUEUED_CHANNEL = 'riposte_outbox';

type Queued = { job: IngestJob; resolve(v: { results: IngestResult[] }): void; reject(e: unknown): void };

export class PgAlertStore implements AlertStore {
  /** This replica, as named in dispatch leases. */
  readonly owner = `api-${randomUUID()}`;
  private readonly decisions = new PgIngestDecisions();
  private queue: Queued[] = [];
  private flushing?: Promise<void>;
  private pending = 0;
  private closed = false;
  private listening?: pg.PoolClient;

  private constructor(private readonly db: PgDatabase) {}

  static async open(db: PgDatabase): Promise<PgAlertStore> {
    await db.migrate('alerts', ALERT_MIGRATIONS);
    const store = new PgAlertStore(db);
    await store.countBacklog();
    return store;
  }

  ingest(items: IngestItem[], policy: IngestPolicy, request?: RequestRecord): Promise<{ results: IngestResult[] }> {
    if (this.closed) return Promise.reject(new Error('the alert store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { items, policy, request }, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  /** Commits what waits, group by group, until nothing waits. */
  private async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, GROUP_MAX);
      await this.commitGroup(group);
    }
    this.flushing = undefined;
  }

  private async commitGroup(group: Queued[]): Promise<void> {
    let outcomes: Array<{ value?: { results: IngestResult[]; added: number }; err?: unknown }> = [];
    try {
      await this.db.transaction(async (tx) => {
        outcomes = [];
        this.decisions.entities.txEnded(false); // a retried transaction starts afresh
        await lockFor(tx, lockKeys(group.map((q) => q.job)));
        for (const q of group) outcomes.push(await this.inSavepoint(tx, q.job));
        // Every replica hears, at commit, which cases have alerts to send (NOTIFY is transactional).
        const queued = [...new Set(outcomes.flatMap((o) => (o.value?.added ? o.value.results.filter((r) => r.caseId && (r.outcome === 'new' || r.outcome === 'updated')).map((r) => r.caseId as string) : [])))];
        for (let i = 0; i < queued.length; i += 200) await tx.query('SELECT pg_notify($1, $2)', [QUEUED_CHANNEL, queued.slice(i, i + 200).join(',')]);
      });
    } catch (err) {
      this.decisions.entities.txEnded(false);
      for (const q of group) q.reject(err); // the commit failed: nobody is acknowledged
      return;
    }
    this.decisions.entities.txEnded(true);
    group.forEach((q, i) => {
      const o = outcomes[i];
      if (!o?.value) return q.reject(o?.err ?? new Error('not committed'));
      this.pending += o.value.added;
      q.resolve({ results: o.value.results });
    });
  }

  private async inSavepoint(tx: pg.PoolClient, job: IngestJob): Promise<{ value?: { results: IngestResult[]; added: number }; err?: unknown }> {
    await tx.query('SAVEPOINT job');
    try {
      const value = await this.decisions.runJob(tx, job);
      await tx.query('RELEASE SAVEPOINT job');
      this.decisions.entities.jobEnded(true);
      return { value };
    } catch (err) {
      this.decisions.entities.jobEnded(false);
      // A deadlock's victim runs the whole group again; a lost connection fails it.
      if (retryable(err)) throw err;
      await tx.query('ROLLBACK TO SAVEPOINT job').catch(() => Promise.reject(err));
      return { err };
    }
  }

  /** LISTENs on its own connection; reconnects when the server goes away (missed wake-ups are caught by the dispatcher's resync). */
  watchQueued(listener: (caseIds: string[]) => void): void {
    const connect = async (): Promise<void> => {
      if (this.closed) return;
      const client = await this.db.pool.connect().catch(() => undefined);
      if (!client) return void setTimeout(() => void connect(), 2000).unref();
      this.listening = client;
      client.on('notification', (n) => n.channel === QUEUED_CHANNEL && n.payload && listener(n.payload.split(',')));
      // A dying connection errs more than once (the server's goodbye, then the socket's end): reconnect once.
      let lost = false;
      client.on('error', () => {
        if (lost) return;
        lost = true;
        client.release(true);
        this.listening = undefined;
        setTimeout(() => void connect(), 1000).unref();
      });
      await client.query(`LISTEN ${QUEUED_CHANNEL}`).catch(() => client.emit('error', new Error('LISTEN failed')));
    };
    void connect();
  }

  async findRequest(key: string): Promise<StoredRequest | null> {
    const row = await this.db.row<{ key: string; body_sha: string; status: number; body: string }>('SELECT key, body_sha, status, body FROM requests WHERE key = $1', [key]);
    if (!row) return null;
    const body = JSON.parse(row.body) as unknown;
    if (row.status !== 0) return { key: row.key, bodySha: row.body_sha, status: row.status, body };
    const { results, context } = body as { results: IngestResult[]; context: unknown };
    return { key: row.key, bodySha: row.body_sha, results, context };
  }

  async getAlert(id: string) {
    const row = await this.db.row<AlertRow & { raw: string; raw_truncated: boolean }>(`SELECT ${ALERT_COLUMNS}, raw, raw_truncated FROM alerts WHERE id = $1`, [id]);
    if (!row) return null;
    return { ...toAlert(row), raw: row.raw, rawTruncated: row.raw_truncated };
  }

  async getCase(id: string): Promise<StoredCase | null> {
    const row = await this.db.row<CaseRow>('SELECT * FROM cases WHERE id = $1', [id]);
    return row ? (await this.toCases([row]))[0] ?? null : null;
  }

  async caseAlerts(caseId: string, limit: number): Promise<StoredAlert[]> {
    return (await this.db.rows<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE case_id = $1 ORDER BY received_at, n LIMIT $2`, [caseId, limit])).map(toAlert);
  }

  async firstAlerts(caseIds: string[]): Promise<StoredAlert[]> {
    const rows = await this.db.rows<AlertRow>(
      `SELECT DISTINCT ON (case_id) ${ALERT_COLUMNS} FROM alerts WHERE case_id = ANY($1::text[]) ORDER BY case_id, received_at, n`,
      [caseIds]
    );
    return rows.map(toAlert);
  }

  async listCases(q: CaseQuery): Promise<StoredCase[]> {
    const { sql, params } = caseListQuery(q, POSTGRES_CASE_LIST);
    return this.toCases(await this.db.rows<CaseRow>(sql, params));
  }

  async setVerdict(caseId: string, verdict: CaseVerdict, suggestions: SuppressionRule[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE cases SET verdict = $1 WHERE id = $2', [JSON.stringify(verdict), caseId]);
      for (const s of suggestions) await saveSuppression(tx, s);
    });
  }

  async reopenAutoClosed(caseId: string, now: Date, limit: number): Promise<number> {
    const queued = await this.db.transaction(async (tx) => {
      // The case's row locked first, as ingest does before queuing to a case (outbox order).
      const row = (await tx.query<{ verdict: string | null }>('SELECT verdict FROM cases WHERE id = $1 FOR UPDATE', [caseId])).rows[0];
      if (!closedByAutoClose(row?.verdict)) return 0;
      await tx.query('UPDATE cases SET verdict = NULL WHERE id = $1', [caseId]);
      const r = await tx.query(
        `INSERT INTO outbox (case_id, alert_id, kind, created_at) SELECT $1, id, 'new', $2 FROM (SELECT id, received_at, n FROM alerts WHERE case_id = $1 ORDER BY received_at, n LIMIT $3) a ORDER BY received_at, n`,
        [caseId, now.toISOString(), limit]
      );
      return r.rowCount ?? 0;
    });
    await this.countBacklog();
    return queued;
  }

  async verdictsSince(since: string, limit: number): Promise<KeptVerdict[]> {
    const rows = await this.db.rows<{ id: string; verdict: string }>(
      'SELECT id, verdict FROM (SELECT id, verdict, last_alert_at FROM cases WHERE verdict IS NOT NULL AND last_alert_at >= $1 ORDER BY last_alert_at DESC LIMIT $2) v ORDER BY last_alert_at',
      [since, limit]
    );
    return rows.map((r) => ({ caseId: r.id, verdict: JSON.parse(r.verdict) as CaseVerdict }));
  }

  /** Cases with alerts to dispatch (whichever replica holds them), the longest waiting first. */
  async pendingCases(): Promise<string[]> {
    await this.countBacklog();
    const rows = await this.db.rows<{ case_id: string }>('SELECT case_id FROM outbox WHERE dispatched_at IS NULL GROUP BY case_id ORDER BY min(seq)');
    return rows.map((r) => r.case_id);
  }

  /** A case's waiting rows — taking (or renewing) its dispatch lease first; none when another replica holds it. */
  async pendingForCase(caseId: string, limit: number): Promise<OutboxItem[]> {
    const rows = await this.db.rows<{ seq: string; case_id: string; alert_id: string; kind: string; trace: string | null; created_at: string }>(
      `WITH lease AS (
         INSERT INTO dispatch_leases (case_id, owner, until) VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (case_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
           WHERE dispatch_leases.owner = excluded.owner OR dispatch_leases.until < now()
         RETURNING 1)
       SELECT seq, case_id, alert_id, kind, trace, created_at FROM outbox
        WHERE EXISTS (SELECT 1 FROM lease) AND dispatched_at IS NULL AND case_id = $1 ORDER BY seq LIMIT $4`,
      [caseId, this.owner, LEASE_SECONDS, limit]
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      caseId: r.case_id,
      alertId: r.alert_id,
      kind: r.kind as OutboxItem['kind'],
      createdAt: r.created_at,
      ...(r.trace ? { traceparent: r.trace } : {}),
    }));
  }

  async waitingForDispatch(caseId: string): Promise<boolean> {
    return (await this.db.row('SELECT 1 FROM outbox WHERE case_id = $1 AND dispatched_at IS NULL LIMIT 1', [caseId])) !== undefined;
  }

  async markDispatched(seqs: number[]): Promise<void> {
    if (seqs.length === 0) return;
    const r = await this.db.query('UPDATE outbox SET dispatched_at = $1 WHERE seq = ANY($2::bigint[]) AND dispatched_at IS NULL', [new Date().toISOString(), seqs]);
    this.pending = Math.max(0, this.pending - (r.rowCount ?? 0));
  }

  /** Rows waiting for dispatch as last counted here (every replica's; recounted at each resync). */
  backlog(): number {
    return this.pending;
  }

  private async countBacklog(): Promise<void> {
    this.pending = (await this.db.row<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL'))?.n ?? 0;
  }

  async countAlerts(): Promise<number> {
    return (await this.db.row<{ n: number }>('SELECT count(*)::int AS n FROM alerts'))?.n ?? 0;
  }

  async alertsByIds(ids: string[]): Promise<StoredAlert[]> {
    return (await this.db.rows<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ANY($1::text[])`, [ids])).map(toAlert);
  }

  async alertStats(since: string, until: string): Promise<AlertStats> {
    const range = 'received_at >= $1 AND received_at < $2';
    const q = <T extends pg.QueryResultRow>(sql: string) => this.db.rows<T>(sql, [since, until]);
    const [totals, bySource, bySuppression, topRules, topEntities] = await Promise.all([
      q<{ alerts: number; occurrences: number | null; suppressed: number }>(`SELECT count(*)::int AS alerts, sum(count)::int AS occurrences, count(suppressed_by)::int AS suppressed FROM alerts WHERE ${range}`),
      q<{ source: string; alerts: number }>(`SELECT source, count(*)::int AS alerts FROM alerts WHERE ${range} GROUP BY source ORDER BY alerts DESC, source`),
      q<{ rule: string; alerts: number }>(`SELECT suppressed_by AS rule, count(*)::int AS alerts FROM alerts WHERE ${range} AND suppressed_by IS NOT NULL GROUP BY suppressed_by ORDER BY alerts DESC, suppressed_by LIMIT 20`),
      q<{ rule: string; alerts: number }>(`SELECT coalesce(rule_name, title) AS rule, count(*)::int AS alerts FROM alerts WHERE ${range} GROUP BY 1 ORDER BY alerts DESC, coalesce(rule_name, title) COLLATE "C" LIMIT 10`),
      q<{ entity: string; alerts: number }>(
        `SELECT (o->>'type') || ':' || (o->>'value') AS entity, count(DISTINCT a.id)::int AS alerts FROM alerts a, jsonb_array_elements(a.observables::jsonb) o WHERE ${range.replace(/received_at/g, 'a.received_at')} GROUP BY 1 ORDER BY alerts DESC, ((o->>'type') || ':' || (o->>'value')) COLLATE "C" LIMIT 10`
      ),
    ]);
    return {
      alerts: totals[0]?.alerts ?? 0,
      occurrences: totals[0]?.occurrences ?? 0,
      suppressed: totals[0]?.suppressed ?? 0,
      bySource,
      bySuppression,
      topRules,
      topEntities,
    };
  }

  async alertsSince(since: string, limit: number): Promise<StoredAlert[]> {
    return (await this.db.rows<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE received_at >= $1 ORDER BY n DESC LIMIT $2`, [since, limit])).map(toAlert);
  }

  async setSuppressionRules(rules: SuppressionRule[]): Promise<void> {
    this.decisions.suppression = new SuppressionMatcher(rules);
  }

  async listSuppressions(): Promise<SuppressionRule[]> {
    return (await this.db.rows<{ rule: string }>('SELECT rule FROM suppressions ORDER BY id')).map((r) => JSON.parse(r.rule) as SuppressionRule);
  }

  async saveSuppression(rule: SuppressionRule): Promise<void> {
    await saveSuppression(this.db.pool, rule);
  }

  async getSuppression(id: string): Promise<SuppressionRule | null> {
    const row = await this.db.row<{ rule: string }>('SELECT rule FROM suppressions WHERE id = $1', [id]);
    return row ? (JSON.parse(row.rule) as SuppressionRule) : null;
  }

  async casesIdleSince(before: string, limit: number): Promise<string[]> {
    return (await this.db.rows<{ id: string }>('SELECT id FROM cases WHERE last_alert_at < $1 ORDER BY last_alert_at LIMIT $2', [before, limit])).map((r) => r.id);
  }

  async deleteCases(ids: string[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM alert_uids WHERE alert_id IN (SELECT id FROM alerts WHERE case_id = ANY($1::text[]))', [ids]);
      await tx.query('DELETE FROM alerts WHERE case_id = ANY($1::text[])', [ids]);
      await tx.query('DELETE FROM case_entities WHERE case_id = ANY($1::text[])', [ids]);
      await tx.query('DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND case_id = ANY($1::text[])', [ids]);
      await tx.query('DELETE FROM dispatch_leases WHERE case_id = ANY($1::text[])', [ids]);
      return (await tx.query('DELETE FROM cases WHERE id = ANY($1::text[])', [ids])).rowCount ?? 0;
    });
  }

  async prune(now: Date, keep: { requestsMs: number; entitiesMs: number }): Promise<void> {
    const t = now.getTime();
    const requests = new Date(t - keep.requestsMs).toISOString();
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM requests WHERE created_at < $1', [requests]);
      await tx.query('DELETE FROM case_entities WHERE last_seen < $1', [new Date(t - keep.entitiesMs).toISOString()]);
      await tx.query('DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < $1', [requests]);
      await tx.query("DELETE FROM dispatch_leases WHERE until < now() - interval '1 hour'");
    });
  }

  /** Waits for the commits under way; the pool is the caller's (it may serve other stores). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    this.listening?.release(true);
    this.listening = undefined;
  }

  private async toCases(rows: CaseRow[]): Promise<StoredCase[]> {
    if (rows.length === 0) return [];
    const entities = await this.db.rows<{ case_id: string; entity: string }>(
      'SELECT case_id, entity FROM case_entities WHERE case_id = ANY($1::text[]) ORDER BY case_id, entity',
      [rows.map((r) => r.id)]
    );
    const byCase = new Map<string, string[]>();
    for (const e of entities) byCase.set(e.case_id, [...(byCase.get(e.case_id) ?? []), e.entity]);
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      severity_id: row.severity_id,
      createdAt: row.created_at,
      lastAlertAt: row.last_alert_at,
      alertCount: row.alert_count,
      entities: byCase.get(row.id) ?? [],
      ...(row.verdict ? { verdict: JSON.parse(row.verdict) as CaseVerdict } : {}),
      ...rowTriage(row),
    }));
  }
}

function saveSuppression(q: pg.Pool | pg.PoolClient, s: SuppressionRule) {
  return q.query('INSERT INTO suppressions (id, rule) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET rule = excluded.rule', [s.id, JSON.stringify(s)]);
}
