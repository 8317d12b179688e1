// One place that assembles Riposte's workers, used by the worker process and by tests: the main
// worker (workflows and the activities that only look things up, tell people or keep tickets) on
// the task queue, and the privileged worker (activities that change hosts, networks or cloud
// accounts, or read raw disks) on `<queue>-privileged`. A deployment may run them apart, so only
// the privileged one holds the credentials and capabilities it needs.
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { activityIsPrivileged, integrationOfActivity } from '../activities/catalog.ts';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { recordingOutcomes } from '../activities/shared/status.ts';
import type { IntegrationStatusStore } from '../store/integration-status.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { privilegedTaskQueue } from '../workflows/definitions.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Which of the two workers this process runs. */
export type WorkerRole = 'all' | 'main' | 'privileged';

export interface RiposteWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The main task queue; the privileged worker polls `<taskQueue>-privileged`. */
  taskQueue: string;
  deps: ActivityDeps;
  telemetry: Telemetry;
  /** all (default), main or privileged. */
  role?: WorkerRole;
  /** A prebuilt workflow bundle (RIPOSTE_WORKFLOW_BUNDLE); otherwise the worker bundles at start. */
  workflowBundlePath?: string;
  /** Seals workflow payloads (RIPOSTE_PAYLOAD_KEYS). */
  dataConverter?: DataConverter;
  /** Where each integration's last success and failure are kept (GET /v1/integrations). */
  statusStore?: IntegrationStatusStore;
  overrides?: Partial<WorkerOptions>;
}

/**
 * Modules every workflow shares instead of evaluating them afresh (the SDK gives each workflow
 * its own copy of every module it loads after start-up): OpenTelemetry, which the tracing
 * interceptors load into every workflow, was about a fifth of the worker's CPU per playbook
 * (docs/PERFORMANCE.md). Stateless libraries only: they are loaded before any workflow exists
 * and frozen. (Sharing Riposte's own workflow modules saved nothing measurable.)
 */
export const SHARED_MODULES = ['@opentelemetry/api', '@opentelemetry/core', '@opentelemetry/resources', '@opentelemetry/sdk-trace-base', '@opentelemetry/semantic-conventions'];

/** Bundles the workflow code with the same plugins the worker uses; webpack's chatter is dropped. */
export async function bundleWorkflows(telemetry: Telemetry): Promise<{ code: string }> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, plugins: [telemetry.temporalPlugin], logger: quiet, preloadModules: SHARED_MODULES });
}

/** Every activity, split by task queue. */
export function splitActivities(deps: ActivityDeps, statusStore?: IntegrationStatusStore) {
  const wrap = statusStore || deps.metrics ? <A extends Record<string, (...args: never[]) => Promise<unknown>>>(a: A) => recordingOutcomes(a, statusStore, integrationOfActivity, deps.metrics) : undefined;
  const all = createActivities(deps, wrap) as unknown as Record<string, (...args: never[]) => Promise<unknown>>;
  const main: typeof all = {};
  const privileged: typeof all = {};
  for (const [name, fn] of Object.entries(all)) (activityIsPrivileged(name) ? privileged : main)[name] = fn;
  return { main, privileged };
}

export async function createRiposteWorkers(o: RiposteWorkerOptions): Promise<Worker[]> {
  const role = o.role ?? 'all';
  const { main, privileged } = splitActivities({ ...o.deps, workerRole: role }, o.statusStore);
  const workers: Worker[] = [];
  if (role !== 'privileged') {
    workers.push(
      await Worker.create({
        connection: o.connection,
        namespace: o.namespace,
        taskQueue: o.taskQueue,
        workflowBundle: o.workflowBundlePath ? { codePath: o.workflowBundlePath } : await bundleWorkflows(o.telemetry),
        activities: main,
        plugins: [o.telemetry.temporalPlugin],
        ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
        ...o.overrides,
      })
    );
  }
  if (role !== 'main') {
    workers.push(
      await Worker.create({
        connection: o.connection,
        namespace: o.namespace,
        taskQueue: privilegedTaskQueue(o.taskQueue),
        activities: privileged,
        plugins: [o.telemetry.temporalPlugin],
        ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
        ...o.overrides,
      })
    );
  }
  return workers;
}
