// The embedded hunting backend: log lines in SQLite with an FTS5 trigram index (substring
// search), each with its time and host. Proxy and DNS logs are imported from files
// (importers.ts, `npm run logs:import`).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface LogLine {
  at: string;
  host?: string;
  /** squid, dnsmasq, zeek-dns, … */
  kind: string;
  /** The file it came from. */
  file: string;
  line: string;
}

export class LogStore {
  private readonly db: Database.Database;
  private readonly insert;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS lines (id INTEGER PRIMARY KEY, at TEXT NOT NULL, host TEXT, kind TEXT NOT NULL, file TEXT NOT NULL, line TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS lines_at ON lines(at);
      CREATE VIRTUAL TABLE IF NOT EXISTS lines_fts USING fts5(line, content='lines', content_rowid='id', tokenize='trigram');
      CREATE TRIGGER IF NOT EXISTS lines_ai AFTER INSERT ON lines BEGIN INSERT INTO lines_fts(rowid, line) VALUES (new.id, new.line); END;
      CREATE TABLE IF NOT EXISTS imported (file TEXT PRIMARY KEY, bytes INTEGER NOT NULL);`);
    this.insert = this.db.prepare('INSERT INTO lines (at, host, kind, file, line) VALUES (@at, @host, @kind, @file, @line)');
  }

  /** Adds lines in one transaction; returns how many. */
  add(lines: LogLine[]): number {
    this.db.transaction(() => {
      for (const l of lines) this.insert.run({ ...l, host: l.host ?? null });
    })();
    return lines.length;
  }

  /** Bytes of a file already imported (imports resume where they stopped). */
  importedBytes(file: string): number {
    return (this.db.prepare<[string], { bytes: number }>('SELECT bytes FROM imported WHERE file = ?').get(file)?.bytes ?? 0);
  }

  markImported(file: string, bytes: number): void {
    this.db.prepare('INSERT INTO imported (file, bytes) VALUES (?, ?) ON CONFLICT (file) DO UPDATE SET bytes = excluded.bytes').run(file, bytes);
  }

  /** Lines containing any of the terms (substrings of 3+ characters), in the window, oldest first. */
  search(terms: string[], from: string, to: string, limit: number): Array<LogLine & { id: number }> {
    const match = terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
    return this.db
      .prepare<[string, string, string, number], LogLine & { id: number }>(
        `SELECT l.id, l.at, l.host, l.kind, l.file, l.line FROM lines_fts f JOIN lines l ON l.id = f.rowid
         WHERE lines_fts MATCH ? AND l.at >= ? AND l.at <= ? ORDER BY l.at LIMIT ?`
      )
      .all(match, from, to, limit)
      .map((r) => ({ ...r, host: r.host ?? undefined }));
  }

  count(): number {
    return (this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM lines').get()?.n ?? 0);
  }

  close(): void {
    this.db.close();
  }
}
