// `npm run cluster`: Riposte as production runs it, on this machine — PostgreSQL, a Temporal
// server (built from Go modules, PostgreSQL for persistence and visibility), two workers (the main
// task queue and the privileged one), two API replicas sharing one database, and HAProxy in front
// of them. Each process is the one a deployment runs (docs/DEPLOY.md); here they are children of
// this launcher, restarted when they die, and Ctrl-C (or SIGTERM) stops them in order: the load
// balancer, the APIs, the workers (letting activities finish), Temporal, PostgreSQL.
//
// Data lives under RIPOSTE_CLUSTER_DIR (default data/cluster); a second start resumes it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { loadConfig } from '../config/index.ts';
import { resolveTokens } from '../config/tokens.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';
import { portFree, stopChild } from './dev-server.ts';
import { startPostgres, type LocalPostgres } from './postgres.ts';
import { findTemporalCli } from './temporal-cli.mjs';
import { ensureTemporalServer } from './temporal-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where everything listens (loopback only); RIPOSTE_CLUSTER_PORTS=<base> moves them all. The
 * base stays under 32000: Temporal keeps its membership ports (base + 733…739) in a smallint.
 */
export function clusterPorts(base = Number(process.env.RIPOSTE_CLUSTER_PORTS ?? 17200)) {
  if (!Number.isInteger(base) || base < 1024 || base > 32_000) throw new Error(`RIPOSTE_CLUSTER_PORTS must be a whole number from 1024 to 32000 (got ${base})`);
  return {
    balancer: Number(process.env.RIPOSTE_PORT ?? base + 80),
    apis: [base + 81, base + 82],
    postgres: base + 32,
    temporal: { frontend: base + 33, history: base + 34, matching: base + 35, worker: base + 39, http: base + 43, membership: base + 700 },
    workerMetrics: [base + 91, base + 92],
    balancerStats: base + 90,
  };
}
export type ClusterPorts = ReturnType<typeof clusterPorts>;

/** A cluster's worth of free ports at a random base (the chaos suite and the benchmarks, beside a running `npm run cluster`). */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  for (let i = 0; i < 50; i++) {
    // At most 32000: Temporal keeps membership ports (base + 733…739) in a smallint column.
    const p = clusterPorts(20_000 + Math.floor(Math.random() * 110) * 100);
    const all = [p.balancer, ...p.apis, p.postgres, p.temporal.frontend, p.temporal.history, p.temporal.matching, p.temporal.worker, p.temporal.http, p.temporal.membership + 33, p.temporal.membership + 34, p.temporal.membership + 35, p.temporal.membership + 39, ...p.workerMetrics, p.balancerStats];
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return p;
  }
  throw new Error('no free port range for the cluster');
}

/** A process of the cluster, restarted when it dies (as systemd's Restart=always would). */
export class Supervised {
  child?: ChildProcess;
  private stopping = false;
  private readonly restarts: number[] = [];
  private ready?: () => void;
  /** Resolves when the process first says it is ready (IPC `ready`, or `started` for plain processes). */
  readonly started: Promise<void>;

  constructor(
    readonly name: string,
    private readonly launch: () => ChildProcess,
    private readonly o: { ipcReady?: boolean; log: (m: string) => void; graceMs?: number }
  ) {
    this.started = new Promise((resolve) => (this.ready = resolve));
    this.start();
  }

  private start(): void {
    const child = (this.child = this.launch());
    if (this.o.ipcReady) child.on('message', (m) => m === 'ready' && this.ready?.());
    else child.once('spawn', () => this.ready?.());
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const now = Date.now();
      this.restarts.push(now);
      while (this.restarts.length && now - (this.restarts[0] as number) > 60_000) this.restarts.shift();
      this.o.log(`${this.name} exited (${code ?? signal}); restarting it${this.restarts.length > 5 ? ' in 10 s (it keeps exiting)' : ''}`);
      setTimeout(() => !this.stopping && this.start(), this.restarts.length > 5 ? 10_000 : 1000).unref();
    });
  }

  /** Kills it at once (the chaos suite); the supervisor starts it again. */
  kill9(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child) await stopChild(this.child, this.o.graceMs ?? 15_000);
  }
}

export interface Cluster {
  ports: ClusterPorts;
  dir: string;
  url: string;
  temporalAddress: string;
  /** The Temporal server's version (built from go.temporal.io/server). */
  serverVersion: string;
  databaseUrl: string;
  tokensFile: string;
  postgres: LocalPostgres;
  temporal: Supervised;
  workers: Supervised[];
  apis: Supervised[];
  balancer: Supervised;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  dir: string;
  ports?: ClusterPorts;
  /** Extra environment for the workers and APIs (integrations, containment …). */
  env?: Record<string, string | undefined>;
  log?: (m: string) => void;
  /** Where each process's output goes (default: a file per process under dir/logs). */
  inheritOutput?: boolean;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    return await startAll(o, started);
  } catch (err) {
    // Nothing half-started stays behind holding ports.
    for (const p of started.reverse()) await p.stop().catch(() => {});
    throw err;
  }
}

async function startAll(o: ClusterOptions, started: Array<{ stop(): Promise<void> }>): Promise<Cluster> {
  const log = o.log ?? ((m: string) => console.error(`riposte-cluster: ${m}`));
  const ports = o.ports ?? clusterPorts();
  const dir = path.resolve(o.dir);
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const haproxy = ensureHaproxy(log);
  const server = ensureTemporalServer(log);
  const cli = findTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is missing: run `node scripts/setup.mjs`');
  for (const p of [ports.balancer, ...ports.apis, ports.postgres, ports.temporal.frontend]) {
    if (!(await portFree(p))) throw new Error(`port ${p} is in use: is a cluster already running? (RIPOSTE_CLUSTER_PORTS=<base> moves every port)`);
  }
  const out = (name: string) => (o.inheritOutput ? 'inherit' : fs.openSync(path.join(logs, `${name}.log`), 'a'));

  // 1. PostgreSQL, with Temporal's two databases and Riposte's.
  log(`PostgreSQL on 127.0.0.1:${ports.postgres} (data in ${path.join(dir, 'postgres')})`);
  const postgres = await startPostgres({ dir: path.join(dir, 'postgres'), port: ports.postgres, logFile: path.join(logs, 'postgres.log') });
  started.push(postgres);
  const databaseUrl = await postgres.createDatabase('riposte');
  for (const db of ['temporal', 'temporal_visibility']) await postgres.createDatabase(db);

  // 2. Temporal's schemas, brought up to date by its own tool.
  for (const [db, schema] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    const tool = (...args: string[]) => {
      const r = spawnSync(server.sqlTool, ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(ports.postgres), '-u', 'postgres', '--db', db, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`temporal-sql-tool ${args[0]} on ${db} failed: ${r.stderr || r.stdout}`);
    };
    if (!(await hasTable(postgres.url(db), 'schema_version'))) tool('setup-schema', '-v', '0.0');
    tool('update-schema', '-d', path.join(server.schema, schema, 'versioned'));
  }

  // 3. The Temporal server.
  const temporalRoot = path.join(dir, 'temporal');
  fs.mkdirSync(path.join(temporalRoot, 'config', 'dynamicconfig'), { recursive: true });
  const dynamicConfig = path.join(temporalRoot, 'config', 'dynamicconfig', 'production.yaml');
  fs.writeFileSync(path.join(temporalRoot, 'config', 'production.yaml'), temporalConfig(ports, dynamicConfig));
  fs.writeFileSync(dynamicConfig, DYNAMIC_CONFIG);
  const temporalAddress = `127.0.0.1:${ports.temporal.frontend}`;
  log(`Temporal server v${server.version} on ${temporalAddress}`);
  const temporal = new Supervised(
    'temporal-server',
    () => spawn(server.server, ['--root', temporalRoot, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'], { stdio: ['ignore', out('temporal'), out('temporal')], detached: true }),
    { log, graceMs: 20_000 }
  );
  started.push(temporal);
  await waitFor(() => frontendAnswers(temporalAddress), 180_000, `the Temporal server did not answer on ${temporalAddress}`).catch((err: Error) => {
    throw new Error(`${err.message}; the end of ${path.join(logs, 'temporal.log')}:\n${tail(path.join(logs, 'temporal.log'), 15)}`);
  });
  await ensureNamespace(cli.bin, temporalAddress, log);

  // 4. Workers and API replicas: the project's own entry points, as systemd would run them.
  const config = loadConfig({ ...process.env, RIPOSTE_DATA_DIR: dir });
  const tokens = resolveTokens(config);
  const common = {
    ...process.env,
    ...o.env,
    RIPOSTE_DATA_DIR: dir,
    RIPOSTE_DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    RIPOSTE_SEARCH_ATTRIBUTES: 'auto',
  };
  const node = (name: string, entry: string, env: Record<string, string>) =>
    new Supervised(name, () => spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { ...common, ...env }, stdio: ['ignore', out(name), out(name), 'ipc'], detached: true }), {
      ipcReady: true,
      log,
      graceMs: entry.startsWith('worker') ? 30_000 : 15_000,
    });
  const workers = [
    node('worker-main', 'worker/index.ts', { RIPOSTE_WORKER_ROLE: 'main', RIPOSTE_WORKER_METRICS_PORT: String(ports.workerMetrics[0]) }),
    node('worker-privileged', 'worker/index.ts', { RIPOSTE_WORKER_ROLE: 'privileged', RIPOSTE_WORKER_METRICS_PORT: String(ports.workerMetrics[1]) }),
  ];
  const apis = ports.apis.map((port, i) => node(`api-${i + 1}`, 'api/server.ts', { RIPOSTE_PORT: String(port), RIPOSTE_HOST: '127.0.0.1' }));
  started.push(...workers, ...apis);
  await Promise.race([
    Promise.all([...workers, ...apis].map((p) => p.started)),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`the workers or APIs did not start within 180 s (see ${logs})`)), 180_000).unref()),
  ]);

  // 5. HAProxy in front of the API replicas, checking each one's health.
  const haproxyCfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(haproxyCfg, haproxyConfig(ports));
  const balancer = new Supervised('haproxy', () => spawn(haproxy, ['-db', '-f', haproxyCfg], { stdio: ['ignore', out('haproxy'), out('haproxy')], detached: true }), { log });
  started.push(balancer);
  const url = `http://127.0.0.1:${ports.balancer}`;
  await waitFor(async () => (await fetch(`${url}/v1/health`).catch(() => undefined))?.ok === true, 30_000, `HAProxy did not answer on ${url}`);

  let stopped = false;
  return {
    ports,
    dir,
    url,
    temporalAddress,
    serverVersion: server.version,
    databaseUrl,
    tokensFile: tokens.file ?? '(RIPOSTE_TOKENS)',
    postgres,
    temporal,
    workers,
    apis,
    balancer,
    async stop() {
      if (stopped) return;
      stopped = true;
      await balancer.stop();
      await Promise.all(apis.map((a) => a.stop()));
      await Promise.all(workers.map((w) => w.stop()));
      await temporal.stop();
      await postgres.stop();
    },
  };
}

function ensureHaproxy(log: (m: string) => void): string {
  const bin = '/usr/sbin/haproxy';
  if (fs.existsSync(bin)) return bin;
  if (process.getuid?.() !== 0) throw new Error('HAProxy is missing: apt-get install haproxy');
  log('installing HAProxy from Debian packages…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'haproxy'], { stdio: 'inherit', env }).status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    if (spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'haproxy'], { stdio: 'inherit', env }).status !== 0) throw new Error('could not install HAProxy');
  }
  return bin;
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => l.slice(0, 400)).join('\n');
  } catch {
    return '(no log)';
  }
}

async function hasTable(url: string, table: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT to_regclass($1) AS t', [table])).rows[0]?.t !== null;
  } finally {
    await c.end();
  }
}

async function frontendAnswers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

export async function waitFor(check: () => Promise<boolean>, ms: number, error: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(error);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The `default` namespace and Riposte's search attributes, created once (a restart finds them). */
async function ensureNamespace(cli: string, address: string, log: (m: string) => void): Promise<void> {
  const run = (...args: string[]) => spawnSync(cli, [...args, '--address', address], { encoding: 'utf8' });
  const described = () => run('operator', 'namespace', 'describe', '--namespace', 'default').status === 0;
  if (!described()) {
    log('creating the default namespace (retention 30 days)');
    const r = run('operator', 'namespace', 'create', '--namespace', 'default', '--retention', '720h');
    if (r.status !== 0 && !/already/i.test(r.stderr)) throw new Error(`could not create the default namespace: ${r.stderr}`);
    // A new namespace reaches every service's cache within seconds.
    await waitFor(async () => described(), 60_000, 'the default namespace did not appear within 60 s');
  }
  for (const a of SEARCH_ATTRIBUTES) {
    await waitFor(
      async () => {
        if (run('operator', 'search-attribute', 'list', '--namespace', 'default').stdout.includes(a.name)) return true;
        const r = run('operator', 'search-attribute', 'create', '--namespace', 'default', '--name', a.name, '--type', a.type);
        return r.status === 0 || /already/i.test(r.stderr);
      },
      60_000,
      `could not register the search attribute ${a.name}`
    );
  }
}

function temporalConfig(p: ClusterPorts, dynamicConfigFile: string): string {
  const store = (db: string, conns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "127.0.0.1:${p.postgres}"
        connectProtocol: "tcp"
        user: "postgres"
        password: ""
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const service = (name: keyof ClusterPorts['temporal'], membership: number) => `
  ${name}:
    rpc:
      grpcPort: ${p.temporal[name]}
      membershipPort: ${membership}
      bindOnLocalHost: true${name === 'frontend' ? `\n      httpPort: ${p.temporal.http}` : ''}`;
  return `# Written by scripts/cluster.ts: Temporal on PostgreSQL, every service in one process, loopback only.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:${store('temporal', 20)}
    postgres-visibility:${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:${service('frontend', p.temporal.membership + 33)}${service('history', p.temporal.membership + 34)}${service('matching', p.temporal.membership + 35)}${service('worker', p.temporal.membership + 39)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${p.temporal.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${dynamicConfigFile}"
  pollInterval: "10s"
`;
}

const DYNAMIC_CONFIG = `# Written by scripts/cluster.ts. The defaults serve Riposte (updates, update-with-start, five
# search attributes in SQL visibility); tune here (https://docs.temporal.io/references/dynamic-configuration).
{}
`;

function haproxyConfig(p: ClusterPorts): string {
  return `# Written by scripts/cluster.ts: the API replicas behind one address, each checked by its health.
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 70s
  timeout server 70s
  timeout http-keep-alive 65s
  option redispatch
  retries 2
  # A replica that dies mid-request: an idempotent retry (GET) goes to another one.
  retry-on conn-failure empty-response response-timeout
frontend riposte
  bind 127.0.0.1:${p.balancer}
  default_backend api
backend api
  balance leastconn
  option httpchk GET /v1/health
  http-check expect status 200
  default-server inter 1s fall 2 rise 1
${p.apis.map((port, i) => `  server api-${i + 1} 127.0.0.1:${port} check`).join('\n')}
listen stats
  bind 127.0.0.1:${p.balancerStats}
  stats enable
  stats uri /
`;
}

async function main(): Promise<void> {
  const dir = process.env.RIPOSTE_CLUSTER_DIR ?? path.join(root, 'data', 'cluster');
  const cluster = await startCluster({ dir });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.error('riposte-cluster: stopping…');
    await cluster.stop();
    console.error('riposte-cluster: stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown());
  const p = cluster.ports;
  console.log(
    [
      '',
      'The Riposte cluster is running.',
      `  API (HAProxy)   ${cluster.url}   → replicas 127.0.0.1:${p.apis.join(', 127.0.0.1:')}   (HAProxy stats: http://127.0.0.1:${p.balancerStats}/)`,
      `  Temporal        ${cluster.temporalAddress}, namespace default, PostgreSQL persistence and visibility`,
      `  PostgreSQL      ${cluster.databaseUrl}`,
      `  Workers         main + privileged task queues (metrics http://127.0.0.1:${p.workerMetrics.join('/metrics, http://127.0.0.1:')}/metrics)`,
      `  Tokens          ${cluster.tokensFile}`,
      `  Logs            ${path.join(cluster.dir, 'logs')}`,
      '  Ctrl-C stops everything; a second start resumes where it was.',
      '',
    ].join('\n')
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(`riposte-cluster: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
