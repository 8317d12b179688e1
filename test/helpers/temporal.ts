// Workers and clients against the test run's real Temporal dev server (started by scripts/test.ts).
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString, type Worker, type WorkerOptions } from '@temporalio/worker';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '../../activities/index.ts';
import type { CaseRecordStore } from '../../store/case-record.ts';
import { onPostgres, storeEnv, testStores } from './postgres.ts';
import { setupTelemetry, type Telemetry } from '../../telemetry/index.ts';
import { createRiposteWorkers, type WorkerRole } from '../../worker/create-worker.ts';

/**
 * Workers log errors only in tests: state changes are noise; failures are asserted.
 * Installed on the first worker, not at import: an installed runtime with no worker to shut
 * down keeps the process alive and swallows SIGTERM.
 */
let runtimeInstalled = false;
function ensureRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger(process.env.RIPOSTE_SDK_LOG as 'WARN' ?? 'ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: (process.env.RIPOSTE_SDK_LOG as 'WARN') ?? 'ERROR' }), forward: {} } },
  });
}

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is unset: run tests through `npm test`, which starts a dev server');
  return address;
}

/** A task queue no other test shares. */
export function uniqueQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

let sharedTelemetry: Telemetry | undefined;
export function testTelemetry(): Telemetry {
  sharedTelemetry ??= setupTelemetry({ exporter: 'none', serviceName: 'riposte-test' }, 'test');
  return sharedTelemetry;
}

export async function testClient(telemetry = testTelemetry(), dataConverter?: DataConverter): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: temporalAddress() });
  const client = new Client({ connection, namespace: 'default', plugins: [telemetry.temporalPlugin], ...(dataConverter ? { dataConverter } : {}) });
  return { client, close: () => connection.close() };
}

let recordDir: string | undefined;
let sharedRecord: Promise<CaseRecordStore> | undefined;
/**
 * The case record this test process's workers write and its APIs read (one per process, as one
 * data directory — or one database — is shared by a deployment's worker and API): a SQLite file,
 * or with RIPOSTE_TEST_DATABASE=postgres a schema of the test server's database.
 */
export function testCaseRecord(): Promise<CaseRecordStore> {
  if (sharedRecord) return sharedRecord;
  const dir = (recordDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-record-')));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  sharedRecord = testStores(dir).caseRecord();
  return sharedRecord;
}

/** What a spawned worker or API needs to write and read the same record as testCaseRecord(). */
export async function testCaseRecordEnv(): Promise<Record<string, string>> {
  await testCaseRecord();
  const dir = recordDir as string;
  return onPostgres ? storeEnv(dir) : { RIPOSTE_CASE_RECORD_FILE: path.join(dir, 'cases.db') };
}

export interface RunningWorker {
  /** The main worker (workflows and most activities), or the privileged one when that is all it runs. */
  worker: Worker;
  workers: Worker[];
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * Starts Riposte's workers (main and privileged, or one `role`) with the test run's prebuilt
 * bundle. A small workflow cache, as in production: with none at all, the SDK evicts a run while
 * its local activity (the playbook's context) is in flight and core reports an SDK bug (a stalled
 * workflow task, ~10 s). Replay itself is tested against recorded histories (test/replay).
 */
export async function startWorker(opts: {
  deps: ActivityDeps;
  taskQueue: string;
  role?: WorkerRole;
  telemetry?: Telemetry;
  overrides?: Partial<WorkerOptions>;
  dataConverter?: DataConverter;
}): Promise<RunningWorker> {
  ensureRuntime();
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const workers = await createRiposteWorkers({
    connection,
    namespace: 'default',
    taskQueue: opts.taskQueue,
    role: opts.role,
    deps: { caseRecord: await testCaseRecord(), ...opts.deps },
    telemetry: opts.telemetry ?? testTelemetry(),
    workflowBundlePath: process.env.RIPOSTE_WORKFLOW_BUNDLE,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    overrides: { maxCachedWorkflows: 20, ...opts.overrides },
  });
  const running = Promise.all(workers.map((w) => w.run()));
  return {
    worker: workers[0] as Worker,
    workers,
    taskQueue: opts.taskQueue,
    async stop() {
      for (const w of workers) w.shutdown();
      await running;
      await connection.close();
    },
  };
}

export { waitFor } from './wait.ts';
