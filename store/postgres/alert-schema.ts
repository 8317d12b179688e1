// The alert store's tables on PostgreSQL: the SQLite store's columns (../rows.ts reads both),
// with text in byte order (COLLATE "C": ids and ISO times sort as they do in SQLite whatever the
// database's locale), and what several API replicas need: dispatch leases.
export const ALERT_MIGRATIONS: string[] = [
  `
  CREATE TABLE alerts (
    n BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    source TEXT COLLATE "C" NOT NULL,
    source_uid TEXT COLLATE "C" NOT NULL,
    fingerprint TEXT COLLATE "C" NOT NULL,
    time TEXT COLLATE "C" NOT NULL,
    severity_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    rule_name TEXT,
    rule_uid TEXT,
    observables TEXT NOT NULL,
    context TEXT,
    count INTEGER NOT NULL,
    first_seen TEXT COLLATE "C" NOT NULL,
    last_seen TEXT COLLATE "C" NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    last_received_at TEXT COLLATE "C" NOT NULL,
    case_id TEXT COLLATE "C",
    suppressed_by TEXT COLLATE "C",
    status TEXT,
    raw TEXT NOT NULL,
    raw_truncated BOOLEAN NOT NULL,
    occurrences INTEGER
  );
  CREATE INDEX alerts_fingerprint ON alerts (fingerprint, last_received_at);
  CREATE INDEX alerts_case ON alerts (case_id, received_at);
  CREATE INDEX alerts_received ON alerts (received_at);
  CREATE INDEX alerts_n ON alerts (n);
  CREATE TABLE alert_uids (
    source TEXT COLLATE "C" NOT NULL,
    uid TEXT COLLATE "C" NOT NULL,
    alert_id TEXT COLLATE "C" NOT NULL,
    occurrences INTEGER,
    status TEXT,
    PRIMARY KEY (source, uid)
  );
  CREATE INDEX alert_uids_alert ON alert_uids (alert_id);
  CREATE TABLE cases (
    id TEXT COLLATE "C" PRIMARY KEY,
    title TEXT NOT NULL,
    severity_id INTEGER NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    last_alert_at TEXT COLLATE "C" NOT NULL,
    alert_count INTEGER NOT NULL,
    verdict TEXT
  );
  CREATE INDEX cases_created ON cases (created_at, id);
  CREATE INDEX cases_last_alert ON cases (last_alert_at);
  CREATE TABLE case_entities (
    entity TEXT COLLATE "C" NOT NULL,
    case_id TEXT COLLATE "C" NOT NULL,
    last_seen TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (entity, case_id)
  );
  CREATE INDEX case_entities_case ON case_entities (case_id);
  CREATE INDEX case_entities_seen ON case_entities (last_seen);
  CREATE TABLE outbox (
    seq BIGSERIAL PRIMARY KEY,
    case_id TEXT COLLATE "C" NOT NULL,
    alert_id TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    dispatched_at TEXT COLLATE "C",
    trace TEXT
  );
  CREATE INDEX outbox_pending ON outbox (case_id, seq) WHERE dispatched_at IS NULL;
  -- Which API replica dispatches a case's outbox rows, until when: one at a time, so a case's
  -- alerts reach it in order (a case ignores sequence numbers below the last it handled).
  CREATE TABLE dispatch_leases (
    case_id TEXT COLLATE "C" PRIMARY KEY,
    owner TEXT NOT NULL,
    until TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE requests (
    key TEXT COLLATE "C" PRIMARY KEY,
    body_sha TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX requests_created ON requests (created_at);
  CREATE TABLE suppressions (id TEXT COLLATE "C" PRIMARY KEY, rule TEXT NOT NULL);
  `,
  // Triage (domain/triage.ts): each alert's assessment on arrival; a case's highest priority and
  // the assessment behind it, so the inbox sorts by it.
  `
  ALTER TABLE alerts ADD COLUMN triage TEXT;
  ALTER TABLE cases ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE cases ADD COLUMN triage TEXT;
  CREATE INDEX cases_priority ON cases (priority, created_at, id);
  CREATE INDEX cases_verdict_last_alert ON cases (last_alert_at) WHERE verdict IS NOT NULL;
  `,
];
