// Finds or builds the Temporal server for a cluster (`npm run cluster`, the chaos suite, a
// production-like deployment on this machine): `go.temporal.io/server` from Go modules, as the CLI
// is built (scripts/temporal-cli.mjs) — the server (cmd/server), temporal-sql-tool
// (cmd/tools/sql) and the PostgreSQL schemas that module ships. Plain Node, no dependencies.
//
// Order: RIPOSTE_TEMPORAL_SERVER_DIR (a directory holding temporal-server, temporal-sql-tool and
// schema/), then the cache (~/.cache/riposte/temporal-server/<version>), then `go install`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** v1.30.0: its go.mod needs Go 1.25.5 and has no replace directive (v1.31+ need a newer Go than this machine's). */
export const SERVER_VERSION = '1.30.0';
const MODULE = 'go.temporal.io/server';

export function serverCacheDir(version = SERVER_VERSION) {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'riposte', 'temporal-server', version);
}

/** The parts of a complete build in `dir`, or null. */
function complete(dir) {
  const server = path.join(dir, 'temporal-server');
  const sqlTool = path.join(dir, 'temporal-sql-tool');
  const schema = path.join(dir, 'schema', 'postgresql', 'v12');
  if (![server, sqlTool, path.join(schema, 'temporal', 'versioned'), path.join(schema, 'visibility', 'versioned')].every((p) => fs.existsSync(p))) return null;
  return { server, sqlTool, schema, dir };
}

export function findTemporalServer() {
  if (process.env.RIPOSTE_TEMPORAL_SERVER_DIR) {
    const found = complete(process.env.RIPOSTE_TEMPORAL_SERVER_DIR);
    if (!found) throw new Error(`RIPOSTE_TEMPORAL_SERVER_DIR=${process.env.RIPOSTE_TEMPORAL_SERVER_DIR} lacks temporal-server, temporal-sql-tool or schema/postgresql/v12`);
    return { ...found, version: 'custom' };
  }
  const found = complete(serverCacheDir());
  return found && { ...found, version: SERVER_VERSION };
}

/** Finds the server, building it from Go modules when missing (minutes on two cores, once per machine). */
export function ensureTemporalServer(log = (m) => console.error(m)) {
  const found = findTemporalServer();
  if (found) return found;
  const go = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' });
  if (go.status !== 0) throw new Error('the Temporal server is not built and Go is not on PATH to build it: install Go, or set RIPOSTE_TEMPORAL_SERVER_DIR');
  const dir = serverCacheDir();
  const work = path.join(dir, 'build');
  fs.mkdirSync(work, { recursive: true });
  const env = { ...process.env, GOBIN: work, CGO_ENABLED: '0' };
  for (const [pkg, name] of [['cmd/server', 'temporal-server'], ['cmd/tools/sql', 'temporal-sql-tool']]) {
    log(`riposte: building the Temporal server's ${pkg} v${SERVER_VERSION} from Go modules into ${dir} (minutes, once per machine)…`);
    const r = spawnSync('go', ['install', `${MODULE}/${pkg}@v${SERVER_VERSION}`], { env, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`could not build ${MODULE}/${pkg}@v${SERVER_VERSION}:\n${(r.stderr || '').trim().split('\n').slice(-8).join('\n')}`);
    fs.renameSync(path.join(work, path.basename(pkg)), path.join(dir, name));
  }
  // The schemas come with the module the build just fetched.
  const moduleDir = path.join(go.stdout.trim(), `${MODULE}@v${SERVER_VERSION}`);
  fs.cpSync(path.join(moduleDir, 'schema', 'postgresql'), path.join(dir, 'schema', 'postgresql'), { recursive: true });
  fs.chmodSync(path.join(dir, 'schema'), 0o755);
  spawnSync('chmod', ['-R', 'u+w,a+rX', path.join(dir, 'schema')]);
  fs.rmSync(work, { recursive: true, force: true });
  const built = complete(dir);
  if (!built) throw new Error(`the Temporal server build in ${dir} is incomplete`);
  log(`riposte: Temporal server v${SERVER_VERSION} ready in ${dir}`);
  return { ...built, version: SERVER_VERSION };
}

// `node scripts/temporal-server.mjs`: build (or find) it and say where.
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = ensureTemporalServer();
  console.log(JSON.stringify(s, null, 2));
}
