// The worker process: runs playbooks (workflows) and their activities.
// Telemetry first, then the Temporal runtime, then one connection, then the worker.
import http from 'node:http';
import { dataConverter } from '../config/payload-codec.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../telemetry/metrics.ts';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { openStores, storeLocations } from '../store/open.ts';
import { loadConfig, ConfigError } from '../config/index.ts';
import { temporalConnectionSettings } from '../config/temporal.ts';
import { setupTelemetry } from '../telemetry/index.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { createRiposteWorkers, type WorkerRole } from './create-worker.ts';
import { playbookSettingProblems } from './playbook-settings.ts';
import { PLAYBOOKS } from '../workflows/playbooks/index.ts';
import { ensureSweepSchedule, sweepEvery } from './schedules.ts';
import { buildActivityDeps } from './deps.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  const telemetry = setupTelemetry(config.telemetry, 'worker');
  // The SDK's own info lines (state changes, pollers) are debug detail for an operator.
  const sdk = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, meta?: Record<string, unknown>) => logger[level](meta ?? {}, msg);
  Runtime.install({
    logger: {
      log: (level, msg, meta) => sdk(level === 'WARN' ? 'warn' : level === 'ERROR' ? 'error' : 'debug')(msg, meta),
      trace: () => undefined,
      debug: sdk('debug'),
      info: sdk('debug'),
      warn: sdk('warn'),
      error: sdk('error'),
    },
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
  const stores = openStores(storeLocations(config, 'riposte-worker'));
  const { deps, status } = buildActivityDeps(config, logger, process.env, stores);
  // Prometheus: the worker's own series on RIPOSTE_WORKER_METRICS_PORT (loopback unless RIPOSTE_WORKER_METRICS_HOST says otherwise).
  deps.metrics = createWorkerMetrics();
  const metricsServer = serveMetrics(deps.metrics.registry, process.env.RIPOSTE_WORKER_METRICS_PORT, process.env.RIPOSTE_WORKER_METRICS_HOST ?? '127.0.0.1', logger);
  for (const s of status) logger.info({ integration: s.name, active: s.active }, `integration ${s.name}: ${s.active ? 'active' : 'inactive'} — ${s.detail}`);

  logger.info({ playbooks: PLAYBOOKS.map((p) => `${p.meta.name} v${p.meta.version}`) }, `playbooks: ${PLAYBOOKS.map((p) => `${p.meta.name} v${p.meta.version}`).join(', ')}`);
  const problems = playbookSettingProblems(process.env);
  const sweep = sweepEvery(process.env.RIPOSTE_SWEEP_EVERY);
  if ('problem' in sweep) problems.push(sweep.problem);
  if (problems.length) throw new ConfigError(problems);
  const role = workerRole(process.env.RIPOSTE_WORKER_ROLE);

  const connection = await NativeConnection.connect(temporalConnectionSettings(config.temporal));
  const workers = await createRiposteWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    role,
    deps,
    telemetry,
    workflowBundlePath: process.env.RIPOSTE_WORKFLOW_BUNDLE,
    statusStore: await stores.integrationStatus(),
    dataConverter: dataConverter(config.payloadKeys),
    overrides: { maxCachedWorkflows: config.worker.cachedWorkflows },
  });
  if (role !== 'privileged') {
    await ensureSweepSchedule({
      connection: temporalConnectionSettings(config.temporal),
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      every: process.env.RIPOSTE_SWEEP_EVERY ?? '1h',
      logger,
      dataConverter: dataConverter(config.payloadKeys),
    });
  }
  const queues = workers.map((w) => w.options.taskQueue);
  logger.info({ taskQueues: queues, namespace: config.temporal.namespace, role }, `worker ready (${queues.join(', ')})`);
  process.send?.('ready'); // tells `npm start` (scripts/start.ts) the worker is polling
  // The launcher is gone: stop, do not linger (a worker already stopping on SIGTERM is left to it).
  process.once('disconnect', () => workers.filter((w) => w.getState() === 'RUNNING').forEach((w) => w.shutdown()));
  try {
    await Promise.all(workers.map((w) => w.run())); // return after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    metricsServer?.close();
    await connection.close();
    await stores.close();
    await telemetry.shutdown();
    logger.info('worker stopped');
  }
}

function serveMetrics(registry: WorkerMetrics['registry'], port: string | undefined, host: string, log: Pick<Logger, 'info'>): http.Server | undefined {
  if (!port) return undefined;
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') return void res.writeHead(404).end();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end()
    );
  });
  server.listen(Number(port), host, () => log.info({ port: Number(port), host }, `worker metrics on http://${host}:${port}/metrics`));
  return server;
}

function workerRole(raw: string | undefined): WorkerRole {
  if (raw === undefined || raw === '' || raw === 'all') return 'all';
  if (raw === 'main' || raw === 'privileged') return raw;
  throw new ConfigError([`RIPOSTE_WORKER_ROLE must be all, main or privileged (got "${raw}")`]);
}

// Leave explicitly when done: the IPC channel from `npm start` would keep the process alive.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
);
