// Each integration's last success and last failure, kept by the worker in a small SQLite file
// under the data dir (integrations.db) and read by the API for GET /v1/integrations. Failure
// messages are the activities' own, which never carry secrets (see activities/shared/http.ts).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface IntegrationHealth {
  lastSuccessAt?: string;
  lastFailureAt?: string;
  lastFailure?: { type: string; message: string };
  successes: number;
  failures: number;
}

interface Row {
  name: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_failure_type: string | null;
  last_failure_message: string | null;
  successes: number;
  failures: number;
}

export interface IntegrationStatusStore {
  recordSuccess(name: string, at?: Date): Promise<void>;
  recordFailure(name: string, failure: { type: string; message: string }, at?: Date): Promise<void>;
  read(): Promise<Record<string, IntegrationHealth>>;
  close(): Promise<void>;
}

export class SqliteIntegrationStatusStore implements IntegrationStatusStore {
  private readonly db: Database.Database;
  private readonly success;
  private readonly failure;
  private readonly all;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS integration_status (
      name TEXT PRIMARY KEY, last_success_at TEXT, last_failure_at TEXT, last_failure_type TEXT,
      last_failure_message TEXT, successes INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0)`);
    this.success = this.db.prepare(`INSERT INTO integration_status (name, last_success_at, successes) VALUES (?, ?, 1)
      ON CONFLICT (name) DO UPDATE SET last_success_at = excluded.last_success_at, successes = successes + 1`);
    this.failure = this.db.prepare(`INSERT INTO integration_status (name, last_failure_at, last_failure_type, last_failure_message, failures) VALUES (?, ?, ?, ?, 1)
      ON CONFLICT (name) DO UPDATE SET last_failure_at = excluded.last_failure_at, last_failure_type = excluded.last_failure_type,
      last_failure_message = excluded.last_failure_message, failures = failures + 1`);
    this.all = this.db.prepare<[], Row>('SELECT * FROM integration_status');
  }

  async recordSuccess(name: string, at = new Date()): Promise<void> {
    this.success.run(name, at.toISOString());
  }

  async recordFailure(name: string, failure: { type: string; message: string }, at = new Date()): Promise<void> {
    this.failure.run(name, at.toISOString(), failure.type, failure.message.slice(0, 500));
  }

  async read(): Promise<Record<string, IntegrationHealth>> {
    const out: Record<string, IntegrationHealth> = {};
    for (const r of this.all.all()) {
      out[r.name] = {
        ...(r.last_success_at ? { lastSuccessAt: r.last_success_at } : {}),
        ...(r.last_failure_at ? { lastFailureAt: r.last_failure_at, lastFailure: { type: r.last_failure_type ?? 'Error', message: r.last_failure_message ?? '' } } : {}),
        successes: r.successes,
        failures: r.failures,
      };
    }
    return out;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

