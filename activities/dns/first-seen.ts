// "Has this domain ever been seen before?" — each domain's first sighting (time, source, host),
// kept by the worker in data/first-seen.db. A never-seen domain contacted by a host is one of the
// strongest command-and-control signals there is. Recording is idempotent per key, so a retried
// activity gets the answer the first attempt got (a domain is "new" exactly once).
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

export class FirstSeenStore {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS domains (domain TEXT PRIMARY KEY, first_at TEXT NOT NULL, first_source TEXT NOT NULL, first_host TEXT, sightings INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS recorded (key TEXT PRIMARY KEY, answer TEXT NOT NULL);`);
    this.stmt = {
      domain: this.db.prepare<[string], { first_at: string; first_source: string; first_host: string | null; sightings: number }>('SELECT * FROM domains WHERE domain = ?'),
      insert: this.db.prepare('INSERT INTO domains (domain, first_at, first_source, first_host, sightings) VALUES (?, ?, ?, ?, 1)'),
      count: this.db.prepare('UPDATE domains SET sightings = sightings + 1 WHERE domain = ?'),
      recorded: this.db.prepare<[string], { answer: string }>('SELECT answer FROM recorded WHERE key = ?'),
      remember: this.db.prepare('INSERT INTO recorded (key, answer) VALUES (?, ?)'),
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

  close(): void {
    this.db.close();
  }
}
