// The indicator store on PostgreSQL (RIPOSTE_DATABASE_URL): SqliteIndicatorStore's behaviour
// (../indicators.ts), shared by the API (analysts' indicators, hunts) and every worker (feeds,
// sweeps) at once. What SQLite got from running one writer at a time is said here explicitly:
//  - an analyst's indicator added twice at once is added once (the second finds the first);
//  - a sweep recorded by two workers at once (a retried activity) is recorded once, its
//    sightings counted once (INSERT … ON CONFLICT DO NOTHING, the loser reads the winner's run);
//  - rows that tie in an ordering come back in the order they were first written, as SQLite's
//    rowid order has them (the `n` column).
// An indicator's value may be longer than a btree entry can hold (a URL from a feed): its
// uniqueness is on md5(value), and every lookup by value also compares the value itself.
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { indicatorKey, type Indicator, type IndicatorType } from '../../core/indicator.ts';
import { toIndicator, type IndicatorRow, type IndicatorStore, type StoredIndicator, type SweepRun, type SweepSighting } from '../indicators.ts';
import { noNul, type PgDatabase } from './db.ts';

export const INDICATOR_MIGRATIONS: string[] = [
  `
  CREATE TABLE indicators (
    n BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    type TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    reference TEXT,
    description TEXT,
    first_seen TEXT COLLATE "C",
    expires_at TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT COLLATE "C",
    revoked_by TEXT,
    sightings BIGINT NOT NULL DEFAULT 0,
    last_seen_at TEXT COLLATE "C"
  );
  CREATE UNIQUE INDEX indicators_value ON indicators (type, md5(value), source);
  CREATE TABLE sweeps (
    n BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    started_at TEXT COLLATE "C" NOT NULL,
    run TEXT NOT NULL
  );
  CREATE INDEX sweeps_started ON sweeps (started_at, n);
  CREATE TABLE sweep_sightings (
    sweep_id TEXT COLLATE "C" NOT NULL,
    seq INTEGER NOT NULL,
    sighting TEXT NOT NULL,
    PRIMARY KEY (sweep_id, seq)
  );
  CREATE TABLE indicator_watermarks (
    name TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
];

/** BIGINT comes back from pg as a string; `n` is the row's place in write order. */
type PgIndicatorRow = Omit<IndicatorRow, 'sightings'> & { sightings: string; n?: string };

const toStored = (r: PgIndicatorRow): StoredIndicator => toIndicator({ ...r, sightings: Number(r.sightings) });

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): every query parameter is stored, and looked up,
 * as U+FFFD (`PgDatabase`); a feed's rows are folded on the values as they will be stored. JSON
 * text (runs, sightings) keeps it as the escape \u0000.
 */
const text = (s: string | null | undefined): string | null => s ?? null;

/** The same row, looked up by value: md5 for the index, the value itself for certainty. */
const BY_VALUE = 'type = $1 AND md5(value) = md5($2) AND value = $2';

/** Feed indicators per INSERT statement. */
const FEED_CHUNK = 1000;

export class PgIndicatorStore implements IndicatorStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the tables (once across replicas) and returns the store; the pool stays the caller's. */
  static async open(db: PgDatabase): Promise<PgIndicatorStore> {
    await db.migrate('indicators', INDICATOR_MIGRATIONS);
    return new PgIndicatorStore(db);
  }

  /** An analyst's indicator; an active one with the same type and value answers `existing`. */
  async addAnalyst(i: { type: IndicatorType; value: string; description?: string; expiresAt?: string; createdBy: string }, now = new Date()): Promise<{ indicator: StoredIndicator; existing: boolean }> {
    const { type, value } = i;
    return this.db.transaction(async (tx) => {
      // Two analysts adding the same value at once: the one whose insert loses reads the winner's
      // row on the next turn (each statement sees what was committed before it started).
      for (let turn = 0; turn < 5; turn++) {
        const row = (await tx.query<PgIndicatorRow>(`SELECT * FROM indicators WHERE ${BY_VALUE} AND source = 'analyst' FOR UPDATE`, [type, value])).rows[0];
        if (row && !row.revoked_at && !(row.expires_at && row.expires_at <= now.toISOString())) return { indicator: toStored(row), existing: true };
        if (row) await tx.query('DELETE FROM indicators WHERE id = $1', [row.id]); // revoked or expired: a new one replaces it
        const id = `ind_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
        const added = (
          await tx.query<PgIndicatorRow>(
            `INSERT INTO indicators (id, type, value, source, description, expires_at, created_at, created_by)
             VALUES ($1, $2, $3, 'analyst', $4, $5, $6, $7)
             ON CONFLICT (type, md5(value), source) DO NOTHING RETURNING *`,
            [id, type, value, text(i.description), text(i.expiresAt), now.toISOString(), i.createdBy]
          )
        ).rows[0];
        if (added) return { indicator: toStored(added), existing: false };
      }
      throw new Error(`indicator ${i.type} ${i.value.slice(0, 100)}: still contended after 5 turns`);
    });
  }

  /** Feed indicators: new ones are added, known ones get their newer expiry; returns how many were new. */
  async upsertFeed(indicators: Indicator[], now = new Date()): Promise<number> {
    // One row per (type, value, source), where its first mention stands, folded as SQLite's
    // statement-per-indicator would leave it: the last mention's expiry, the last reference given,
    // the first mention's description and first sighting (kept only by the insert).
    type Folded = { id: string; type: string; value: string; source: string; reference: string | null; description: string | null; firstSeen: string | null; expiresAt: string | null; mentions: number };
    const folded = new Map<string, Folded>();
    for (const i of indicators) {
      const type = noNul(i.type);
      const value = noNul(i.value);
      const source = noNul(i.source);
      const key = JSON.stringify([type, value, source]);
      const reference = text(i.reference);
      const seen = folded.get(key);
      if (seen) {
        seen.expiresAt = text(i.expiresAt);
        seen.reference = reference ?? seen.reference;
        seen.mentions += 1;
        continue;
      }
      const id = `ind_${createHash('sha256').update(`${i.source}|${indicatorKey(i)}`).digest('hex').slice(0, 16)}`;
      folded.set(key, { id, type, value, source, reference, description: text(i.description), firstSeen: text(i.firstSeen), expiresAt: text(i.expiresAt), mentions: 1 });
    }
    const rows = [...folded.values()];
    if (rows.length === 0) return 0;
    const sources = [...new Set(rows.map((r) => r.source))].sort();
    return this.db.transaction(async (tx) => {
      // One pull of a feed stored at a time (two workers pulling one feed at once wait in turn, as
      // on SQLite), so their rows are written in the pull's order without deadlocking each other.
      for (const source of sources) await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('riposte-feed:' || current_schema() || ':' || $1, 0))", [source]);
      let added = 0;
      for (let at = 0; at < rows.length; at += FEED_CHUNK) {
        const chunk = rows.slice(at, at + FEED_CHUNK);
        const col = (f: (r: Folded) => string | null) => chunk.map(f);
        // xmax = 0: the row was inserted by this statement, not updated.
        const result = await tx.query<{ id: string; type: string; value: string; source: string; inserted: boolean }>(
          `INSERT INTO indicators (id, type, value, source, reference, description, first_seen, expires_at, created_at, created_by)
           SELECT u.id, u.type, u.value, u.source, u.reference, u.description, u.first_seen, u.expires_at, $9, u.source
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                  WITH ORDINALITY AS u(id, type, value, source, reference, description, first_seen, expires_at, ord)
            ORDER BY u.ord
           ON CONFLICT (type, md5(value), source) DO UPDATE
             SET expires_at = EXCLUDED.expires_at, reference = COALESCE(EXCLUDED.reference, indicators.reference)
           RETURNING id, type, value, source, (xmax = 0) AS inserted`,
          [
            col((r) => r.id),
            col((r) => r.type),
            col((r) => r.value),
            col((r) => r.source),
            col((r) => r.reference),
            col((r) => r.description),
            col((r) => r.firstSeen),
            col((r) => r.expiresAt),
            now.toISOString(),
          ]
        );
        for (const r of result.rows) {
          const mine = folded.get(JSON.stringify([r.type, r.value, r.source]));
          if (!mine) continue;
          // New as SQLite counts it: its id was not there before. An update of a row under another
          // id (an analyst's, for a feed named `analyst`) counts each mention, as SQLite's does.
          if (r.inserted) added += 1;
          else if (r.id !== mine.id) added += mine.mentions;
        }
      }
      return added;
    });
  }

  async get(id: string): Promise<StoredIndicator | undefined> {
    const row = await this.db.row<PgIndicatorRow>('SELECT * FROM indicators WHERE id = $1', [id]);
    return row ? toStored(row) : undefined;
  }

  async list(opts: { source?: string; active?: boolean; limit: number; after?: string }, now = new Date()): Promise<StoredIndicator[]> {
    const where: string[] = [];
    const params: string[] = [];
    const p = (v: string) => `$${params.push(v)}`;
    if (opts.source) where.push(`source = ${p(opts.source)}`);
    if (opts.active) where.push(`revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${p(now.toISOString())})`);
    if (opts.after) where.push(`id > ${p(opts.after)}`);
    const sql = `SELECT * FROM indicators ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${Math.max(1, Math.min(opts.limit, 5000))}`;
    return (await this.db.rows<PgIndicatorRow>(sql, params)).map(toStored);
  }

  /** Active indicators for a sweep: analysts' first, then the feeds', newest first. */
  async active(limit: number, now = new Date()): Promise<StoredIndicator[]> {
    const rows = await this.db.rows<PgIndicatorRow>(
      `SELECT * FROM indicators WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
       ORDER BY source = 'analyst' DESC, created_at DESC, n LIMIT $2`,
      // SQLite reads a negative limit as none.
      [now.toISOString(), limit < 0 ? null : limit]
    );
    return rows.map(toStored);
  }

  async revoke(id: string, by: string, now = new Date()): Promise<StoredIndicator | undefined> {
    // The revoked row, or (already revoked) the row as it was: one statement, one snapshot.
    const row = await this.db.row<PgIndicatorRow>(
      `WITH revoked AS (UPDATE indicators SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL RETURNING *)
       SELECT * FROM revoked
       UNION ALL
       SELECT * FROM indicators WHERE id = $3 AND NOT EXISTS (SELECT 1 FROM revoked)`,
      [now.toISOString(), by, id]
    );
    return row ? toStored(row) : undefined;
  }

  async watermark(name: string): Promise<string | undefined> {
    return (await this.db.row<{ value: string }>('SELECT value FROM indicator_watermarks WHERE name = $1', [name]))?.value;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    await this.db.query('INSERT INTO indicator_watermarks (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value', [name, value]);
  }

  /** Records a sweep once (a retried activity finds it); counts each indicator's sightings. */
  async recordSweep(run: SweepRun, sightings: SweepSighting[]): Promise<SweepRun> {
    return this.db.transaction(async (tx) => {
      // Two workers recording one run at once: the second insert waits for the first to commit,
      // then does nothing, and reads the first's run.
      const inserted = await tx.query('INSERT INTO sweeps (id, started_at, run) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id', [
        run.id,
        text(run.startedAt),
        JSON.stringify(run),
      ]);
      if (inserted.rowCount === 0) {
        const done = (await tx.query<{ run: string }>('SELECT run FROM sweeps WHERE id = $1', [run.id])).rows[0];
        if (!done) throw new Error(`sweep ${run.id}: neither recorded nor recordable`);
        return JSON.parse(done.run) as SweepRun;
      }
      if (sightings.length === 0) return run;
      await tx.query(
        `INSERT INTO sweep_sightings (sweep_id, seq, sighting)
         SELECT $1, s.ord - 1, s.sighting FROM unnest($2::text[]) WITH ORDINALITY AS s(sighting, ord)`,
        [run.id, sightings.map((s) => JSON.stringify(s))]
      );
      await countSightings(tx, sightings);
      return run;
    });
  }

  async sweeps(limit: number, before?: string): Promise<SweepRun[]> {
    const rows = await this.db.rows<{ run: string }>('SELECT run FROM sweeps WHERE started_at < $1 ORDER BY started_at DESC, n LIMIT $2', [
      before ?? '9999',
      Math.max(1, Math.min(limit, 100)),
    ]);
    return rows.map((r) => JSON.parse(r.run) as SweepRun);
  }

  async sweep(id: string): Promise<{ run: SweepRun; sightings: SweepSighting[] } | undefined> {
    const row = await this.db.row<{ run: string }>('SELECT run FROM sweeps WHERE id = $1', [id]);
    if (!row) return undefined;
    const sightings = (await this.db.rows<{ sighting: string }>('SELECT sighting FROM sweep_sightings WHERE sweep_id = $1 ORDER BY seq', [id])).map((r) => JSON.parse(r.sighting) as SweepSighting);
    return { run: JSON.parse(row.run) as SweepRun, sightings };
  }

  /** The pool is the caller's: nothing of the store's own to close. */
  async close(): Promise<void> {}
}

/**
 * Each sighting adds one to every indicator of its type and value (whatever the source), and
 * moves its last sighting to the latest seen — SQLite's statement per sighting, in one statement:
 * n sightings add n, the latest time (in byte order, as SQLite's max() compares) wins. Rows are
 * locked in id order first, so two sweeps counting the same indicators cannot deadlock.
 */
async function countSightings(tx: pg.PoolClient, sightings: SweepSighting[]): Promise<void> {
  const params = [sightings.map((s) => text(s.indicator.type)), sightings.map((s) => text(s.indicator.value)), sightings.map((s) => text(s.at))];
  const seen = `SELECT type, value, count(*) AS hits, max(at COLLATE "C") AS at
                  FROM unnest($1::text[], $2::text[], $3::text[]) AS u(type, value, at) GROUP BY type, value`;
  await tx.query(
    `SELECT 1 FROM indicators i JOIN (${seen}) s ON md5(i.value) = md5(s.value) AND i.type = s.type AND i.value = s.value
      ORDER BY i.id FOR UPDATE OF i`,
    params
  );
  await tx.query(
    `UPDATE indicators i SET sightings = i.sightings + s.hits, last_seen_at = GREATEST(COALESCE(i.last_seen_at, s.at) COLLATE "C", s.at COLLATE "C")
       FROM (${seen}) s
      WHERE md5(i.value) = md5(s.value) AND i.type = s.type AND i.value = s.value`,
    params
  );
}
