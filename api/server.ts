// The API process: one Temporal connection at start-up, then listen; SIGINT/SIGTERM close it.
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/index.ts';
import { temporalConnectionSettings } from '../config/temporal.ts';
import { resolveTokens } from '../config/tokens.ts';
import { setupTelemetry } from '../telemetry/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { createApp } from './app.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  const telemetry = setupTelemetry(config.telemetry, 'api');
  const tokens = resolveTokens(config);
  if (tokens.file) logger.info({ file: tokens.file }, `API tokens (one per role) are in ${tokens.file}${tokens.generated ? ' (generated now)' : ''}`);

  const connection = await Connection.connect(temporalConnectionSettings(config.temporal));
  const client = new Client({ connection, namespace: config.temporal.namespace, plugins: [telemetry.temporalPlugin] });
  const app = createApp({
    client,
    tokens: tokens.entries,
    logger,
    taskQueue: config.temporal.taskQueue,
    settings: { approvalTimeout: config.playbooks.approvalTimeout, onApprovalTimeout: config.playbooks.c2OnTimeout },
    maxBodyBytes: config.maxBodyBytes,
    version,
  });
  const server = app.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    logger.info({ port }, `API listening on http://${config.host}:${port} (OpenAPI at /v1/openapi.json)`);
    process.send?.('ready'); // tells `npm start` (scripts/start.ts) the API is listening
  });
  server.on('error', (err) => {
    logger.fatal({ err }, 'API could not listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    logger.info('API stopping');
    server.close(async () => {
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
