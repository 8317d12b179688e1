// `npm run record:histories`: runs the workflows through their main paths on a real Temporal
// dev server and writes each history to test/replay/histories/, which the replay test replays
// on every `npm test`. Existing files are kept: they are the histories of earlier versions that
// may still be running, and must go on replaying. Name a new scenario to add one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { createRequire } from 'node:module';
import { setupTelemetry } from '../telemetry/index.ts';
import { createRiposteWorkers } from '../worker/create-worker.ts';
import { alertsSignal, approvalUpdate, caseWorkflowId, playbookViewQuery, playbookWorkflowId, type PlaybookInput } from '../workflows/definitions.ts';
import { c2Alert, playbookInput } from '../test/helpers/alerts.ts';
import { RecordingEgress, RecordingTickets } from '../test/helpers/fakes.ts';
import { freePort, startDevServer } from './dev-server.ts';
import { findTemporalCli } from './temporal-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'test/replay/histories');
const sdkVersion = (createRequire(import.meta.url)('@temporalio/workflow/package.json') as { version: string }).version.replace(/\./g, '_');

interface Scenario {
  name: string;
  input: PlaybookInput;
  drive(h: WorkflowHandle): Promise<void>;
}

const waitForApproval = async (h: WorkflowHandle) => {
  for (let i = 0; i < 200; i++) {
    if ((await h.query(playbookViewQuery)).status === 'awaiting_approval') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('never asked for approval');
};

const scenarios: Scenario[] = [
  {
    name: 'approved-contained',
    input: playbookInput(c2Alert({ uid: 'replay-approved' })),
    drive: async (h) => {
      await waitForApproval(h);
      await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'approve', comment: 'confirmed', actor: 'analyst' }] });
    },
  },
  {
    name: 'rejected-closed',
    input: playbookInput(c2Alert({ uid: 'replay-rejected' })),
    drive: async (h) => {
      await waitForApproval(h);
      await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'reject', actor: 'analyst' }] });
    },
  },
  {
    name: 'timeout-escalated',
    input: playbookInput(c2Alert({ uid: 'replay-timeout' }), { approvalTimeout: '1s', onApprovalTimeout: 'contain' }),
    drive: async () => undefined,
  },
  {
    name: 'low-severity-closed',
    input: playbookInput(c2Alert({ uid: 'replay-low', severity_id: 2 })),
    drive: async () => undefined,
  },
];

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = findTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is missing: run `node scripts/setup.mjs`');
  let address = process.env.TEMPORAL_ADDRESS;
  let stopServer: (() => Promise<void>) | undefined;
  if (!address) {
    const server = await startDevServer({ cli: cli.bin, port: await freePort(), headless: true, logFile: path.join(os.tmpdir(), 'riposte-record.log') });
    address = server.address;
    stopServer = server.stop;
  }
  const telemetry = setupTelemetry({ exporter: 'none', serviceName: 'riposte-record' }, 'record');
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, plugins: [telemetry.temporalPlugin] });
  const taskQueue = `record-${Date.now()}`;
  const save = (file: string, workflowId: string) => {
    if (fs.existsSync(file)) return console.log(`kept ${path.relative(root, file)} (an earlier version's history)`);
    // The CLI writes the same JSON as the Temporal UI's "download history".
    fs.writeFileSync(file, execFileSync(cli.bin, ['workflow', 'show', '--address', address as string, '--workflow-id', workflowId, '--output', 'json'], { encoding: 'utf8' }));
    console.log(`recorded ${path.relative(root, file)}`);
  };
  const [worker, ...others] = await createRiposteWorkers({
    connection: native,
    namespace: 'default',
    taskQueue,
    telemetry,
    deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() },
  });
  const othersRunning = others.map((w) => w.run());
  await (worker as NonNullable<typeof worker>).runUntil(async () => {
    // A case: two alerts in two batches (one a re-delivery), one playbook started, approved,
    // finished and reported back; the idle case then ends.
    const caseId = `cs_${Date.now().toString(16).padStart(16, '0')}`;
    const alert = c2Alert({ uid: 'replay-case' });
    const caseHandle = await client.workflow.signalWithStart('caseWorkflow', {
      taskQueue,
      workflowId: caseWorkflowId(caseId),
      args: [{ caseId, settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', idleTimeout: '2s' } }],
      signal: alertsSignal,
      signalArgs: [{ items: [{ seq: 1, kind: 'new', alert }] }],
    });
    await caseHandle.signal(alertsSignal, { items: [{ seq: 1, kind: 'new', alert }, { seq: 2, kind: 'new', alert: c2Alert({ uid: 'replay-case-2', severity_id: 1 }) }] });
    const child = client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId));
    for (let i = 0; i < 200; i++) {
      if ((await child.query(playbookViewQuery).catch(() => undefined))?.status === 'awaiting_approval') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await child.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'approve', actor: 'analyst' }] });
    await child.result();
    await caseHandle.result();
    for (const [name, h] of [['case_one-playbook', caseHandle], ['suspected-c2_child-of-case', child]] as const) {
      const file = path.join(outDir, `${name}_${sdkVersion}.json`);
      save(file, h.workflowId);
    }

    for (const s of scenarios) {
      const h = await client.workflow.start('suspectedC2Playbook', { taskQueue, workflowId: `record-${s.name}-${Date.now()}`, args: [s.input] });
      await s.drive(h);
      await h.result();
      const file = path.join(outDir, `suspected-c2_${s.name}_${sdkVersion}.json`);
      save(file, h.workflowId);
    }
  });
  for (const w of others) w.shutdown();
  await Promise.all(othersRunning);
  await connection.close();
  await native.close();
  await stopServer?.();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
