// The alert store's SQLite schema: its migrations (numbered by user_version), the columns and
// how a file is opened (WAL, sync level, cache). The rows both stores read are ../rows.ts.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const MIGRATIONS: string[] = [
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
  // Triage (domain/triage.ts): each alert's assessment on arrival; a case's highest priority and
  // the assessment behind it, so the inbox sorts by it.
  `
  ALTER TABLE alerts ADD COLUMN triage TEXT;
  ALTER TABLE cases ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE cases ADD COLUMN triage TEXT;
  CREATE INDEX cases_priority ON cases(priority, created_at, id);
  CREATE INDEX cases_verdict_last_alert ON cases(last_alert_at) WHERE verdict IS NOT NULL;
  `,
];

export interface SqliteStoreOptions {
  /** `full` survives power loss; `normal` survives a killed process (WAL). */
  synchronous?: 'full' | 'normal';
  /**
   * How long a write may wait for others to share its commit (default 10 ms). Only under load:
   * when the last commit held a single write, the next waits just GROUP_MIN_MS.
   */
  groupCommitMs?: number;
}

/** Opens (and creates) the store's file with its pragmas, and brings its schema up to date. */
export function openStoreFile(file: string, opts: SqliteStoreOptions = {}): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  // A 64 MiB page cache and memory-mapped reads: the hot indexes (fingerprints, entities,
  // source ids) stay in memory instead of costing a read syscall per lookup.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  // Checkpoint every ~40 MiB of WAL rather than 4 MiB: the hot index pages are rewritten by
  // nearly every commit, and a rarer checkpoint copies each of them to the database once.
  db.pragma('wal_autocheckpoint = 10000');
  migrate(db);
  return db;
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
