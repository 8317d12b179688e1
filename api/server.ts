// The API process: the alert store, the suppression rules, the dispatcher to Temporal, and the
// HTTP API. SIGINT/SIGTERM stop accepting, finish in-flight requests, and close the store;
// anything not yet dispatched stays in the store's outbox for the next start.
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/index.ts';
import { partlyConfigured } from '../activities/catalog-info.ts';
import { temporalConnectionSettings } from '../config/temporal.ts';
import { searchAttributesRegistered } from './search-attributes.ts';
import { RunWatch } from './run-watch.ts';
import { resolveTokens } from '../config/tokens.ts';
import { openStores, storeLocations } from '../store/open.ts';
import { dataConverter } from '../config/payload-codec.ts';
import { createApiMetrics } from '../telemetry/metrics.ts';
import { CaseService } from './cases.ts';
import { SlaWatch } from './sla-watch.ts';
import { pruneCases } from './retention.ts';
import { OidcSignIn } from './auth/oidc.ts';
import { CaseEvents } from './case-events.ts';
import { setupTelemetry } from '../telemetry/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { createApp } from './app.ts';
import { integrationViews } from './integrations.ts';
import { slackInteractionSettings } from './routes/slack.ts';
import { Dispatcher } from './ingest/dispatcher.ts';
import { SuppressionRules } from './ingest/rules.ts';
import { Triage } from './triage.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const DAY_MS = 86_400_000;

async function main(): Promise<void> {
  const config = loadConfig();
  // Integrations with some of their required settings and not the others: say so now.
  const partly = partlyConfigured(process.env);
  if (partly.length > 0) throw new ConfigError(partly);
  const logger = createLogger(config.logLevel, 'api');
  const telemetry = setupTelemetry(config.telemetry, 'api');
  const tokens = resolveTokens(config);
  if (tokens.file) logger.info({ file: tokens.file }, `API tokens (one per role) are in ${tokens.file}${tokens.generated ? ' (generated now)' : ''}`);

  const stores = openStores(storeLocations(config, 'riposte-api'));
  const store = await stores.alerts();
  const integrationStatus = await stores.integrationStatus();
  const rules = new SuppressionRules(store, config.ingest.suppressionsFile, logger);
  await rules.start();
  if (stores.kind === 'postgres') rules.syncEvery(5000); // replicas share rules through the database
  logger.info({ store: stores.kind === 'postgres' ? 'postgresql' : config.ingest.storeFile, backlog: store.backlog(), suppressions: rules.activeCount() }, 'alert store open');

  const connection = await Connection.connect(temporalConnectionSettings(config.temporal));
  const converter = dataConverter(config.payloadKeys);
  const client = new Client({ connection, namespace: config.temporal.namespace, plugins: [telemetry.temporalPlugin], ...(converter ? { dataConverter: converter } : {}) });
  const record = await stores.caseRecord();
  const triage = await Triage.start(store, logger, config.triage, record);
  const metrics = createApiMetrics({ backlog: () => store.backlog(), pendingApprovals: () => record.pendingApprovals() });
  const dispatcher = new Dispatcher({
    store,
    metrics,
    client,
    taskQueue: config.temporal.taskQueue,
    // Playbooks read their own settings on the worker side; the case only needs to know when it is over.
    settings: { idleTimeout: `${config.ingest.correlationWindowMs + 10 * 60_000}ms` },
    intervalMs: config.ingest.dispatchIntervalMs,
    maxSignalsPerSecond: config.ingest.dispatchMaxRate,
    logger,
    searchAttributes: await searchAttributesRegistered(client, config.temporal.searchAttributes, logger),
    untraced: !telemetry.tracing,
  });
  dispatcher.start();
  // Which cases changed, for the console's live updates (GET /v1/events).
  const caseEvents = new CaseEvents({ record, logger });
  const queued = (caseIds: string[]) => {
    dispatcher.wake(caseIds);
    caseEvents.notify(caseIds);
  };
  store.watchQueued?.(queued);
  const pruner = setInterval(() => void store.prune(new Date(), { requestsMs: DAY_MS, entitiesMs: config.ingest.correlationWindowMs * 2 }), 600_000);
  pruner.unref();

  const [indicators, users, audit] = await Promise.all([stores.indicators(), stores.users(), stores.audit()]);
  const app = createApp({
    client,
    taskQueue: config.temporal.taskQueue,
    record,
    users,
    ...(config.oidc ? { oidc: new OidcSignIn(config.oidc, users) } : {}),
    audit,
    indicators,
    tokens: tokens.entries,
    logger,
    ingest: { store, rules, config: config.ingest, onQueued: queued, metrics, triage },
    caseEvents,
    metrics,
    dispatchStats: () => ({ ...dispatcher.stats }),
    integrations: () => integrationViews(process.env, integrationStatus),
    slack: slackInteractionSettings(process.env),
    maxBodyBytes: config.maxBodyBytes,
    rateLimitPerMinute: config.apiRateLimit,
    ...(converter ? { codec: converter.payloadCodecs[0] } : {}),
    sla: config.sla,
    codecOrigins: config.codecOrigins,
    caseStart: (caseId, alerts) => dispatcher.caseStart(caseId, alerts),
    version,
  });
  // Missed service levels: recorded, counted and escalated, once each.
  const slaWatch = new SlaWatch({ store, record, cases: new CaseService({ client, store, record, rules, taskQueue: config.temporal.taskQueue, sla: config.sla }), client, taskQueue: config.temporal.taskQueue, logger, metrics });
  slaWatch.start();
  const runWatch = new RunWatch({ record, client, logger });
  runWatch.start();
  // The case record's retention: hourly, when one is set (the default keeps cases for ever).
  const retention = config.caseRecordRetentionMs;
  const retainer = retention ? setInterval(() => void pruneCases({ store, record, audit }, retention).catch((err: unknown) => logger.warn({ err: String(err) }, 'case retention failed')), 3_600_000) : undefined;
  retainer?.unref();
  const server = app.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    logger.info({ port }, `API listening on http://${config.host}:${port} (OpenAPI at /v1/openapi.json)`);
    process.send?.('ready'); // tells `npm start` (scripts/start.ts) the API is listening
  });
  // Alert sources and proxies keep connections open: close idle ones well after a typical proxy's
  // 60 s idle timeout, or a sender may reuse a socket just as it is closed (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('error', (err) => {
    logger.fatal({ err }, 'API could not listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    logger.info('API stopping');
    caseEvents.close(); // open event streams would keep the server from closing
    server.close(async () => {
      clearInterval(pruner);
      rules.stop();
      triage.close();
      await dispatcher.stop();
      await slaWatch.stop();
      await runWatch.stop();
      clearInterval(retainer);
      await stores.close();
      await connection.close();
      await telemetry.shutdown();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('disconnect', stop); // the launcher (npm start) is gone: stop, do not linger
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
