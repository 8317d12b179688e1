// A PostgreSQL server of Riposte's own, in a directory it owns, on loopback: the tests' peer,
// `npm run cluster`'s database and the chaos suite's victim. Debian's PostgreSQL 15 binaries
// (`apt-get install postgresql-15`); initdb refuses root, so as root the server runs as `postgres`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export const PG_BIN = process.env.RIPOSTE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface LocalPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  port: number;
  dir: string;
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown), or kills it at once (`kill -9` of the postmaster). */
  stop(): Promise<void>;
  kill9(): Promise<void>;
  /** Starts it again on the same directory and port (after stop or kill9). */
  restart(): Promise<void>;
  process(): ChildProcess | undefined;
}

export function postgresAvailable(): boolean {
  return fs.existsSync(path.join(PG_BIN, 'initdb'));
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as `postgres` when we are root (it refuses root). */
function spawnAsOwner(bin: string, args: string[], opts: { detached?: boolean; log?: number | 'ignore' } = {}): ChildProcess {
  const file = path.join(PG_BIN, bin);
  const out = opts.log ?? 'ignore';
  if (!asRoot) return spawn(file, args, { stdio: ['ignore', out, out], detached: opts.detached });
  return spawn('setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--pdeathsig', 'KILL', '--', file, ...args], {
    stdio: ['ignore', out, out],
    detached: opts.detached,
  });
}

function runAsOwner(bin: string, args: string[]): void {
  const file = path.join(PG_BIN, bin);
  const r = asRoot
    ? spawnSync('setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', file, ...args], { encoding: 'utf8' })
    : spawnSync(file, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} failed (${r.status}): ${r.stderr || r.stdout}`);
}

/**
 * Initialises (when new) and starts a cluster in `dir` on 127.0.0.1:`port`. Tuned for a
 * throwaway or a single-box deployment: fsync stays on (durability is what the tests check).
 */
export async function startPostgres(o: { dir: string; port: number; logFile?: string; settings?: Record<string, string> }): Promise<LocalPostgres> {
  if (!postgresAvailable()) throw new Error(`PostgreSQL 15 is missing (${PG_BIN}); Debian: apt-get install postgresql-15`);
  fs.mkdirSync(o.dir, { recursive: true });
  const data = path.join(o.dir, 'data');
  if (asRoot) {
    spawnSync('chown', ['-R', 'postgres:postgres', o.dir]);
    // The server runs as postgres: it must be able to pass through every directory above its own.
    for (let d = path.dirname(path.resolve(o.dir)); d !== path.dirname(d); d = path.dirname(d)) {
      const mode = fs.statSync(d).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(d, mode | 0o011);
    }
  }
  if (!fs.existsSync(path.join(data, 'PG_VERSION'))) runAsOwner('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale']);
  const settings = { listen_addresses: '127.0.0.1', port: String(o.port), unix_socket_directories: o.dir, max_connections: '200', shared_buffers: '128MB', ...o.settings };
  const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  let child: ChildProcess | undefined;
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${o.port}/${database}`;

  const start = async () => {
    const log = o.logFile ? fs.openSync(o.logFile, 'a') : 'ignore';
    if (asRoot && o.logFile) fs.chownSync(o.logFile, ownerUid(), ownerUid());
    child = spawnAsOwner('postgres', args, { log, detached: true });
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`PostgreSQL ${exited}${o.logFile ? `; see ${o.logFile}` : ''}`);
      if (Date.now() > deadline) throw new Error('PostgreSQL did not answer within 60 s');
      const c = new pg.Client({ connectionString: url() });
      try {
        await c.connect();
        await c.end();
        return;
      } catch {
        await c.end().catch(() => {});
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const exit = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill(signal);
    });

  await start();
  return {
    url,
    port: o.port,
    dir: o.dir,
    process: () => child,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } catch (err) {
        if ((err as { code?: string }).code !== '42P04') throw err; // exists already
      } finally {
        await c.end();
      }
      return url(name);
    },
    stop: () => exit('SIGINT'), // fast shutdown
    kill9: () => exit('SIGKILL'),
    restart: start,
  };
}

function ownerUid(): number {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}
