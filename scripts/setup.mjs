#!/usr/bin/env node
// Installs what Riposte needs on a fresh clone, and nothing that is already there:
//   npm packages (npm ci), the Temporal CLI (scripts/temporal-cli.mjs), and for `test` the
//   local peers the tests run for real (nftables, iproute2, dnsmasq, dc3dd, dcfldd, sshd,
//   PostgreSQL 15, HAProxy) from Debian packages, the AWS emulator (moto server) from PyPI into a
//   venv under ~/.cache/riposte, and — for `test` and `cluster` — the Temporal server built from
//   Go modules (scripts/temporal-server.mjs).
// Usage: node scripts/setup.mjs [start|test|cluster]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTemporalCli } from './temporal-cli.mjs';
import { ensureTemporalServer } from './temporal-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2] ?? 'start';
const log = (m) => console.error(`riposte: ${m}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function npmDependencies() {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  const stale = !fs.existsSync(installed) || fs.statSync(lock).mtimeMs > fs.statSync(installed).mtimeMs + 1000;
  if (stale) {
    log('installing npm packages (npm ci)…');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  // Native modules must have really built (npm 11 skips install scripts not in allowScripts).
  const probe = spawnSync(process.execPath, ['-e', "require('@temporalio/core-bridge'); require('@swc/core'); new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, encoding: 'utf8' });
  if (probe.status !== 0) {
    log('native modules are missing; rebuilding…');
    run('npm', ['rebuild']);
  }
}

function testPeers() {
  const need = [
    ['nft', 'nftables'],
    ['ip', 'iproute2'],
    ['dnsmasq', 'dnsmasq-base'],
    ['dc3dd', 'dc3dd'],
    ['dcfldd', 'dcfldd'],
    ['sshd', 'openssh-server'],
    ['ssh', 'openssh-client'],
    // PostgreSQL: the tests run the store against a server of their own (scripts/postgres.ts).
    ['/usr/lib/postgresql/15/bin/initdb', 'postgresql-15'],
    // HAProxy: the cluster's load balancer in front of the API replicas (test/e2e/cluster.test.ts).
    ['haproxy', 'haproxy'],
    // Chromium: the console's browser tests drive Debian's build through playwright-core (test/console).
    ['chromium', 'chromium'],
  ].filter(([bin]) => spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`]).status !== 0);
  if (need.length === 0) return;
  const pkgs = need.map(([, pkg]) => pkg);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) {
    throw new Error(`the tests need ${pkgs.join(', ')}; install them (Debian: apt-get install ${pkgs.join(' ')}) and run again`);
  }
  log(`installing test peers from Debian packages: ${pkgs.join(', ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env }).status !== 0) {
    run('apt-get', ['update'], { env });
    run('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env });
  }
}

// moto server (the AWS emulator test/activities/aws.test.ts runs against), pinned with all its
// dependencies in test/fixtures/aws/moto-requirements.txt, installed into its own venv
// ~/.cache/riposte/moto-<version>/ (outside the work tree, so fresh clones reuse it; a new pin gets
// a new directory). A copy of the requirements in the venv says it is complete: with it there,
// nothing runs, not even Python.
function motoServer() {
  const requirements = path.join(root, 'test', 'fixtures', 'aws', 'moto-requirements.txt');
  const wanted = fs.readFileSync(requirements, 'utf8');
  const version = /^moto(?:\[server\])?==(\S+)$/m.exec(wanted)?.[1];
  if (!version) throw new Error(`${requirements} pins no moto version`);
  const venv = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'riposte', `moto-${version}`);
  const stamp = path.join(venv, 'riposte-requirements.txt');
  if (fs.existsSync(path.join(venv, 'bin', 'moto_server')) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return;
  log(`installing moto ${version} (AWS emulator) into ${venv}…`);
  const python = path.join(venv, 'bin', 'python');
  if (fs.existsSync(venv) && spawnSync(python, ['-c', 'pass']).status !== 0) fs.rmSync(venv, { recursive: true, force: true });
  if (!fs.existsSync(python)) {
    // Debian's python3 makes venvs only with python3-venv (ensurepip) installed.
    if (spawnSync('python3', ['-m', 'venv', venv], { stdio: 'ignore' }).status !== 0) {
      fs.rmSync(venv, { recursive: true, force: true });
      aptInstall(['python3', 'python3-venv'], 'moto needs Python 3 with venv');
      run('python3', ['-m', 'venv', venv]);
    }
  }
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', requirements]);
  fs.writeFileSync(stamp, wanted);
}

// Schemathesis (test/api/conformance.test.ts runs its CLI against the live OpenAPI document),
// pinned with all its dependencies in test/fixtures/schemathesis/requirements.txt and installed
// like moto: into its own venv ~/.cache/riposte/schemathesis-<version>/, complete when it holds a
// copy of the requirements.
function schemathesisInstall() {
  const requirements = path.join(root, 'test', 'fixtures', 'schemathesis', 'requirements.txt');
  const wanted = fs.readFileSync(requirements, 'utf8');
  const version = /^schemathesis==(\S+)$/m.exec(wanted)?.[1];
  if (!version) throw new Error(`${requirements} pins no schemathesis version`);
  const venv = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'riposte', `schemathesis-${version}`);
  const stamp = path.join(venv, 'riposte-requirements.txt');
  if (fs.existsSync(path.join(venv, 'bin', 'schemathesis')) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return;
  log(`installing schemathesis ${version} (API conformance) into ${venv}…`);
  const python = path.join(venv, 'bin', 'python');
  if (fs.existsSync(venv) && spawnSync(python, ['-c', 'pass']).status !== 0) fs.rmSync(venv, { recursive: true, force: true });
  if (!fs.existsSync(python)) {
    // Debian's python3 makes venvs only with python3-venv (ensurepip) installed.
    if (spawnSync('python3', ['-m', 'venv', venv], { stdio: 'ignore' }).status !== 0) {
      fs.rmSync(venv, { recursive: true, force: true });
      aptInstall(['python3', 'python3-venv'], 'schemathesis needs Python 3 with venv');
      run('python3', ['-m', 'venv', venv]);
    }
  }
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', requirements]);
  fs.writeFileSync(stamp, wanted);
}

function aptInstall(pkgs, why) {
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) {
    throw new Error(`${why}; install ${pkgs.join(', ')} (Debian: apt-get install ${pkgs.join(' ')}) and run again`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env }).status !== 0) {
    run('apt-get', ['update'], { env });
    run('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env });
  }
}

try {
  npmDependencies();
  ensureTemporalCli(log);
  if (mode === 'test') testPeers();
  if (mode === 'test') motoServer();
  if (mode === 'test') schemathesisInstall();
  // The cluster test (and `npm run cluster`) run the Temporal server built from Go modules.
  if (mode === 'test' || mode === 'cluster') ensureTemporalServer(log);
} catch (err) {
  log(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
