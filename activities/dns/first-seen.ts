// "Has this domain ever been seen before?" — each domain's first sighting (time, source, host),
// kept by the worker in data/first-seen.db. A never-seen domain contacted by a host is one of the
// strongest command-and-control signals there is. Recording is idempotent per key, so a retried
// activity gets the answer the first attempt got (a domain is "new" exactly once).
//
// Beside "seen", the store keeps two things the first-seen domain source and its playbook need:
// - alerts: "alerted" is kept apart from "seen". The log importer (`npm run logs:import --
//   --alert`) records a new domain as seen and queues its alert in one transaction; the alert
//   leaves the queue only once the API has accepted it, so a failed post is posted again on the
//   next run and a first sighting is never lost.
// - verdicts: what a playbook concluded about a domain ("benign, case X, at T"), idempotent per key.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface Sighting {
  at: string;
  source: string;
  host?: string;
}

export interface SightingAnswer {
  domain: string;
  /** True only for the sighting that recorded the domain first. */
  isNew: boolean;
  first: Sighting;
  /** Sightings recorded so far, this one included. */
  sightings: number;
}

/** One domain a log line named, with the sighting it makes. */
export interface LogSighting {
  domain: string;
  sighting: Sighting;
}

/** A first sighting whose alert the API has not accepted yet. */
export interface PendingAlert {
  domain: string;
  first: Sighting;
  sightings: number;
  queuedAt: string;
  attempts: number;
  lastError?: string;
}

export const DomainVerdict = { benign: 'benign', suspicious: 'suspicious', malicious: 'malicious' } as const;
export type DomainVerdict = (typeof DomainVerdict)[keyof typeof DomainVerdict];

/** What a playbook concluded about a domain, and where. */
export interface RememberedVerdict {
  domain: string;
  verdict: DomainVerdict;
  caseId: string;
  at: string;
  reason?: string;
}

export class FirstSeenStore {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly log;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS domains (domain TEXT PRIMARY KEY, first_at TEXT NOT NULL, first_source TEXT NOT NULL, first_host TEXT, sightings INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS recorded (key TEXT PRIMARY KEY, answer TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS alerts (domain TEXT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('pending', 'posted')), queued_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, posted_at TEXT, alert_id TEXT, case_id TEXT);
      CREATE INDEX IF NOT EXISTS alerts_pending ON alerts(state, queued_at);
      CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, domain TEXT NOT NULL, verdict TEXT NOT NULL, case_id TEXT NOT NULL, at TEXT NOT NULL, reason TEXT);
      CREATE INDEX IF NOT EXISTS verdicts_domain ON verdicts(domain, at);
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    this.stmt = {
      domain: this.db.prepare<[string], { first_at: string; first_source: string; first_host: string | null; sightings: number }>('SELECT * FROM domains WHERE domain = ?'),
      insert: this.db.prepare('INSERT INTO domains (domain, first_at, first_source, first_host, sightings) VALUES (?, ?, ?, ?, 1)'),
      count: this.db.prepare('UPDATE domains SET sightings = sightings + 1 WHERE domain = ?'),
      recorded: this.db.prepare<[string], { answer: string }>('SELECT answer FROM recorded WHERE key = ?'),
      remember: this.db.prepare('INSERT INTO recorded (key, answer) VALUES (?, ?)'),
    };
    this.log = {
      insert: this.db.prepare('INSERT INTO domains (domain, first_at, first_source, first_host, sightings) VALUES (?, ?, ?, ?, ?) ON CONFLICT (domain) DO UPDATE SET sightings = sightings + excluded.sightings'),
      queue: this.db.prepare("INSERT INTO alerts (domain, state, queued_at) VALUES (?, 'pending', ?) ON CONFLICT (domain) DO NOTHING"),
      pending: this.db.prepare<[number], { domain: string; queued_at: string; attempts: number; last_error: string | null }>(
        "SELECT domain, queued_at, attempts, last_error FROM alerts WHERE state = 'pending' ORDER BY queued_at, domain LIMIT ?"
      ),
      posted: this.db.prepare("UPDATE alerts SET state = 'posted', posted_at = ?, alert_id = ?, case_id = ?, last_error = NULL WHERE domain = ?"),
      failed: this.db.prepare("UPDATE alerts SET attempts = attempts + 1, last_error = ? WHERE domain = ? AND state = 'pending'"),
      alert: this.db.prepare<[string], { state: string; posted_at: string | null; alert_id: string | null; case_id: string | null }>('SELECT state, posted_at, alert_id, case_id FROM alerts WHERE domain = ?'),
      meta: this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?'),
      setMeta: this.db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      verdictByKey: this.db.prepare<[string], VerdictRow>('SELECT * FROM verdicts WHERE key = ?'),
      latestVerdict: this.db.prepare<[string], VerdictRow>('SELECT * FROM verdicts WHERE domain = ? ORDER BY at DESC, rowid DESC LIMIT 1'),
      addVerdict: this.db.prepare('INSERT INTO verdicts (key, domain, verdict, case_id, at, reason) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING'),
      domains: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM domains'),
    };
  }

  /** The first sighting of a domain, or null if it was never seen. */
  first(domain: string): { first: Sighting; sightings: number } | null {
    const row = this.stmt.domain.get(domain);
    return row ? { first: { at: row.first_at, source: row.first_source, ...(row.first_host ? { host: row.first_host } : {}) }, sightings: row.sightings } : null;
  }

  /** Records a sighting once per key; the same key answers the same again. */
  record(key: string, domain: string, sighting: Sighting): SightingAnswer {
    return this.db
      .transaction((): SightingAnswer => {
        const done = this.stmt.recorded.get(key);
        if (done) return JSON.parse(done.answer) as SightingAnswer;
        const known = this.first(domain);
        if (known) this.stmt.count.run(domain);
        else this.stmt.insert.run(domain, sighting.at, sighting.source, sighting.host ?? null);
        const answer: SightingAnswer = known
          ? { domain, isNew: false, first: known.first, sightings: known.sightings + 1 }
          : { domain, isNew: true, first: sighting, sightings: 1 };
        this.stmt.remember.run(key, JSON.stringify(answer));
        return answer;
      })
      .immediate();
  }

  // ---- The first-seen domain source (the log importer) ----------------------------------------

  /**
   * Records what one batch of log lines saw, in one transaction: each domain's first sighting (the
   * earliest in the batch, for a domain new to the store) and its count. With `alert`, every domain
   * this batch is the first to record is queued for an alert in the same transaction. Returns the
   * domains that were new.
   */
  recordLogSightings(entries: LogSighting[], opts: { alert: boolean; now?: string }): string[] {
    const batch = new Map<string, { first: Sighting; count: number }>();
    for (const { domain, sighting } of entries) {
      const b = batch.get(domain);
      if (!b) batch.set(domain, { first: sighting, count: 1 });
      else {
        b.count += 1;
        if (sighting.at < b.first.at) b.first = sighting;
      }
    }
    const queuedAt = opts.now ?? new Date().toISOString();
    return this.db
      .transaction((): string[] => {
        const fresh: string[] = [];
        for (const [domain, { first, count }] of batch) {
          const known = this.stmt.domain.get(domain);
          this.log.insert.run(domain, first.at, first.source, first.host ?? null, count);
          if (known) continue;
          fresh.push(domain);
          if (opts.alert) this.log.queue.run(domain, queuedAt);
        }
        return fresh;
      })
      .immediate();
  }

  /** First sightings whose alerts wait to be posted, oldest first. */
  pendingAlerts(limit = 1000): PendingAlert[] {
    return this.log.pending.all(limit).flatMap((r) => {
      const known = this.first(r.domain);
      if (!known) return [];
      return [{ domain: r.domain, first: known.first, sightings: known.sightings, queuedAt: r.queued_at, attempts: r.attempts, ...(r.last_error ? { lastError: r.last_error } : {}) }];
    });
  }

  /** The API accepted the domain's alert: it leaves the queue for good. */
  markAlerted(domain: string, posted: { at: string; alertId?: string; caseId?: string | null }): void {
    this.log.posted.run(posted.at, posted.alertId ?? null, posted.caseId ?? null, domain);
  }

  /** A post failed: the alert stays queued for the next run, with the attempt counted. */
  markAlertFailed(domain: string, error: string): void {
    this.log.failed.run(error.slice(0, 500), domain);
  }

  /** Where a domain's alert stands: never queued, pending, or posted (and as which alert). */
  alertState(domain: string): { state: 'none' } | { state: 'pending' } | { state: 'posted'; at: string; alertId?: string; caseId?: string } {
    const row = this.log.alert.get(domain);
    if (!row) return { state: 'none' };
    if (row.state === 'pending') return { state: 'pending' };
    return { state: 'posted', at: row.posted_at ?? '', ...(row.alert_id ? { alertId: row.alert_id } : {}), ...(row.case_id ? { caseId: row.case_id } : {}) };
  }

  /** When the estate's history was first imported as the baseline (`--baseline`), if ever. */
  baselineAt(): string | undefined {
    return this.log.meta.get('baseline_at')?.value;
  }

  markBaseline(at: string): void {
    if (!this.baselineAt()) this.log.setMeta.run('baseline_at', at);
  }

  /** Domains recorded so far. */
  count(): number {
    return this.log.domains.get()?.n ?? 0;
  }

  // ---- Verdicts -------------------------------------------------------------------------------

  /** Remembers a verdict once per key; the same key answers the first verdict again. */
  rememberVerdict(key: string, v: RememberedVerdict): { remembered: RememberedVerdict; already: boolean } {
    return this.db
      .transaction(() => {
        const done = this.log.verdictByKey.get(key);
        if (done) return { remembered: fromVerdictRow(done), already: true };
        this.log.addVerdict.run(key, v.domain, v.verdict, v.caseId, v.at, v.reason ?? null);
        return { remembered: v, already: false };
      })
      .immediate();
  }

  /** The latest verdict remembered for a domain. */
  verdictOf(domain: string): RememberedVerdict | undefined {
    const row = this.log.latestVerdict.get(domain);
    return row ? fromVerdictRow(row) : undefined;
  }

  close(): void {
    this.db.close();
  }
}

interface VerdictRow {
  key: string;
  domain: string;
  verdict: string;
  case_id: string;
  at: string;
  reason: string | null;
}

function fromVerdictRow(r: VerdictRow): RememberedVerdict {
  return { domain: r.domain, verdict: r.verdict as DomainVerdict, caseId: r.case_id, at: r.at, ...(r.reason ? { reason: r.reason } : {}) };
}
