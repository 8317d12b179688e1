// Finds or builds the Temporal CLI (which carries the dev server). Plain Node, no dependencies,
// so `npm start` and `npm test` can run it on a fresh clone before npm packages exist.
//
// Order: RIPOSTE_TEMPORAL_CLI, then `temporal` on PATH, then the cache, then `go install`.
// The cache lives outside the work tree (~/.cache/riposte), so fresh clones reuse one build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** v1.5.1 is the newest tag whose go.mod has no replace directive; v1.4.1 is the fallback. */
export const CLI_VERSIONS = ['1.5.1', '1.4.1'];
const MODULE = 'github.com/temporalio/cli';

export function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'riposte', 'temporal-cli');
}

/** The CLI version a binary reports, e.g. "1.5.1", or null. */
export function cliVersion(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) return null;
  const m = /temporal version (\S+)/.exec(r.stdout);
  return m ? m[1] : null;
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

/** A usable CLI path, or null when none is installed yet. */
export function findTemporalCli() {
  const candidates = [
    process.env.RIPOSTE_TEMPORAL_CLI,
    onPath('temporal'),
    ...CLI_VERSIONS.map((v) => path.join(cacheDir(), v, 'temporal')),
  ].filter(Boolean);
  for (const bin of candidates) {
    if (!fs.existsSync(bin)) continue;
    const v = cliVersion(bin);
    if (v && CLI_VERSIONS.includes(v)) return { bin, version: v };
    if (bin === process.env.RIPOSTE_TEMPORAL_CLI) throw new Error(`RIPOSTE_TEMPORAL_CLI=${bin} reports version ${v}; expected one of ${CLI_VERSIONS.join(', ')}`);
  }
  return null;
}

/** Finds the CLI, building it from Go modules when missing. Throws with the exact error if it cannot. */
export function ensureTemporalCli(log = (m) => console.error(m)) {
  const found = findTemporalCli();
  if (found) return found;
  if (!onPath('go')) {
    throw new Error('the Temporal CLI is not installed and Go is not on PATH to build it: install Go, or set RIPOSTE_TEMPORAL_CLI to a temporal binary (v1.5.1)');
  }
  const errors = [];
  for (const version of CLI_VERSIONS) {
    const dir = path.join(cacheDir(), version);
    fs.mkdirSync(dir, { recursive: true });
    log(`riposte: building the Temporal CLI v${version} from Go modules into ${dir} (a few minutes, once per machine)…`);
    const r = spawnSync(
      'go',
      ['install', '-ldflags', `-X ${MODULE}/temporalcli.Version=${version}`, `${MODULE}/cmd/temporal@v${version}`],
      { env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' }, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' }
    );
    const bin = path.join(dir, 'temporal');
    if (r.status === 0 && cliVersion(bin) === version) {
      log(`riposte: Temporal CLI v${version} ready at ${bin}`);
      return { bin, version };
    }
    errors.push(`v${version}: ${(r.stderr || '').trim().split('\n').slice(-5).join('\n')}`);
    log(`riposte: building v${version} failed; ${version === CLI_VERSIONS.at(-1) ? 'no more versions to try' : 'trying the next version'}`);
  }
  throw new Error(`could not build the Temporal CLI:\n${errors.join('\n')}`);
}
