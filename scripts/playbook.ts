// `npm run playbook -- <command>`: the playbook engineer's kit from the shell.
//   list                                  the library: name, version, route
//   new <name>                            scaffold a playbook: its file, its test, its doc page, its line in the library
//   dry-run <name> <alert.json> [--source guardduty] [--approvals approve|reject|timeout]
//                                         run the playbook as it is in this checkout, every side effect recorded
//                                         instead of taken, and print what it would do
// A dry run runs its own worker (this checkout's code) against TEMPORAL_ADDRESS, or the dev
// server `npm start` runs, or — when neither answers — a throwaway dev server.
import { dataConverter } from '../config/payload-codec.ts';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { alertIdFor } from '../domain/entities.ts';
import { readPayload } from '../api/ingest/accept.ts';
import { sourceByName } from '../api/sources/index.ts';
import { loadConfig } from '../config/index.ts';
import type { PlaybookView } from '../core/case.ts';
import { setupTelemetry } from '../telemetry/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { createRiposteWorkers } from '../worker/create-worker.ts';
import { buildActivityDeps } from '../worker/deps.ts';
import { PLAYBOOKS } from '../workflows/playbooks/index.ts';
import { freePort, portFree, startDevServer, type DevServer } from './dev-server.ts';
import { scaffold } from './playbook/scaffold.ts';
import { findTemporalCli } from './temporal-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage:
  npm run playbook -- list
  npm run playbook -- new <name>
  npm run playbook -- dry-run <name> <alert.json> [--source <source>] [--approvals approve|reject|timeout]`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { source: { type: 'string', default: 'ocsf' }, approvals: { type: 'string', default: 'approve' }, root: { type: 'string' } },
  });
  const [command, ...args] = positionals;
  if (command === 'list') {
    for (const { meta } of PLAYBOOKS) console.log(`${meta.name.padEnd(26)} v${meta.version}  ${meta.route.description}`);
    return;
  }
  if (command === 'new' && args[0]) {
    const made = scaffold(values.root ? path.resolve(values.root) : root, args[0]);
    console.log(`created ${made.workflowType}:\n${made.files.map((f) => `  ${f}`).join('\n')}\nnext: tell its story in workflows/playbooks/${args[0]}.ts, then \`npm test -- test/workflows/${args[0]}\``);
    return;
  }
  if (command === 'dry-run' && args[0] && args[1]) {
    const approvals = values.approvals as 'approve' | 'reject' | 'timeout';
    if (!['approve', 'reject', 'timeout'].includes(approvals)) throw new Error('--approvals is approve, reject or timeout');
    const view = await dryRun(args[0], fs.readFileSync(path.resolve(args[1]), 'utf8'), values.source as string, approvals);
    print(view);
    return;
  }
  console.error(USAGE);
  process.exit(2);
}

async function dryRun(name: string, alertText: string, source: string, approvals: 'approve' | 'reject' | 'timeout'): Promise<PlaybookView> {
  const entry = PLAYBOOKS.find((p) => p.meta.name === name);
  if (!entry) throw new Error(`no playbook ${name} (npm run playbook -- list)`);
  const adapter = sourceByName(source);
  if (!adapter) throw new Error(`no alert source ${source}`);
  const read = readPayload(adapter, alertText, 'single');
  if ('problem' in read) throw new Error(`the alert does not read as ${adapter.title}: ${JSON.stringify(read.problem.body)}`);
  const item = read.items[0];
  if (!item || 'errors' in item) throw new Error(`the alert does not read as ${adapter.title}: ${JSON.stringify(item && 'errors' in item ? item.errors : [])}`);
  const alert = { ...item.normalized.alert, id: alertIdFor(adapter.name, item.normalized.alert.sourceUid), source: adapter.name };

  const config = loadConfig();
  const logger = createLogger('warn', 'dry-run');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { address, server } = await temporal(config.temporal.address ?? `127.0.0.1:${config.temporal.devServer.port}`);
  const telemetry = setupTelemetry({ exporter: 'none', serviceName: 'riposte-dry-run' }, 'dry-run');
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const taskQueue = `dry-run-${randomUUID().slice(0, 8)}`;
  try {
    const { deps } = buildActivityDeps(config, logger);
    const [main, ...rest] = await createRiposteWorkers({ connection: native, namespace: config.temporal.namespace, taskQueue, deps, telemetry, workflowBundlePath: process.env.RIPOSTE_WORKFLOW_BUNDLE, dataConverter: dataConverter(config.payloadKeys) });
    const others = rest.map((w) => w.run());
    const converter = dataConverter(config.payloadKeys);
    const client = new Client({ connection, namespace: config.temporal.namespace, ...(converter ? { dataConverter: converter } : {}) });
    const id = randomUUID();
    const view = await main!.runUntil(() =>
      client.workflow.execute(entry.workflowType, { taskQueue, workflowId: `dryrun-${name}-${id}`, args: [{ caseId: `dryrun-${id}`, alert, dryRun: { approvals } }], workflowExecutionTimeout: '5m' })
    );
    for (const w of rest) w.shutdown();
    await Promise.all(others);
    return view as PlaybookView;
  } finally {
    await connection.close();
    await native.close();
    await server?.stop();
  }
}

/** The configured or running Temporal, or a throwaway dev server when nothing answers. */
async function temporal(address: string): Promise<{ address: string; server?: DevServer }> {
  const port = Number(address.split(':').pop());
  if (address.startsWith('127.0.0.1:') && (await portFree(port))) {
    const cli = findTemporalCli();
    if (!cli) throw new Error('no Temporal answers and the Temporal CLI is missing: run `npm start` once, or `node scripts/setup.mjs`');
    fs.mkdirSync(path.join(root, 'data'), { recursive: true });
    const server = await startDevServer({ cli: cli.bin, port: await freePort(), headless: true, logFile: path.join(root, 'data', 'dry-run-temporal.log') });
    return { address: server.address, server };
  }
  return { address };
}

function print(view: PlaybookView): void {
  console.log(`${view.playbook} v${view.version ?? 1} — dry run: nothing was changed, no case was created\n`);
  for (const t of view.timeline) console.log(`${t.at.slice(11, 23)}  ${t.step.padEnd(10)} ${t.message}`);
  if (view.actions?.length) {
    console.log('\nWould do:');
    for (const a of view.actions) console.log(`  - ${a.description} (${a.driver}${a.undo ? `; undo: ${a.undo.op}` : ''})`);
  }
  if (view.skipped?.length) {
    console.log('\nNot configured:');
    for (const s of view.skipped) console.log(`  - ${s.step}: ${s.reason}${s.enableWith.length ? ` (set ${s.enableWith.join(', ')})` : ''}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`riposte: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
);
