// The audit log: who did what to which case, and what came of it — append-only, in a SQLite file
// of its own (audit.db in the data directory). Each entry carries the hash of the one before it,
// so an entry altered or removed after the fact breaks the chain and `verify` names where.
// The chain detects tampering by someone who edits rows; it cannot stop someone who rewrites the
// whole file from the altered entry on — that needs the last hash kept somewhere else.
// Secrets never belong here: callers pass names (the token's name, never the token), and nothing
// in `detail` that would let a reader act as someone — no tokens, passwords, cookies or headers.
// Synchronous and small, like the case record: an append is one short immediate transaction.
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSharedFile } from './shared-file.ts';

export interface AuditEntry {
  seq: number;
  /** ISO 8601, UTC (normalised on append so that since/until compare as strings). */
  at: string;
  /** A person's or a token's name, or 'anonymous'. */
  actor: string;
  role?: string;
  /** What was attempted: 'approval.decide', 'case.undo', 'user.add', 'auth.refused', … */
  action: string;
  /** What it was done to: a case id, or 'case:cs_1/approval:contain-egress'. */
  target?: string;
  caseId?: string;
  /** 'ok' | 'refused' | 'failed', or an HTTP status such as '403'. */
  outcome: string;
  /** The HTTP status answered. */
  status?: number;
  /** The client's address. */
  from?: string;
  detail?: Record<string, unknown>;
  /** Hex sha256 of the previous entry; 64 zeros for the first. */
  prev: string;
  /** sha256(prev + '\n' + canonicalJson(this entry without hash)), hex. */
  hash: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'prev' | 'hash'>;

export interface AuditFilter {
  actor?: string;
  caseId?: string;
  action?: string;
  /** Entries at or after this time (ISO). */
  since?: string;
  /** Entries before this time (ISO), so consecutive windows do not overlap. */
  until?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  /** Cursor: only entries older than this seq (the last seq of the previous page). */
  before?: number;
}

export type AuditVerdict = { ok: true; entries: number } | { ok: false; entries: number; firstBad: number; reason: string };

export const GENESIS = '0'.repeat(64);

const MIGRATIONS = [
  // STRICT: a value of the wrong type is refused rather than converted, so what is stored is
  // exactly what was hashed. AUTOINCREMENT: sqlite_sequence remembers the highest seq ever
  // written, so removing the newest entries is noticed too, and their seqs are never reused.
  // The triggers stop an UPDATE or DELETE through any ordinary connection; the chain is what
  // catches someone who drops them first.
  `
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    target TEXT,
    case_id TEXT,
    outcome TEXT NOT NULL,
    status INTEGER,
    from_addr TEXT,
    detail TEXT,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_actor ON audit(actor, seq);
  CREATE INDEX audit_case ON audit(case_id, seq);
  CREATE INDEX audit_action ON audit(action, seq);
  CREATE INDEX audit_at ON audit(at);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
];

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  case_id: string | null;
  outcome: string;
  status: number | null;
  from_addr: string | null;
  detail: string | null;
  prev: string;
  hash: string;
}

export function auditFile(dataDir: string): string {
  return path.join(dataDir, 'audit.db');
}

export interface AuditLog {
  /** Appends one entry, chained onto the newest; returns it as stored (seq, prev and hash filled in). */
  append(e: NewAuditEntry): Promise<AuditEntry>;
  /** Entries matching every given filter, newest first; page with `before` = the last seq seen. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
  /**
   * Walks the chain from the first entry, one row at a time, and stops at the first entry that
   * is missing, does not point at the hash of the one before, or does not hash to what it says.
   * `entries` is how many entries the log holds. One read transaction: appends meanwhile are not seen.
   */
  verify(): Promise<AuditVerdict>;
  close(): Promise<void>;
}

export class SqliteAuditLog implements AuditLog {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly appendTx: Database.Transaction<(e: NewAuditEntry) => AuditEntry>;
  private readonly listStmts = new Map<string, Database.Statement<unknown[], AuditRow>>();

  /**
   * `readonly` is for readers such as `scripts/audit.ts verify`: the file must exist and already
   * be an audit log, and is neither created nor migrated (a mistyped path must not grow a table).
   */
  constructor(
    readonly file: string,
    options: { readonly?: boolean } = {}
  ) {
    if (options.readonly) {
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
      const table = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'").get();
      if (!table) {
        this.db.close();
        throw new Error(`${file} is not an audit log`);
      }
    } else {
      // The API and the CLI (or two API processes) append to this file at once.
      this.db = openSharedFile(file, MIGRATIONS);
    }
    this.stmt = {
      last: this.db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      highWater: this.db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit'"),
      insert: this.db.prepare(
        'INSERT INTO audit (seq, at, actor, role, action, target, case_id, outcome, status, from_addr, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
      ),
      count: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit'),
      chain: this.db.prepare<[], AuditRow>('SELECT * FROM audit ORDER BY seq'),
    };
    this.appendTx = this.db.transaction((fields: NewAuditEntry) => {
      // Read the tip and write after it under one write lock, so two processes cannot both chain
      // onto the same entry. After the newest entries were removed, the next seq still follows the
      // highest ever written: the gap stays visible instead of being papered over.
      const last = this.stmt.last.get();
      const seq = Math.max(last?.seq ?? 0, this.stmt.highWater.get()?.seq ?? 0) + 1;
      const body = { seq, ...fields, prev: last?.hash ?? GENESIS };
      const entry: AuditEntry = { ...body, hash: hashOf(body) };
      this.stmt.insert.run(
        seq,
        entry.at,
        entry.actor,
        entry.role ?? null,
        entry.action,
        entry.target ?? null,
        entry.caseId ?? null,
        entry.outcome,
        entry.status ?? null,
        entry.from ?? null,
        entry.detail === undefined ? null : JSON.stringify(entry.detail),
        entry.prev,
        entry.hash
      );
      return entry;
    });
  }

  /** Appends one entry, chained onto the newest; returns it as stored (seq, prev and hash filled in). */
  async append(e: NewAuditEntry): Promise<AuditEntry> {
    return this.appendTx.immediate(normalize(e));
  }

  /** Entries matching every given filter, newest first; page with `before` = the last seq seen. */
  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      params.push(value);
    };
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.caseId !== undefined) add('case_id = ?', filter.caseId);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.since !== undefined) add('at >= ?', isoTime(filter.since, 'since'));
    if (filter.until !== undefined) add('at < ?', isoTime(filter.until, 'until'));
    if (filter.before !== undefined) {
      if (!Number.isSafeInteger(filter.before)) throw new RangeError(`before must be a seq: ${filter.before}`);
      add('seq < ?', filter.before);
    }
    const limit = filter.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number from 1: ${limit}`);
    const sql = `SELECT * FROM audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    let stmt = this.listStmts.get(sql);
    if (!stmt) this.listStmts.set(sql, (stmt = this.db.prepare<unknown[], AuditRow>(sql)));
    return stmt.all(...params, Math.min(limit, 1000)).map(fromRow);
  }

  /**
   * Walks the chain from the first entry, one row at a time, and stops at the first entry that
   * is missing, does not point at the hash of the one before, or does not hash to what it says.
   * `entries` is how many entries the log holds. One read transaction: appends meanwhile are not seen.
   */
  async verify(): Promise<AuditVerdict> {
    return this.db.transaction((): AuditVerdict => {
      const entries = this.stmt.count.get()?.n ?? 0;
      const bad = (firstBad: number, reason: string): AuditVerdict => ({ ok: false, entries, firstBad, reason });
      let expected = 1;
      let prev = GENESIS;
      for (const row of this.stmt.chain.iterate()) {
        if (row.seq !== expected) return bad(expected, missing(expected, row.seq - 1, `the next is ${row.seq}`));
        if (row.prev !== prev) return bad(row.seq, expected === 1 ? 'prev is not the start of the chain' : `prev is not the hash of entry ${expected - 1}`);
        let entry: AuditEntry;
        try {
          entry = fromRow(row);
        } catch {
          return bad(row.seq, 'detail is not JSON');
        }
        const { hash, ...body } = entry;
        if (hashOf(body) !== hash) return bad(row.seq, 'its hash does not match its content (altered after it was written)');
        prev = hash;
        expected++;
      }
      const high = this.stmt.highWater.get()?.seq ?? 0;
      if (high >= expected) return bad(expected, missing(expected, high, `entries up to ${high} were written`));
      return { ok: true, entries };
    })();
  }

  async close(): Promise<void> {
    this.db.close();
  }

}

/**
 * JSON with every object's keys sorted, at every depth, and no whitespace: the same entry always
 * gives the same text, whatever order its fields were built in. Takes JSON values only (append
 * passes `detail` through JSON first); undefined object members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function hashOf(body: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(`${body.prev}\n${canonicalJson(body)}`).digest('hex');
}

export function missing(from: number, to: number, context: string): string {
  return from === to ? `missing entry ${from} (${context})` : `missing entries ${from} to ${to} (${context})`;
}

/**
 * The entry exactly as it will read back from SQLite — otherwise its hash would not recompute:
 * absent and null optional fields both become absent, `detail` goes through JSON, a lone UTF-16
 * surrogate (SQLite stores UTF-8) becomes U+FFFD, `at` becomes UTC ISO. Wrong types are refused.
 */
export function normalize(e: NewAuditEntry): NewAuditEntry {
  const required = (name: 'actor' | 'action' | 'outcome'): string => {
    const v: unknown = e[name];
    if (typeof v !== 'string' || v === '') throw new TypeError(`audit entry: ${name} must be a non-empty string`);
    return wellFormed(v);
  };
  const optional = (name: 'role' | 'target' | 'caseId' | 'from'): { [k: string]: string } => {
    const v: unknown = e[name];
    if (v == null) return {};
    if (typeof v !== 'string') throw new TypeError(`audit entry: ${name} must be a string`);
    return { [name]: wellFormed(v) };
  };
  const out: NewAuditEntry = {
    at: isoTime(e.at, 'at'),
    actor: required('actor'),
    ...optional('role'),
    action: required('action'),
    ...optional('target'),
    ...optional('caseId'),
    outcome: required('outcome'),
    ...optional('from'),
  };
  if (e.status != null) {
    if (!Number.isSafeInteger(e.status)) throw new TypeError(`audit entry: status must be a whole number: ${e.status}`);
    out.status = e.status;
  }
  if (e.detail != null) {
    const detail: unknown = JSON.parse(JSON.stringify(e.detail));
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new TypeError('audit entry: detail must be an object');
    out.detail = detail as Record<string, unknown>;
  }
  return out;
}

export function isoTime(value: unknown, name: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`audit: ${name} is not a time: ${String(value)}`);
  return new Date(ms).toISOString();
}

function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export function fromRow(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    ...(r.role !== null ? { role: r.role } : {}),
    action: r.action,
    ...(r.target !== null ? { target: r.target } : {}),
    ...(r.case_id !== null ? { caseId: r.case_id } : {}),
    outcome: r.outcome,
    ...(r.status !== null ? { status: r.status } : {}),
    ...(r.from_addr !== null ? { from: r.from_addr } : {}),
    ...(r.detail !== null ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}),
    prev: r.prev,
    hash: r.hash,
  };
}
