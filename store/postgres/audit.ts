// The audit log on PostgreSQL (RIPOSTE_DATABASE_URL): SqliteAuditLog's chain (../audit.ts), the
// same entries hashed the same way, appended to by every API replica and the CLI at once.
// One chain, whoever appends: each append takes a transaction-level advisory lock (one per schema),
// reads the tip, inserts after it and raises the high-water mark, then commits — the next appender
// waits for the lock and then sees that commit. The high-water mark (audit_high_water, one row) is
// what sqlite_sequence is to the SQLite log: the highest seq ever written, so entries removed from
// the end are noticed and their seqs never reused. Triggers refuse UPDATE, DELETE and TRUNCATE
// of the entries (retention never removes them) and any lowering of the mark; the chain is what
// catches someone who disables the triggers first.
import { fromRow, GENESIS, hashOf, isoTime, missing, normalize, type AuditEntry, type AuditFilter, type AuditLog, type AuditRow, type AuditVerdict, type NewAuditEntry } from '../audit.ts';
import { noNul, type PgDatabase } from './db.ts';

export const AUDIT_MIGRATIONS: string[] = [
  `
  CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    actor TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C",
    action TEXT COLLATE "C" NOT NULL,
    target TEXT COLLATE "C",
    case_id TEXT COLLATE "C",
    outcome TEXT COLLATE "C" NOT NULL,
    status BIGINT,
    from_addr TEXT COLLATE "C",
    detail TEXT COLLATE "C",
    prev TEXT COLLATE "C" NOT NULL,
    hash TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX audit_actor ON audit (actor, seq);
  CREATE INDEX audit_case ON audit (case_id, seq);
  CREATE INDEX audit_action ON audit (action, seq);
  CREATE INDEX audit_at ON audit (at);
  CREATE TABLE audit_high_water (
    one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    seq BIGINT NOT NULL
  );
  INSERT INTO audit_high_water (one, seq) VALUES (true, 0);
  CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
  END
  $$;
  CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
  CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
  CREATE TRIGGER audit_high_water_no_lowering BEFORE UPDATE ON audit_high_water FOR EACH ROW
    WHEN (NEW.seq < OLD.seq OR NEW.one IS DISTINCT FROM OLD.one) EXECUTE FUNCTION audit_append_only();
  CREATE TRIGGER audit_high_water_no_delete BEFORE DELETE ON audit_high_water FOR EACH ROW EXECUTE FUNCTION audit_append_only();
  CREATE TRIGGER audit_high_water_no_truncate BEFORE TRUNCATE ON audit_high_water FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
  `,
];

/** BIGINT columns come back from pg as strings: numbers again, as the SQLite row has them. */
type PgAuditRow = Omit<AuditRow, 'seq' | 'status'> & { seq: string; status: string | null };

const toEntry = (r: PgAuditRow): AuditEntry => fromRow({ ...r, seq: Number(r.seq), status: r.status === null ? null : Number(r.status) });

/** Rows verify reads per round trip; the walk itself goes one row at a time. */
const VERIFY_BATCH = 1000;

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): it becomes U+FFFD before hashing, as a lone
 * surrogate does in normalize, so the entry append returns is the entry that reads back. `detail`
 * is stored as JSON text, where U+0000 is the escape \u0000 and stays as it was.
 */
function storable(e: NewAuditEntry): NewAuditEntry {
  const out: NewAuditEntry = { ...e, actor: noNul(e.actor), action: noNul(e.action), outcome: noNul(e.outcome) };
  for (const k of ['role', 'target', 'caseId', 'from'] as const) {
    const v = e[k];
    if (v !== undefined) out[k] = noNul(v);
  }
  return out;
}

export class PgAuditLog implements AuditLog {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the tables (once across replicas) and returns the log; the pool stays the caller's. */
  static async open(db: PgDatabase): Promise<PgAuditLog> {
    await db.migrate('audit', AUDIT_MIGRATIONS);
    return new PgAuditLog(db);
  }

  async append(e: NewAuditEntry): Promise<AuditEntry> {
    const fields = storable(normalize(e));
    return this.db.transaction(async (tx) => {
      // One appender at a time per schema (the log's tables live in the schema first on the path).
      // Only after the lock is held does the next statement take its snapshot, so it sees the tip
      // the previous holder committed.
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('riposte-audit:' || current_schema(), 0))");
      const tip = (
        await tx.query<{ last: string | null; hash: string | null; high: string }>(
          `SELECT a.seq AS last, a.hash, (SELECT seq FROM audit_high_water) AS high
             FROM (SELECT 1) one LEFT JOIN (SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1) a ON true`
        )
      ).rows[0];
      // After the newest entries were removed, the next seq still follows the highest ever
      // written: the gap stays visible instead of being papered over.
      const seq = Math.max(Number(tip?.last ?? 0), Number(tip?.high ?? 0)) + 1;
      const body = { seq, ...fields, prev: tip?.hash ?? GENESIS };
      const entry: AuditEntry = { ...body, hash: hashOf(body) };
      await tx.query(
        `WITH added AS (
           INSERT INTO audit (seq, at, actor, role, action, target, case_id, outcome, status, from_addr, detail, prev, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13))
         UPDATE audit_high_water SET seq = $1 WHERE seq < $1`,
        [
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
          entry.hash,
        ]
      );
      return entry;
    });
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (column: string, op: string, value: unknown) => where.push(`${column} ${op} $${params.push(value)}`);
    if (filter.actor !== undefined) add('actor', '=', filter.actor);
    if (filter.caseId !== undefined) add('case_id', '=', filter.caseId);
    if (filter.action !== undefined) add('action', '=', filter.action);
    if (filter.since !== undefined) add('at', '>=', isoTime(filter.since, 'since'));
    if (filter.until !== undefined) add('at', '<', isoTime(filter.until, 'until'));
    if (filter.before !== undefined) {
      if (!Number.isSafeInteger(filter.before)) throw new RangeError(`before must be a seq: ${filter.before}`);
      add('seq', '<', filter.before);
    }
    const limit = filter.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number from 1: ${limit}`);
    const sql = `SELECT * FROM audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.push(Math.min(limit, 1000))}`;
    return (await this.db.rows<PgAuditRow>(sql, params)).map(toEntry);
  }

  async verify(): Promise<AuditVerdict> {
    return this.db.transaction<AuditVerdict>(async (tx) => {
      // One snapshot for the count, the mark and the walk: appends meanwhile are not seen.
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const counted = await tx.query<{ n: string; high: string | null }>('SELECT count(*) AS n, (SELECT seq FROM audit_high_water) AS high FROM audit');
      const entries = Number(counted.rows[0]?.n ?? 0);
      const high = Number(counted.rows[0]?.high ?? 0);
      const bad = (firstBad: number, reason: string): AuditVerdict => ({ ok: false, entries, firstBad, reason });
      await tx.query('DECLARE chain NO SCROLL CURSOR FOR SELECT * FROM audit ORDER BY seq');
      let expected = 1;
      let prev = GENESIS;
      for (;;) {
        const batch = await tx.query<PgAuditRow>(`FETCH FORWARD ${VERIFY_BATCH} FROM chain`);
        for (const row of batch.rows) {
          const seq = Number(row.seq);
          if (seq !== expected) return bad(expected, missing(expected, seq - 1, `the next is ${seq}`));
          if (row.prev !== prev) return bad(seq, expected === 1 ? 'prev is not the start of the chain' : `prev is not the hash of entry ${expected - 1}`);
          let entry: AuditEntry;
          try {
            entry = toEntry(row);
          } catch {
            return bad(seq, 'detail is not JSON');
          }
          const { hash, ...body } = entry;
          if (hashOf(body) !== hash) return bad(seq, 'its hash does not match its content (altered after it was written)');
          prev = hash;
          expected++;
        }
        if (batch.rows.length < VERIFY_BATCH) break;
      }
      if (high >= expected) return bad(expected, missing(expected, high, `entries up to ${high} were written`));
      return { ok: true, entries };
    });
  }

  /** Nothing to release: the pool is the caller's (it may serve other stores). */
  async close(): Promise<void> {}
}

