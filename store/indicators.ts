// Indicators to look for and the record of each retro-hunt (IOC sweep), in a small SQLite file
// under the data dir (indicators.db): the API adds and revokes analysts' indicators and lists
// hunts; the worker's sweep stores what the feeds pulled, reads the active indicators, and
// records each run with its sightings and the watermark the next run starts from.
// Synchronous and small on purpose: a handful of statements per request or per sweep.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { indicatorKey, type Indicator, type IndicatorType } from '../core/indicator.ts';

export interface StoredIndicator extends Indicator {
  id: string;
  createdAt: string;
  createdBy: string;
  /** Set when an analyst revoked it (DELETE /v1/indicators/{id}). */
  revokedAt?: string;
  revokedBy?: string;
  /** How many sightings sweeps have found. */
  sightings: number;
  lastSeenAt?: string;
}

export interface SweepSighting {
  indicator: { type: string; value: string; source: string };
  at: string;
  host?: string;
  backend: string;
  where: string;
  excerpt: string;
  /** The alert it became (its id), once reported. */
  alertId?: string;
}

export interface SweepRun {
  id: string;
  startedAt: string;
  finishedAt: string;
  /** The window searched. */
  from: string;
  to: string;
  status: 'ok' | 'partial' | 'failed' | 'dry-run';
  indicators: number;
  sightings: number;
  alerts: number;
  /** Per feed: what was pulled (or why not). */
  feeds: Array<{ source: string; status: string; pulled?: number; stored?: number; truncated?: boolean; reason?: string }>;
  /** Per backend: how the hunt went. */
  backends: Array<{ backend: string; status: string; sightings: number; reason?: string }>;
  notes: string[];
}

/** A row of the indicators table (SQLite; PostgreSQL has the same columns). */
export interface IndicatorRow {
  id: string;
  type: string;
  value: string;
  source: string;
  reference: string | null;
  description: string | null;
  first_seen: string | null;
  expires_at: string | null;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
  sightings: number;
  last_seen_at: string | null;
}

export interface IndicatorStore {
  /** An analyst's indicator; an active one with the same type and value answers `existing`. */
  addAnalyst(i: { type: IndicatorType; value: string; description?: string; expiresAt?: string; createdBy: string }, now?: Date): Promise<{ indicator: StoredIndicator; existing: boolean }>;
  /** Feed indicators: new ones are added, known ones get their newer expiry; returns how many were new. */
  upsertFeed(indicators: Indicator[], now?: Date): Promise<number>;
  get(id: string): Promise<StoredIndicator | undefined>;
  list(opts: { source?: string; active?: boolean; limit: number; after?: string }, now?: Date): Promise<StoredIndicator[]>;
  /** Active indicators for a sweep: analysts' first, then the feeds', newest first. */
  active(limit: number, now?: Date): Promise<StoredIndicator[]>;
  revoke(id: string, by: string, now?: Date): Promise<StoredIndicator | undefined>;
  watermark(name: string): Promise<string | undefined>;
  setWatermark(name: string, value: string): Promise<void>;
  /** Records a sweep once (a retried activity finds it); counts each indicator's sightings. */
  recordSweep(run: SweepRun, sightings: SweepSighting[]): Promise<SweepRun>;
  sweeps(limit: number, before?: string): Promise<SweepRun[]>;
  sweep(id: string): Promise<{ run: SweepRun; sightings: SweepSighting[] } | undefined>;
  close(): Promise<void>;
}

export class SqliteIndicatorStore implements IndicatorStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS indicators (
        id TEXT PRIMARY KEY, type TEXT NOT NULL, value TEXT NOT NULL, source TEXT NOT NULL,
        reference TEXT, description TEXT, first_seen TEXT, expires_at TEXT,
        created_at TEXT NOT NULL, created_by TEXT NOT NULL, revoked_at TEXT, revoked_by TEXT,
        sightings INTEGER NOT NULL DEFAULT 0, last_seen_at TEXT);
      CREATE UNIQUE INDEX IF NOT EXISTS indicators_value ON indicators(type, value, source);
      CREATE TABLE IF NOT EXISTS sweeps (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, run TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS sweep_sightings (sweep_id TEXT NOT NULL, seq INTEGER NOT NULL, sighting TEXT NOT NULL, PRIMARY KEY (sweep_id, seq));
      CREATE TABLE IF NOT EXISTS watermarks (name TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  }

  /** An analyst's indicator; an active one with the same type and value answers `existing`. */
  async addAnalyst(i: { type: IndicatorType; value: string; description?: string; expiresAt?: string; createdBy: string }, now = new Date()): Promise<{ indicator: StoredIndicator; existing: boolean }> {
    return this.db.transaction(() => {
      const row = this.db.prepare<[string, string], IndicatorRow>("SELECT * FROM indicators WHERE type = ? AND value = ? AND source = 'analyst'").get(i.type, i.value);
      if (row && !row.revoked_at && !(row.expires_at && row.expires_at <= now.toISOString())) return { indicator: toIndicator(row), existing: true };
      const id = `ind_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      if (row) this.db.prepare('DELETE FROM indicators WHERE id = ?').run(row.id); // revoked or expired: a new one replaces it
      this.db
        .prepare('INSERT INTO indicators (id, type, value, source, description, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, i.type, i.value, 'analyst', i.description ?? null, i.expiresAt ?? null, now.toISOString(), i.createdBy);
      return { indicator: this.find(id) as StoredIndicator, existing: false };
    })();
  }

  /** Feed indicators: new ones are added, known ones get their newer expiry; returns how many were new. */
  async upsertFeed(indicators: Indicator[], now = new Date()): Promise<number> {
    const insert = this.db.prepare(
      `INSERT INTO indicators (id, type, value, source, reference, description, first_seen, expires_at, created_at, created_by)
       VALUES (@id, @type, @value, @source, @reference, @description, @first_seen, @expires_at, @created_at, @source)
       ON CONFLICT (type, value, source) DO UPDATE SET expires_at = excluded.expires_at, reference = COALESCE(excluded.reference, reference)`
    );
    let added = 0;
    this.db.transaction(() => {
      for (const i of indicators) {
        const id = `ind_${createHash('sha256').update(`${i.source}|${indicatorKey(i)}`).digest('hex').slice(0, 16)}`;
        const known = this.db.prepare('SELECT 1 FROM indicators WHERE id = ?').get(id);
        insert.run({ id, type: i.type, value: i.value, source: i.source, reference: i.reference ?? null, description: i.description ?? null, first_seen: i.firstSeen ?? null, expires_at: i.expiresAt ?? null, created_at: now.toISOString() });
        if (!known) added += 1;
      }
    })();
    return added;
  }

  async get(id: string): Promise<StoredIndicator | undefined> {
    return this.find(id);
  }

  private find(id: string): StoredIndicator | undefined {
    const row = this.db.prepare<[string], IndicatorRow>('SELECT * FROM indicators WHERE id = ?').get(id);
    return row ? toIndicator(row) : undefined;
  }

  async list(opts: { source?: string; active?: boolean; limit: number; after?: string }, now = new Date()): Promise<StoredIndicator[]> {
    const where: string[] = [];
    const args: string[] = [];
    const and = (clause: string, arg: string) => {
      where.push(clause);
      args.push(arg);
    };
    if (opts.source) and('source = ?', opts.source);
    if (opts.active) and('revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)', now.toISOString());
    if (opts.after) and('id > ?', opts.after);
    const sql = `SELECT * FROM indicators ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${Math.max(1, Math.min(opts.limit, 5000))}`;
    return this.db.prepare<string[], IndicatorRow>(sql).all(...args).map(toIndicator);
  }

  /** Active indicators for a sweep: analysts' first, then the feeds', newest first. */
  async active(limit: number, now = new Date()): Promise<StoredIndicator[]> {
    return this.db
      .prepare<[string, number], IndicatorRow>(
        `SELECT * FROM indicators WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
         ORDER BY source = 'analyst' DESC, created_at DESC LIMIT ?`
      )
      .all(now.toISOString(), limit)
      .map(toIndicator);
  }

  async revoke(id: string, by: string, now = new Date()): Promise<StoredIndicator | undefined> {
    this.db.prepare('UPDATE indicators SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), by, id);
    return this.find(id);
  }

  async watermark(name: string): Promise<string | undefined> {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM watermarks WHERE name = ?').get(name)?.value;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    this.db.prepare('INSERT INTO watermarks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value);
  }

  /** Records a sweep once (a retried activity finds it); counts each indicator's sightings. */
  async recordSweep(run: SweepRun, sightings: SweepSighting[]): Promise<SweepRun> {
    return this.db.transaction(() => {
      const done = this.db.prepare<[string], { run: string }>('SELECT run FROM sweeps WHERE id = ?').get(run.id);
      if (done) return JSON.parse(done.run) as SweepRun;
      this.db.prepare('INSERT INTO sweeps (id, started_at, run) VALUES (?, ?, ?)').run(run.id, run.startedAt, JSON.stringify(run));
      const add = this.db.prepare('INSERT INTO sweep_sightings (sweep_id, seq, sighting) VALUES (?, ?, ?)');
      const count = this.db.prepare('UPDATE indicators SET sightings = sightings + 1, last_seen_at = max(COALESCE(last_seen_at, ?), ?) WHERE type = ? AND value = ?');
      sightings.forEach((s, i) => {
        add.run(run.id, i, JSON.stringify(s));
        count.run(s.at, s.at, s.indicator.type, s.indicator.value);
      });
      return run;
    })();
  }

  async sweeps(limit: number, before?: string): Promise<SweepRun[]> {
    return this.db
      .prepare<[string, number], { run: string }>('SELECT run FROM sweeps WHERE started_at < ? ORDER BY started_at DESC LIMIT ?')
      .all(before ?? '9999', Math.max(1, Math.min(limit, 100)))
      .map((r) => JSON.parse(r.run) as SweepRun);
  }

  async sweep(id: string): Promise<{ run: SweepRun; sightings: SweepSighting[] } | undefined> {
    const row = this.db.prepare<[string], { run: string }>('SELECT run FROM sweeps WHERE id = ?').get(id);
    if (!row) return undefined;
    const sightings = this.db.prepare<[string], { sighting: string }>('SELECT sighting FROM sweep_sightings WHERE sweep_id = ? ORDER BY seq').all(id).map((r) => JSON.parse(r.sighting) as SweepSighting);
    return { run: JSON.parse(row.run) as SweepRun, sightings };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export function toIndicator(r: IndicatorRow): StoredIndicator {
  return {
    id: r.id,
    type: r.type as IndicatorType,
    value: r.value,
    source: r.source,
    ...(r.reference ? { reference: r.reference } : {}),
    ...(r.description ? { description: r.description } : {}),
    ...(r.first_seen ? { firstSeen: r.first_seen } : {}),
    ...(r.expires_at ? { expiresAt: r.expires_at } : {}),
    createdAt: r.created_at,
    createdBy: r.created_by,
    ...(r.revoked_at ? { revokedAt: r.revoked_at, revokedBy: r.revoked_by ?? 'unknown' } : {}),
    sightings: r.sightings,
    ...(r.last_seen_at ? { lastSeenAt: r.last_seen_at } : {}),
  };
}

export function indicatorsFile(dataDir: string): string {
  return path.join(dataDir, 'indicators.db');
}
