// The raw-Temporal baseline's worker (bench/throughput.ts starts it with bench/stack.ts's
// `startProcess`): one process, SDK defaults, the bare workflow and its no-op activity on
// BENCH_BARE_TASK_QUEUE (bench-bare), Temporal at TEMPORAL_ADDRESS. Says 'ready' over IPC once polling.
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createBareActivities } from './activities.ts';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is required');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.BENCH_BARE_TASK_QUEUE ?? 'bench-bare',
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    activities: createBareActivities(),
  });
  process.send?.('ready');
  // The benchmark is gone: stop polling and leave.
  process.once('disconnect', () => worker.getState() === 'RUNNING' && worker.shutdown());
  try {
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  }
);
