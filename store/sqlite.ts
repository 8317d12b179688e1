// The embedded alert store: SQLite in WAL mode (better-sqlite3). Every decision about an
// alert — duplicate, repeat, suppressed, which case — is taken inside the one transaction
// that commits it, so what the API acknowledges is exactly what is stored.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { NativeAlert } from '../core/alert.ts';
import { entityKeys, fingerprint } from '../domain/entities.ts';
import { SuppressionMatcher, type SuppressionRule } from '../domain/suppression.ts';
import type {
  AlertStats,
  AlertStore,
  CaseQuery,
  CaseVerdict,
  IngestItem,
  IngestPolicy,
  IngestResult,
  OutboxItem,
  RequestRecord,
  StoredAlert,
  StoredCase,
  StoredRequest,
} from './types.ts';

/** Every alert column but the raw payload, for reads that do not need it. */
const ALERT_COLUMNS =
  'id, source, source_uid, fingerprint, time, severity_id, title, rule_name, rule_uid, observables, count, first_seen, last_seen, received_at, case_id, suppressed_by, status, context';

const MIGRATIONS: string[] = [
  `
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_uid TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    time TEXT NOT NULL,
    severity_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    rule_name TEXT,
    rule_uid TEXT,
    observables TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    received_at TEXT NOT NULL,
    last_received_at TEXT NOT NULL,
    case_id TEXT,
    suppressed_by TEXT,
    status TEXT,
    raw TEXT NOT NULL,
    raw_truncated INTEGER NOT NULL
  );
  CREATE INDEX alerts_fingerprint ON alerts(fingerprint, last_received_at);
  CREATE INDEX alerts_case ON alerts(case_id, received_at);
  CREATE TABLE alert_uids (
    source TEXT NOT NULL,
    uid TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    occurrences INTEGER,
    status TEXT,
    PRIMARY KEY (source, uid)
  );
  CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    severity_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    last_alert_at TEXT NOT NULL,
    alert_count INTEGER NOT NULL,
    verdict TEXT
  );
  CREATE INDEX cases_created ON cases(created_at);
  CREATE TABLE case_entities (
    entity TEXT NOT NULL,
    case_id TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (entity, case_id)
  );
  CREATE INDEX case_entities_case ON case_entities(case_id);
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    dispatched_at TEXT,
    -- the trace the alert arrived in (W3C traceparent), so dispatch continues it
    trace TEXT
  );
  CREATE INDEX outbox_pending ON outbox(case_id, seq) WHERE dispatched_at IS NULL;
  CREATE TABLE requests (
    key TEXT PRIMARY KEY,
    body_sha TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE suppressions (id TEXT PRIMARY KEY, rule TEXT NOT NULL);
  `,
  // An alert's own source id needs no row of its own: its id derives from it. alert_uids now
  // maps only the source ids of repeats (deduplicated alerts) to the alert they count on.
  `
  ALTER TABLE alerts ADD COLUMN occurrences INTEGER;
  UPDATE alerts SET occurrences = (SELECT u.occurrences FROM alert_uids u WHERE u.alert_id = alerts.id AND u.source = alerts.source AND u.uid = alerts.source_uid);
  DELETE FROM alert_uids WHERE EXISTS (SELECT 1 FROM alerts a WHERE a.id = alert_uids.alert_id AND a.source = alert_uids.source AND a.source_uid = alert_uids.uid);
  -- Outbox sequence numbers without AUTOINCREMENT's extra write per row: pruning never deletes
  -- the newest row, so a number is never handed out twice (case workflows skip numbers they saw).
  CREATE TABLE outbox_v2 (
    seq INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    dispatched_at TEXT,
    trace TEXT
  );
  INSERT INTO outbox_v2 SELECT seq, case_id, alert_id, kind, created_at, dispatched_at, trace FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_v2 RENAME TO outbox;
  CREATE INDEX outbox_pending ON outbox(case_id, seq) WHERE dispatched_at IS NULL;
  `,
  // What a cloud finding says about its account and identity (NativeAlert.cloud, .principal), as JSON.
  `ALTER TABLE alerts ADD COLUMN context TEXT;`,
];

/**
 * case_entities.last_seen is refreshed at most this often per entity and case: a busy host
 * would otherwise rewrite its row on every alert. Correlation allows for it.
 */
const ENTITY_REFRESH_MS = 60_000;

interface AlertRow {
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

interface CaseRow {
  id: string;
  title: string;
  severity_id: number;
  created_at: string;
  last_alert_at: string;
  alert_count: number;
  verdict: string | null;
}

export interface SqliteStoreOptions {
  /** `full` survives power loss; `normal` survives a killed process (WAL). */
  synchronous?: 'full' | 'normal';
  /**
   * How long a write may wait for others to share its commit (default 10 ms). Only under load:
   * when the last commit held a single write, the next waits just GROUP_MIN_MS.
   */
  groupCommitMs?: number;
}

type IngestOutput = { results: IngestResult[] };

interface IngestJob {
  items: IngestItem[];
  policy: IngestPolicy;
  request?: RequestRecord;
}

interface QueuedWrite {
  /** Runs inside the group's transaction (in a savepoint); `added` changes the outbox backlog. */
  work(): { value: unknown; added: number };
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** A group commits at once when this many writes wait. */
const GROUP_MAX = 256;
/** A lone writer's wait: long enough to catch a burst's next request, short enough to go unnoticed. */
const GROUP_MIN_MS = 1;

export class SqliteAlertStore implements AlertStore {
  private readonly db: Database.Database;
  private pending = 0;
  private readonly queue: QueuedWrite[] = [];
  private suppression = new SuppressionMatcher([]);
  private flushTimer?: NodeJS.Timeout;
  private readonly entityWritten = new Map<string, number>();
  private readonly groupCommitMs: number;
  private lastGroupSize = 0;
  /** The case list's statements, one per combination of filters. */
  private readonly listStmts = new Map<string, Database.Statement<unknown[], CaseRow>>();
  private readonly jobTx: (job: IngestJob) => { out: IngestOutput; added: number };
  private readonly markTx: (seqs: number[], at: string) => number;
  private readonly stmt;

  constructor(file: string, opts: SqliteStoreOptions = {}) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    // A 64 MiB page cache and memory-mapped reads: the hot indexes (fingerprints, entities,
    // source ids) stay in memory instead of costing a read syscall per lookup.
    this.db.pragma('cache_size = -65536');
    this.db.pragma('mmap_size = 268435456');
    // Checkpoint every ~40 MiB of WAL rather than 4 MiB: the hot index pages are rewritten by
    // nearly every commit, and a rarer checkpoint copies each of them to the database once.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.migrate();
    const db = this.db;
    this.stmt = {
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
        count, first_seen, last_seen, received_at, last_received_at, case_id, suppressed_by, status, raw, raw_truncated, occurrences, context)
        VALUES (@id, @source, @source_uid, @fingerprint, @time, @severity_id, @title, @rule_name, @rule_uid, @observables,
        @count, @time, @time, @now, @now, @case_id, @suppressed_by, @status, @raw, @raw_truncated, @occurrences, @context)`),
      raw: db.prepare<[string], { raw: string; raw_truncated: number }>('SELECT raw, raw_truncated FROM alerts WHERE id = ?'),
      correlate: db.prepare<[string, string], { id: string; created_at: string }>(
        'SELECT c.id, c.created_at FROM case_entities e JOIN cases c ON c.id = e.case_id WHERE e.entity = ? AND e.last_seen >= ?'
      ),
      insertCase: db.prepare(
        'INSERT INTO cases (id, title, severity_id, created_at, last_alert_at, alert_count) VALUES (?, ?, ?, ?, ?, 1)'
      ),
      touchCase: db.prepare(
        'UPDATE cases SET last_alert_at = ?, alert_count = alert_count + ?, severity_id = max(severity_id, ?) WHERE id = ?'
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
      suppressions: db.prepare<[], { rule: string }>('SELECT rule FROM suppressions'),
      suppression: db.prepare<[string], { rule: string }>('SELECT rule FROM suppressions WHERE id = ?'),
      saveSuppression: db.prepare('INSERT INTO suppressions (id, rule) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET rule = excluded.rule'),
      pruneRequests: db.prepare('DELETE FROM requests WHERE created_at < ?'),
      pruneEntities: db.prepare('DELETE FROM case_entities WHERE last_seen < ?'),
      pruneOutbox: db.prepare('DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < ? AND seq < (SELECT max(seq) FROM outbox)'),
    };
    this.pending = this.stmt.countPending.get()?.n ?? 0;
    this.jobTx = this.db.transaction((job: IngestJob) => this.runJob(job));
    this.markTx = this.db.transaction((seqs: number[], at: string) => this.stmt.markDispatched.run(at, JSON.stringify(seqs)).changes);
    this.groupCommitMs = opts.groupCommitMs ?? 10;
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /**
   * Group commit: writes that arrive within a couple of milliseconds share one transaction (one
   * fsync), each inside its own savepoint so one failure leaves the others alone. Every caller
   * hears back only after the commit.
   */
  ingest(items: IngestItem[], policy: IngestPolicy, request?: RequestRecord): Promise<IngestOutput> {
    return this.enqueue(() => {
      const { out, added } = this.jobTx({ items, policy, request });
      return { value: out, added };
    });
  }

  private enqueue<T>(work: () => { value: T; added: number }): Promise<T> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length >= GROUP_MAX) this.flushNow();
      else if (this.queue.length === 1) {
        // Each commit costs the pages it dirties, shared by its writes: under load a larger
        // group makes every alert cheaper (see docs/PERFORMANCE.md).
        const wait = this.lastGroupSize > 1 ? this.groupCommitMs : Math.min(GROUP_MIN_MS, this.groupCommitMs);
        this.flushTimer = setTimeout(() => this.flushNow(), wait);
      }
    });
  }

  private flushNow(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const jobs = this.queue.splice(0);
    if (jobs.length === 0) return;
    this.lastGroupSize = jobs.length;
    const done: Array<{ value?: unknown; added: number; err?: unknown }> = [];
    try {
      this.db
        .transaction(() => {
          for (const job of jobs) {
            try {
              done.push(job.work());
            } catch (err) {
              done.push({ added: 0, err });
            }
          }
        })
        .immediate();
    } catch (err) {
      for (const job of jobs) job.reject(err); // the commit itself failed: nobody is acknowledged
      return;
    }
    jobs.forEach((job, i) => {
      const d = done[i] as { value?: unknown; added: number; err?: unknown };
      if (d.err !== undefined) return job.reject(d.err);
      this.pending += d.added;
      job.resolve(d.value);
    });
  }

  /** One request's items (run in a savepoint of the group's transaction). */
  private runJob(job: IngestJob): { out: IngestOutput; added: number } {
    let added = 0;
    const results = job.items.map((item) => {
      const r = this.ingestOne(item, job.policy);
      if (r.queued) added += 1;
      return r.result;
    });
    const hits = new Map<string, number>();
    for (const r of results) if (r.suppressedBy && r.outcome !== 'duplicate') hits.set(r.suppressedBy, (hits.get(r.suppressedBy) ?? 0) + 1);
    for (const [id, n] of hits) this.recordHits(id, n, job.policy.now);
    if (job.request) {
      // Status 0: the results and the API's context, which it renders again on a replay.
      const kept = JSON.stringify({ results, context: job.request.context });
      for (const key of job.request.keys) this.stmt.insertRequest.run(key, job.request.bodySha, 0, kept, job.policy.now.toISOString());
    }
    return { out: { results }, added };
  }

  private ingestOne(item: IngestItem, policy: IngestPolicy): { result: IngestResult; queued: boolean } {
    const { alert } = item;
    const now = policy.now.toISOString();

    // 1. This very alert again (the source's own id): a re-send, or news about it.
    const own = this.stmt.own.get(alert.id, alert.source, alert.sourceUid);
    const known = own ?? this.stmt.uid.get(alert.source, alert.sourceUid);
    if (known) {
      const row = this.stmt.alert.get(known.alert_id) as AlertRow;
      const base = { alertId: row.id, caseId: row.case_id, ...(row.suppressed_by ? { suppressedBy: row.suppressed_by } : {}) };
      const more = item.occurrences !== undefined && known.occurrences !== null && item.occurrences > known.occurrences;
      const resolved = item.status === 'resolved' && known.status !== 'resolved';
      if (!more && !resolved) return { result: { ...base, outcome: 'duplicate' }, queued: false };
      if (more) this.stmt.countRepeat.run((item.occurrences as number) - (known.occurrences as number), alert.time, alert.time, now, row.id);
      if (resolved) this.stmt.setStatus.run('resolved', alert.time, now, row.id);
      if (own) this.stmt.updateOwn.run(item.occurrences ?? own.occurrences, row.id);
      else this.stmt.updateUid.run(item.occurrences ?? known.occurrences, item.status ?? known.status, alert.source, alert.sourceUid);
      const queued = resolved && row.case_id !== null;
      if (queued) this.stmt.insertOutbox.run(row.case_id, row.id, 'resolved', now, policy.traceparent ?? null);
      return { result: { ...base, outcome: 'updated' }, queued };
    }

    // 2. A known false positive? Stored and counted, never dispatched.
    const rule = this.suppression.match(alert, policy.now);
    const fp = fingerprint(alert);
    const count = Math.max(1, item.occurrences ?? 1);

    // 3. A repeat of a recent alert (same fingerprint, same suppression): counted on it.
    const repeat = this.stmt.repeatOf.get(fp, new Date(policy.now.getTime() - policy.dedupWindowMs).toISOString());
    if (repeat && (repeat.suppressed_by ?? undefined) === rule?.id) {
      this.stmt.countRepeat.run(count, alert.time, alert.time, now, repeat.id);
      this.stmt.insertUid.run(alert.source, alert.sourceUid, repeat.id, item.occurrences ?? null, item.status ?? null);
      if (repeat.case_id) {
        this.stmt.touchCase.run(now, 0, alert.severity_id, repeat.case_id);
        for (const e of entityKeys(alert.observables)) this.touchEntity(e, repeat.case_id, policy.now);
      }
      const outcome = rule ? 'suppressed' : 'deduplicated';
      return { result: { alertId: repeat.id, caseId: repeat.case_id, outcome, ...(rule ? { suppressedBy: rule.id } : {}) }, queued: false };
    }

    // 4. New: join the open case sharing an entity within the window, or open one.
    let caseId: string | null = null;
    const entities = entityKeys(alert.observables);
    if (!rule) {
      const since = new Date(policy.now.getTime() - policy.correlationWindowMs - ENTITY_REFRESH_MS).toISOString();
      caseId = this.correlate(entities, since);
      if (caseId) this.stmt.touchCase.run(now, 1, alert.severity_id, caseId);
      else {
        caseId = `cs_${alert.id.slice(3)}`;
        this.stmt.insertCase.run(caseId, alert.title, alert.severity_id, now, now);
      }
      for (const e of entities) this.touchEntity(e, caseId, policy.now);
    }
    this.stmt.insertAlert.run({
      id: alert.id,
      source: alert.source,
      source_uid: alert.sourceUid,
      fingerprint: fp,
      time: alert.time,
      severity_id: alert.severity_id,
      title: alert.title,
      rule_name: alert.rule?.name ?? null,
      rule_uid: alert.rule?.uid ?? null,
      observables: JSON.stringify(alert.observables),
      context: alert.cloud || alert.principal ? JSON.stringify({ cloud: alert.cloud, principal: alert.principal }) : null,
      count,
      now,
      case_id: caseId,
      suppressed_by: rule?.id ?? null,
      status: item.status ?? null,
      raw: item.raw,
      raw_truncated: item.rawTruncated ? 1 : 0,
      occurrences: item.occurrences ?? null,
    });
    if (caseId) this.stmt.insertOutbox.run(caseId, alert.id, 'new', now, policy.traceparent ?? null);
    return {
      result: { alertId: alert.id, caseId, outcome: rule ? 'suppressed' : 'new', ...(rule ? { suppressedBy: rule.id } : {}) },
      queued: caseId !== null,
    };
  }

  /** The oldest case that saw one of these entities since `since`, if any. */
  private correlate(entities: string[], since: string): string | null {
    let best: { id: string; created_at: string } | undefined;
    for (const e of entities) {
      for (const c of this.stmt.correlate.all(e, since)) if (!best || c.created_at < best.created_at) best = c;
    }
    return best?.id ?? null;
  }

  /** Marks an entity as seen in a case now — written at most once per ENTITY_REFRESH_MS. */
  private touchEntity(entity: string, caseId: string, now: Date): void {
    const key = `${caseId} ${entity}`;
    const t = now.getTime();
    if (t - (this.entityWritten.get(key) ?? -Infinity) < ENTITY_REFRESH_MS) return;
    if (this.entityWritten.size >= 100_000) this.entityWritten.clear();
    this.entityWritten.set(key, t);
    this.stmt.upsertEntity.run(entity, caseId, now.toISOString());
  }

  private recordHits(id: string, n: number, now: Date): void {
    const row = this.stmt.suppression.get(id);
    if (!row) return; // a configuration rule: counted in memory by the rule set
    const rule = JSON.parse(row.rule) as SuppressionRule;
    rule.hits += n;
    rule.lastHitAt = now.toISOString();
    this.stmt.saveSuppression.run(id, JSON.stringify(rule));
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
      bySource: q<{ source: string; alerts: number }>(`SELECT source, count(*) AS alerts FROM alerts WHERE ${range} GROUP BY source ORDER BY alerts DESC`).all({ since, until }),
      bySuppression: q<{ rule: string; alerts: number }>(`SELECT suppressed_by AS rule, count(*) AS alerts FROM alerts WHERE ${range} AND suppressed_by IS NOT NULL GROUP BY suppressed_by ORDER BY alerts DESC LIMIT 20`).all({ since, until }),
      topRules: q<{ rule: string; alerts: number }>(`SELECT coalesce(rule_name, title) AS rule, count(*) AS alerts FROM alerts WHERE ${range} GROUP BY 1 ORDER BY alerts DESC LIMIT 10`).all({ since, until }),
      topEntities: q<{ entity: string; alerts: number }>(
        `SELECT json_extract(o.value, '$.type') || ':' || json_extract(o.value, '$.value') AS entity, count(DISTINCT a.id) AS alerts FROM alerts a, json_each(a.observables) o WHERE ${range.replace(/received_at/g, 'a.received_at')} GROUP BY 1 ORDER BY alerts DESC LIMIT 10`
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
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.before) {
      const [at, id] = q.before.split('|');
      if (id) {
        where.push('(created_at < ? OR (created_at = ? AND id < ?))');
        params.push(at, at, id);
      } else {
        where.push('created_at < ?');
        params.push(at);
      }
    }
    if (q.since) {
      where.push('created_at >= ?');
      params.push(q.since);
    }
    if (q.until) {
      where.push('created_at < ?');
      params.push(q.until);
    }
    if (q.severityMin !== undefined) {
      where.push('severity_id >= ?');
      params.push(q.severityMin);
    }
    if (q.source) {
      where.push('EXISTS (SELECT 1 FROM alerts a WHERE a.case_id = cases.id AND a.source = ?)');
      params.push(q.source);
    }
    const named = "EXISTS (SELECT 1 FROM alerts a, json_each(a.observables) o WHERE a.case_id = cases.id AND json_extract(o.value, '$.value')";
    if (q.entity) {
      where.push(`${named} = ?)`);
      params.push(q.entity.replace(/^[a-z]+:/, ''));
    }
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(`(title LIKE ? ESCAPE '\\' OR ${named} LIKE ? ESCAPE '\\'))`);
      params.push(like, like);
    }
    const sql = `SELECT * FROM cases${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    let stmt = this.listStmts.get(sql);
    if (!stmt) this.listStmts.set(sql, (stmt = this.db.prepare<unknown[], CaseRow>(sql)));
    return stmt.all(...params, q.limit).map((r) => this.toCase(r));
  }

  async setVerdict(caseId: string, verdict: CaseVerdict, suggestions: SuppressionRule[]): Promise<void> {
    this.db.transaction(() => {
      this.stmt.setVerdict.run(JSON.stringify(verdict), caseId);
      for (const s of suggestions) this.stmt.saveSuppression.run(s.id, JSON.stringify(s));
    })();
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

  /** Rides along with the next group commit, so dispatch costs no fsync of its own. */
  async markDispatched(seqs: number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.enqueue(() => ({ value: undefined, added: -this.markTx(seqs, new Date().toISOString()) }));
  }

  backlog(): number {
    return this.pending;
  }

  async setSuppressionRules(rules: SuppressionRule[]): Promise<void> {
    this.suppression = new SuppressionMatcher(rules);
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
    this.flushNow();
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
    };
  }
}

function toAlert(row: AlertRow): StoredAlert {
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
