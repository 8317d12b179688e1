// PostgreSQL for the tests: the server `npm test` starts (RIPOSTE_TEST_POSTGRES_URL), one schema
// per store a test opens, so tests never see each other's rows.
import { randomBytes } from 'node:crypto';
import { PgDatabase } from '../../store/postgres/db.ts';

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
