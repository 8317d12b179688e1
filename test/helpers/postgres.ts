// PostgreSQL for the tests: the server `npm test` starts (RIPOSTE_TEST_POSTGRES_URL), one schema
// per store a test opens, so tests never see each other's rows.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** A store under test, another handle on the same data (as a second process opens it), and cleanup. */
export interface OpenedStore<S> {
  store: S;
  another(): Promise<S>;
  close(): Promise<void>;
}

/**
 * The two backends a store suite runs on: a SQLite file in a temporary directory, and a fresh
 * PostgreSQL schema (another handle: another pool on that schema).
 */
export function storeBackends<S extends { close(): Promise<void> }>(
  fileName: string,
  sqlite: (file: string) => S,
  postgres: (db: PgDatabase) => Promise<S>
): Array<{ name: string; open(): Promise<OpenedStore<S>> }> {
  return [
    {
      name: 'SQLite',
      async open() {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-store-'));
        const file = path.join(dir, fileName);
        const stores = [sqlite(file)];
        return {
          store: stores[0] as S,
          async another() {
            const s = sqlite(file);
            stores.push(s);
            return s;
          },
          async close() {
            for (const s of stores) await s.close();
            fs.rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'PostgreSQL',
      async open() {
        const db = await freshPg();
        const dbs: PgDatabase[] = [db];
        const stores = [await postgres(db)];
        return {
          store: stores[0] as S,
          async another() {
            const other = await freshPg(db.schema);
            dbs.push(other);
            const s = await postgres(other);
            stores.push(s);
            return s;
          },
          async close() {
            for (const s of stores) await s.close();
            for (const d of dbs) await d.close();
          },
        };
      },
    },
  ];
}
