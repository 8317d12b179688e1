// Each integration's last success and failure on PostgreSQL (RIPOSTE_DATABASE_URL):
// SqliteIntegrationStatusStore's behaviour (../integration-status.ts), written by every worker
// and read by every API replica. Each outcome is one upsert, so workers recording at once never
// lose a count (successes = successes + 1 on the row, under its lock).
import type { IntegrationHealth, IntegrationStatusStore } from '../integration-status.ts';
import type { PgDatabase } from './db.ts';

export const INTEGRATION_STATUS_MIGRATIONS: string[] = [
  `
  CREATE TABLE integration_status (
    n BIGSERIAL NOT NULL,
    name TEXT COLLATE "C" PRIMARY KEY,
    last_success_at TEXT COLLATE "C",
    last_failure_at TEXT COLLATE "C",
    last_failure_type TEXT,
    last_failure_message TEXT,
    successes BIGINT NOT NULL DEFAULT 0,
    failures BIGINT NOT NULL DEFAULT 0
  );
  `,
];

/** BIGINT comes back from pg as a string. */
interface PgRow {
  name: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_failure_type: string | null;
  last_failure_message: string | null;
  successes: string;
  failures: string;
}

export class PgIntegrationStatusStore implements IntegrationStatusStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the table (once across replicas) and returns the store; the pool stays the caller's. */
  static async open(db: PgDatabase): Promise<PgIntegrationStatusStore> {
    await db.migrate('integration-status', INTEGRATION_STATUS_MIGRATIONS);
    return new PgIntegrationStatusStore(db);
  }

  async recordSuccess(name: string, at = new Date()): Promise<void> {
    await this.db.query(
      `INSERT INTO integration_status AS t (name, last_success_at, successes) VALUES ($1, $2, 1)
       ON CONFLICT (name) DO UPDATE SET last_success_at = EXCLUDED.last_success_at, successes = t.successes + 1`,
      [name, at.toISOString()]
    );
  }

  async recordFailure(name: string, failure: { type: string; message: string }, at = new Date()): Promise<void> {
    await this.db.query(
      `INSERT INTO integration_status AS t (name, last_failure_at, last_failure_type, last_failure_message, failures) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (name) DO UPDATE SET last_failure_at = EXCLUDED.last_failure_at, last_failure_type = EXCLUDED.last_failure_type,
         last_failure_message = EXCLUDED.last_failure_message, failures = t.failures + 1`,
      [name, at.toISOString(), failure.type, failure.message.slice(0, 500)]
    );
  }

  async read(): Promise<Record<string, IntegrationHealth>> {
    const out: Record<string, IntegrationHealth> = {};
    // In the order each integration was first recorded, as SQLite's rowid order has them.
    for (const r of await this.db.rows<PgRow>('SELECT * FROM integration_status ORDER BY n')) {
      out[r.name] = {
        ...(r.last_success_at ? { lastSuccessAt: r.last_success_at } : {}),
        ...(r.last_failure_at ? { lastFailureAt: r.last_failure_at, lastFailure: { type: r.last_failure_type ?? 'Error', message: r.last_failure_message ?? '' } } : {}),
        successes: Number(r.successes),
        failures: Number(r.failures),
      };
    }
    return out;
  }

  /** The pool is the caller's: nothing of the store's own to close. */
  async close(): Promise<void> {}
}
