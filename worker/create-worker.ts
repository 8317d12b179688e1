// One place that assembles a Riposte worker, used by the worker process and by tests.
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
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
  overrides?: Partial<WorkerOptions>;
}

export function createRiposteWorker(o: RiposteWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundlePath ? { workflowBundle: { codePath: o.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(o.deps),
    plugins: [o.telemetry.temporalPlugin],
    ...o.overrides,
  });
}
