// The PostgreSQL side of the store (RIPOSTE_DATABASE_URL=postgres://…): one connection pool per
// process, shared by every store in it; migrations numbered per store and applied under a lock,
// so replicas starting together apply each once; transactions retried when PostgreSQL chose
// them as a deadlock's or serialization's victim.
import pg from 'pg';

export interface PgOptions {
  /** A schema of its own (tests: one per test; created when missing). Default: the URL's search_path. */
  schema?: string;
  /** Connections at most (default 10). */
  max?: number;
  /** The process, for pg_stat_activity (`riposte-api`, `riposte-worker`). */
  applicationName?: string;
}

export class PgDatabase {
  readonly pool: pg.Pool;
  private closed = false;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  static async connect(url: string, o: PgOptions = {}): Promise<PgDatabase> {
    if (o.schema && !/^[a-z_][a-z0-9_]*$/.test(o.schema)) throw new Error(`not a schema name: ${o.schema}`);
    const pool = new pg.Pool({
      connectionString: url,
      max: o.max ?? 10,
      application_name: o.applicationName ?? 'riposte',
      ...(o.schema ? { options: `-c search_path=${o.schema}` } : {}),
      // A connection that dies with its server is dropped, not handed out again.
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
    });
    // A connection's error (the server restarted) must not crash the process. The pool drops an
    // idle one and the next query opens a new one; a checked-out one fails its query, and can
    // emit 'error' again after that (the server's goodbye, then the socket's end), when nothing
    // else listens: every connection keeps a listener of its own for its whole life.
    pool.on('error', () => {});
    pool.on('connect', (client) => void client.on('error', () => {}));
    const db = new PgDatabase(pool);
    if (o.schema) await db.pool.query(`CREATE SCHEMA IF NOT EXISTS ${o.schema}`);
    return db;
  }

  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(sql, params.map(storable));
  }

  async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.query<R>(sql, params)).rows;
  }

  async row<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.query<R>(sql, params)).rows[0];
  }

  /**
   * Runs `fn` in a transaction on one connection; a deadlock or serialization failure (PostgreSQL
   * aborted this transaction so another could go on) runs it again, a few times.
   */
  async transaction<T>(fn: (tx: pg.PoolClient) => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const value = await fn(storing(client));
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        if (attempt < attempts && retryable(err)) {
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  /** Brings one store's tables up to date: `migrations[i]` is version i+1 of `component`. */
  async migrate(component: string, migrations: string[]): Promise<void> {
    await this.transaction(async (tx) => {
      // One migrator at a time across every process sharing the database.
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('riposte-migrations', 0))");
      await tx.query('CREATE TABLE IF NOT EXISTS riposte_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (component, version))');
      const done = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM riposte_migrations WHERE component = $1', [component]);
      for (let v = done.rows[0]?.v ?? 0; v < migrations.length; v++) {
        await tx.query(migrations[v] as string);
        await tx.query('INSERT INTO riposte_migrations (component, version) VALUES ($1, $2)', [component, v + 1]);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** PostgreSQL text cannot hold U+0000 (SQLite can): it is stored as U+FFFD — in JSON text it is the escape \u0000 and keeps. */
export const noNul = (s: string): string => s.replaceAll('\u0000', '\uFFFD');

/** A query parameter as PostgreSQL can store it (strings, and strings in arrays, without U+0000). */
function storable(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('\u0000') ? noNul(v) : v;
  if (Array.isArray(v)) return v.map(storable);
  return v;
}

/** A transaction's connection whose queries pass their parameters through `storable`. */
function storing(client: pg.PoolClient): pg.PoolClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver);
      return (sql: unknown, params?: unknown[], ...rest: unknown[]) => (target.query as (...a: unknown[]) => unknown)(sql, Array.isArray(params) ? params.map(storable) : params, ...rest);
    },
  });
}

/** 40P01 deadlock detected, 40001 serialization failure. */
export function retryable(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Whether a URL names a PostgreSQL database (postgres:// or postgresql://). */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}
