// The worker process: runs playbooks (workflows) and their activities.
// Telemetry first, then the Temporal runtime, then one connection, then the worker.
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfig, ConfigError } from '../config/index.ts';
import { temporalConnectionSettings } from '../config/temporal.ts';
import { setupTelemetry } from '../telemetry/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { createRiposteWorker } from './create-worker.ts';
import { buildActivityDeps } from './deps.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  const telemetry = setupTelemetry(config.telemetry, 'worker');
  Runtime.install({
    logger: {
      log: (level, msg, meta) => logger[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error')](meta ?? {}, msg),
      trace: (msg, meta) => logger.trace(meta ?? {}, msg),
      debug: (msg, meta) => logger.debug(meta ?? {}, msg),
      info: (msg, meta) => logger.info(meta ?? {}, msg),
      warn: (msg, meta) => logger.warn(meta ?? {}, msg),
      error: (msg, meta) => logger.error(meta ?? {}, msg),
    },
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
  const { deps, status } = buildActivityDeps(config, logger);
  for (const s of status) logger.info({ integration: s.name, active: s.active }, `integration ${s.name}: ${s.active ? 'active' : 'inactive'} — ${s.detail}`);

  const connection = await NativeConnection.connect(temporalConnectionSettings(config.temporal));
  const worker = await createRiposteWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps,
    telemetry,
    workflowBundlePath: process.env.RIPOSTE_WORKFLOW_BUNDLE,
  });
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker ready');
  try {
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    await connection.close();
    await telemetry.shutdown();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
