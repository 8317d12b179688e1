// `npm start`: the embedded stack — Temporal dev server (data under RIPOSTE_DATA_DIR), worker
// and API — or, with TEMPORAL_ADDRESS set, just the worker and API against that cluster.
// Ctrl-C stops the API, then the worker (letting running activities finish), then Temporal.
// Any of the three that dies is started again (at most 5 times a minute). Running playbooks
// resume where they were, and on the next start: their state is in Temporal's SQLite file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../config/index.ts';
import { partlyConfigured } from '../activities/catalog-info.ts';
import { resolveTokens } from '../config/tokens.ts';
import { ensureConsole } from './build-console.ts';
import { startDevServer, stopChild, type DevServer, type DevServerOptions } from './dev-server.ts';
import { findTemporalCli } from './temporal-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Managed {
  name: string;
  entry: string;
  child?: ChildProcess;
  restarts: number[];
  /** Resolves when the process first says it is ready (over the IPC channel). */
  ready: Promise<void>;
  markReady?: () => void;
}

function managed(name: string, entry: string): Managed {
  const m: Managed = { name, entry, restarts: [], ready: Promise.resolve() };
  m.ready = new Promise((resolve) => (m.markReady = resolve));
  return m;
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Integrations with some of their required settings and not the others: say so now.
  const partly = partlyConfigured(process.env);
  if (partly.length > 0) throw new ConfigError(partly);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const tokens = resolveTokens(config);
  const env: NodeJS.ProcessEnv = { ...process.env, RIPOSTE_DATA_DIR: config.dataDir };
  // The analyst console the API serves at / (built once, and again when its sources change).
  await ensureConsole((m) => console.error(`riposte: ${m}`));

  let temporal: DevServer | undefined;
  let devServer: DevServerOptions | undefined;
  if (!config.temporal.address) {
    const cli = findTemporalCli();
    if (!cli) throw new Error('the Temporal CLI is missing: run `node scripts/setup.mjs` (npm start does this first)');
    devServer = {
      cli: cli.bin,
      port: config.temporal.devServer.port,
      uiPort: config.temporal.devServer.uiPort,
      // Sealed payloads: the UI opens them through the API (an analyst signed in, credentials included).
      ...(config.payloadKeys ? { uiCodecEndpoint: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/v1/codec` } : {}),
      dbFile: path.join(config.dataDir, 'temporal.db'),
      logFile: path.join(config.dataDir, 'temporal.log'),
    };
    temporal = await startDevServer(devServer);
    env.TEMPORAL_ADDRESS = temporal.address;
  }

  let stopping = false;
  /** Whether a process that just exited may be started again: not more than 5 times a minute. */
  const mayRestart = (m: { name: string; restarts: number[] }, how: string): boolean => {
    const now = Date.now();
    m.restarts = [...m.restarts.filter((t) => now - t < 60_000), now];
    if (m.restarts.length > 5) {
      console.error(`riposte: the ${m.name} keeps exiting (${how}); stopping`);
      void shutdown(1);
      return false;
    }
    console.error(`riposte: the ${m.name} exited (${how}); restarting it`);
    return true;
  };
  const processes: Managed[] = [managed('worker', 'worker/index.ts'), managed('api', 'api/server.ts')];
  const launch = (m: Managed) => {
    m.child = spawn(process.execPath, ['--import', 'tsx', m.entry], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
    m.child.on('message', (msg) => msg === 'ready' && m.markReady?.());
    m.child.once('exit', (code, signal) => {
      if (stopping || !mayRestart(m, String(code ?? signal))) return;
      setTimeout(() => !stopping && launch(m), 1000);
    });
  };
  // The dev server too: on the same port and database file, so the worker and the API (which
  // reconnect by themselves) and every running playbook go on where they were.
  const temporalRestarts = { name: 'Temporal dev server', restarts: [] as number[] };
  const superviseTemporal = (server: DevServer, options: DevServerOptions) => {
    server.process.once('exit', (code, signal) => {
      if (stopping || !mayRestart(temporalRestarts, String(code ?? signal))) return;
      setTimeout(() => {
        if (stopping) return;
        startDevServer(options).then(
          (again) => {
            temporal = again;
            superviseTemporal(again, options);
          },
          (err: unknown) => {
            console.error(`riposte: the Temporal dev server did not start again: ${err instanceof Error ? err.message : String(err)}`);
            void shutdown(1);
          }
        );
      }, 1000);
    });
  };
  if (temporal && devServer) superviseTemporal(temporal, devServer);
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error('riposte: stopping…');
    const [worker, api] = processes;
    if (api?.child) await stopChild(api.child);
    if (worker?.child) await stopChild(worker.child, 30_000);
    if (temporal) await temporal.stop();
    console.error('riposte: stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
  processes.forEach(launch);

  const api = `http://${config.host}:${config.port}`;
  await Promise.race([
    Promise.all(processes.map((m) => m.ready)),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the worker or the API did not start within 120 s')), 120_000).unref()),
  ]);
  const lines = [
    '',
    'Riposte is running.',
    `  Console      ${api}/   (sign in with a token from the file below)`,
    `  API          ${api}   (OpenAPI: ${api}/v1/openapi.json)`,
    temporal ? `  Temporal UI  ${temporal.uiUrl}   (dev server ${temporal.address}, data in ${path.join(config.dataDir, 'temporal.db')})` : `  Temporal     ${config.temporal.address}, namespace ${config.temporal.namespace}`,
    tokens.file ? `  Tokens       ${tokens.file}   (one per role: viewer, analyst, admin, source)` : '  Tokens       from RIPOSTE_TOKENS',
    `  Containment  ${config.containment.live.length ? `${config.containment.live.join(', ')} act for real; other drivers are simulated` : 'log-only (records what it would do; changes nothing)'}`,
    '  Ctrl-C stops everything; running playbooks resume on the next start.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(`riposte: ${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
