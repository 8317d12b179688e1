// PostgreSQL for the tests: the server `npm test` starts (RIPOSTE_TEST_POSTGRES_URL), one schema
// per store a test opens, so tests never see each other's rows.
import { createHash, randomBytes } from 'node:crypto';
import { Secret } from '../../config/secret.ts';
import { openStores, type Stores } from '../../store/open.ts';
import { PgDatabase } from '../../store/postgres/db.ts';
import type { SqliteStoreOptions } from '../../store/sqlite.ts';

export function testPostgresUrl(): string {
  const url = process.env.RIPOSTE_TEST_POSTGRES_URL;
  if (!url) throw new Error('RIPOSTE_TEST_POSTGRES_URL is not set: run the tests with `npm test`, which starts PostgreSQL');
  return url;
}

/** Whether every store the tests open is to be PostgreSQL (RIPOSTE_TEST_DATABASE=postgres npm test). */
export const onPostgres = process.env.RIPOSTE_TEST_DATABASE === 'postgres';

/** A database handle on a fresh schema of its own. */
export async function freshPg(schema = `t_${randomBytes(6).toString('hex')}`): Promise<PgDatabase & { schema: string }> {
  const db = await PgDatabase.connect(testPostgresUrl(), { schema, max: 4 });
  return Object.assign(db, { schema });
}

/** The schema that stands for a data directory on PostgreSQL: a restarted API (same directory) finds its rows again. */
export function schemaFor(key: string): string {
  return `t_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}

/**
 * The stores of a test's API or worker: SQLite files in `dataDir`, or — with
 * RIPOSTE_TEST_DATABASE=postgres — the test server's database, in the schema standing for `dataDir`.
 */
export function testStores(dataDir: string, sqlite?: SqliteStoreOptions): Stores {
  if (!onPostgres) return openStores({ dataDir, ...(sqlite ? { sqlite } : {}) });
  return openStores({ databaseUrl: new Secret(testPostgresUrl()), schema: schemaFor(dataDir), dataDir, applicationName: 'riposte-test' });
}

/** What a spawned Riposte process needs to open the stores `testStores(dataDir)` opens. */
export function storeEnv(dataDir: string): Record<string, string> {
  return onPostgres ? { RIPOSTE_DATABASE_URL: testPostgresUrl(), RIPOSTE_DATABASE_SCHEMA: schemaFor(dataDir), RIPOSTE_DATA_DIR: dataDir } : { RIPOSTE_DATA_DIR: dataDir };
}
