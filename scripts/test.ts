// `npm test`: type-check, lint, then every test file under test/ against a throwaway Temporal
// dev server on a free port, stopped at the end. Extra arguments filter test files by path:
//   npm test -- test/activities
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows } from '../worker/create-worker.ts';
import { ensureConsole } from './build-console.ts';
import { setupTelemetry } from '../telemetry/index.ts';
import { freePort, startDevServer } from './dev-server.ts';
import { startPostgres } from './postgres.ts';
import { findTemporalCli } from './temporal-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function step(name: string, cmd: string, args: string[]): void {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`riposte: ${name} failed`);
    process.exit(r.status ?? 1);
  }
  console.error(`riposte: ${name} passed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function testFiles(filters: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) found.push(path.relative(root, p));
    }
  };
  walk(path.join(root, 'test'));
  return found.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  if (filters.length === 0) {
    step('type-check (tsc)', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', '.']);
    step('type-check the console (tsc -p console)', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'console']);
    step('lint (eslint)', process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '.']);
  }
  const files = testFiles(filters);
  if (files.length === 0) throw new Error(`no test files match ${filters.join(' ')}`);

  // The console the API serves at / (test/console drives it in Chromium).
  await ensureConsole((m) => console.error(`riposte: ${m}`));
  const cli = findTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is missing: run `node scripts/setup.mjs test`');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-test-'));
  const port = await freePort();
  const server = await startDevServer({ cli: cli.bin, port, headless: true, logFile: path.join(work, 'temporal.log') });
  console.error(`riposte: Temporal dev server (CLI ${cli.version}) on ${server.address}`);

  // One workflow bundle for every worker the tests start (bundling takes seconds each time).
  const telemetry = setupTelemetry({ exporter: 'none', serviceName: 'riposte-test' }, 'bundler');
  const { code } = await bundleWorkflows(telemetry);
  const bundlePath = path.join(work, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);

  // PostgreSQL for the store suites that run on both databases (and, with
  // RIPOSTE_TEST_DATABASE=postgres, for every store the tests open).
  const postgres = await startPostgres({ dir: path.join(work, 'postgres'), port: await freePort(), logFile: path.join(work, 'postgres.log') });
  const riposteDb = await postgres.createDatabase('riposte_test');
  console.error(`riposte: PostgreSQL on 127.0.0.1:${postgres.port}${process.env.RIPOSTE_TEST_DATABASE === 'postgres' ? ' (every store)' : ''}`);

  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    RIPOSTE_WORKFLOW_BUNDLE: bundlePath,
    RIPOSTE_TEST_TMP: work,
    RIPOSTE_TEMPORAL_CLI: cli.bin,
    RIPOSTE_TEST_POSTGRES_URL: riposteDb,
  };
  const runner = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
    { cwd: root, env, stdio: 'inherit' }
  );
  const stop = () => runner.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const exitCode: number = await new Promise((resolve) => runner.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  await server.stop();
  await postgres.stop();
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  console.error(`riposte: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
