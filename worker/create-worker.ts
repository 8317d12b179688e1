// One place that assembles a Riposte worker, used by the worker process and by tests.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { integrationOfActivity } from '../activities/catalog.ts';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { recordingOutcomes, type IntegrationStatusStore } from '../activities/shared/status.ts';
import type { Telemetry } from '../telemetry/index.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface RiposteWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  telemetry: Telemetry;
  /** A prebuilt workflow bundle (RIPOSTE_WORKFLOW_BUNDLE); otherwise the worker bundles at start. */
  workflowBundlePath?: string;
  /** Where each integration's last success and failure are kept (GET /v1/integrations). */
  statusStore?: IntegrationStatusStore;
  overrides?: Partial<WorkerOptions>;
}

/** Bundles the workflow code with the same plugins the worker uses; webpack's chatter is dropped. */
export async function bundleWorkflows(telemetry: Telemetry): Promise<{ code: string }> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, plugins: [telemetry.temporalPlugin], logger: quiet });
}

export async function createRiposteWorker(o: RiposteWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowBundle: o.workflowBundlePath ? { codePath: o.workflowBundlePath } : await bundleWorkflows(o.telemetry),
    activities: o.statusStore ? recordingOutcomes(createActivities(o.deps), o.statusStore, integrationOfActivity) : createActivities(o.deps),
    plugins: [o.telemetry.temporalPlugin],
    ...o.overrides,
  });
}
