// `npm run chaos`: Riposte under steady load while its processes are killed with SIGKILL.
//
// For each stack — the cluster (`npm run cluster`: PostgreSQL, the Temporal server, a main and a
// privileged worker, two API replicas behind HAProxy) and the embedded one (`npm start`'s shape:
// the Temporal dev server on a SQLite file, one worker, one API) — it:
//   1. starts loopback peers that record every side effect (bench/chaos-peers.ts: VirusTotal,
//      AbuseIPDB, Jira, CrowdStrike Falcon) and the stack configured to use them;
//   2. posts alerts at a fixed rate (CHAOS_RATE a second) for CHAOS_DURATION, alternating a
//      suspected-C2 finding (OCSF) and a Falcon malware detection, each starting its playbook; a
//      source that gets no 202 re-sends the same alert (same source id) until CHAOS_PATIENCE;
//   3. meanwhile an analyst driver approves every approval the playbooks ask;
//   4. meanwhile kills, at random intervals (CHAOS_KILL_EVERY), one process at a time — a worker,
//      an API replica, Temporal, PostgreSQL (cluster); the worker, the API, the dev server
//      (embedded) — and waits until it is back (the supervisor restarts workers, APIs and the
//      Temporal server; the suite restarts PostgreSQL and the dev server, as their operator would);
//   5. stops the load, lets the driver finish within CHAOS_RECOVERY, and checks: every
//      acknowledged alert is stored in its case and listed by it; every playbook run finished;
//      every side effect happened exactly once per idempotency key (Jira issues and notes, Falcon
//      containment, case-record actions), and none is missing for a finished run; the outbox is
//      drained (GET /v1/health backlog 0 on every replica, and the outbox table on PostgreSQL);
//      no playbook workflow is left running in Temporal.
// Prints a summary and writes bench/results/chaos-<date>T<hhmm>-<stack>.json. Exits 1 when anything was
// lost, duplicated, missing, stuck or failed. docs/RELIABILITY.md has the results and findings.
//
// Options (environment):
//   CHAOS_STACK        cluster | embedded | both (both)
//   CHAOS_DURATION     how long the load runs (120s)
//   CHAOS_RATE         alerts a second (2)
//   CHAOS_SEED         the kill schedule's seed (random; printed, and in the results)
//   CHAOS_KILL_EVERY   the pause after a killed process is back, before the next kill (10-20s)
//   CHAOS_TARGETS      only these targets, e.g. postgres,temporal (every one the stack has)
//   CHAOS_RECOVERY     how long after the load every run must have finished (240s)
//   CHAOS_PATIENCE     how long a source keeps re-sending one alert (60s)
//   CHAOS_PEER_DELAY_MS  the peers answer a write after up to this (250)
//   CHAOS_KEEP=1       keep the stack's directory and logs (kept anyway when a run fails)
//   CHAOS_SCENARIO     load (the above) | approval-race (cluster only, no load: an analyst's
//                      approval in flight when the Temporal server dies, CHAOS_RACE_ATTEMPTS times)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { startChaosPeers, type ChaosPeers, type PeerEvent } from '../bench/chaos-peers.ts';
import { percentile as pct } from '../bench/stack.ts';
import { c2Finding } from '../test/helpers/alerts.ts';
import { PLAYBOOK_ALERTS } from '../test/helpers/playbook-alerts.ts';
import { freeClusterPorts, startCluster, Supervised } from './cluster.ts';
import { freePort, startDevServer, temporalAnswers, type DevServer } from './dev-server.ts';
import { findTemporalCli } from './temporal-cli.mjs';
import { prng } from './prng.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Rejects after `ms` without keeping the process alive (for Promise.race). */
const timeoutAfter = (ms: number, message: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());

// ---- options -----------------------------------------------------------------------------------

type StackKind = 'cluster' | 'embedded';

function duration(text: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min)?\s*$/.exec(text);
  if (!m) throw new Error(`${name} must be a duration such as 120s or 2m (got "${text}")`);
  const unit = m[2] ?? 's';
  return Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000);
}

function range(text: string, name: string): [number, number] {
  const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) throw new Error(`${name} must be a range such as 10-20s (got "${text}")`);
  const unit = m[3] ?? 's';
  return [duration(`${m[1]}${unit}`, name), duration(`${m[2]}${unit}`, name)];
}

const stackOption = process.env.CHAOS_STACK ?? 'both';
if (!['cluster', 'embedded', 'both'].includes(stackOption)) throw new Error(`CHAOS_STACK must be cluster, embedded or both (got "${stackOption}")`);
const OPTIONS = {
  stacks: (stackOption === 'both' ? ['cluster', 'embedded'] : [stackOption]) as StackKind[],
  durationMs: duration(process.env.CHAOS_DURATION ?? '120s', 'CHAOS_DURATION'),
  rate: Number(process.env.CHAOS_RATE ?? 2),
  seed: Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31)),
  killEvery: range(process.env.CHAOS_KILL_EVERY ?? '10-20s', 'CHAOS_KILL_EVERY'),
  recoveryMs: duration(process.env.CHAOS_RECOVERY ?? '240s', 'CHAOS_RECOVERY'),
  patienceMs: duration(process.env.CHAOS_PATIENCE ?? '60s', 'CHAOS_PATIENCE'),
  peerDelayMs: Number(process.env.CHAOS_PEER_DELAY_MS ?? 250),
  keep: process.env.CHAOS_KEEP === '1',
  /** Only these targets (worker, api, temporal, postgres); default: every one the stack has. */
  scenario: process.env.CHAOS_SCENARIO ?? 'load',
  raceAttempts: Number(process.env.CHAOS_RACE_ATTEMPTS ?? 3),
  targets: process.env.CHAOS_TARGETS ? process.env.CHAOS_TARGETS.split(',').map((t) => t.trim()).filter(Boolean) : undefined,
};
if (!(OPTIONS.rate > 0 && OPTIONS.rate <= 50)) throw new Error('CHAOS_RATE must be between 0 and 50 alerts a second');
if (!['load', 'approval-race'].includes(OPTIONS.scenario)) throw new Error(`CHAOS_SCENARIO must be load or approval-race (got "${OPTIONS.scenario}")`);
if (!Number.isInteger(OPTIONS.seed)) throw new Error('CHAOS_SEED must be an integer');


// ---- the stacks --------------------------------------------------------------------------------

/** A process the suite may kill; `kill` resolves when it is back and ready. */
interface Victim {
  target: string;
  name: string;
  kill(): Promise<void>;
}

interface ChaosStack {
  kind: StackKind;
  /** Where sources and analysts call (HAProxy, or the one API). */
  url: string;
  /** Each API replica, for /v1/health. */
  apis: string[];
  tokens: { source: string; analyst: string; viewer: string };
  temporalAddress: string;
  victims: Record<string, Victim[]>;
  /** Undelivered outbox rows, read from the database itself (cluster). */
  outboxBacklog?: () => Promise<number>;
  dir: string;
  logs: string;
  /** What the stack's supervisor said (restarts), with times. */
  supervisorLog: Array<{ at: number; message: string }>;
  describe: string;
  /** The cluster's Temporal server and database, for the approval-race scenario. */
  cluster?: { temporal: Supervised; databaseUrl: string };
  stop(): Promise<void>;
}

function exited(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function until(what: string, check: () => Promise<boolean>, ms: number, every = 250): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms / 1000} s`);
    await sleep(every);
  }
}

/** kill -9 a supervised process, then wait for the supervisor's new one to be ready. */
function supervisedVictim(target: string, s: Supervised, ready: () => Promise<boolean>, ipc: boolean): Victim {
  return {
    target,
    name: s.name,
    async kill() {
      const old = s.child;
      s.kill9();
      await exited(old);
      await until(`${s.name} was not restarted`, async () => s.child !== old && s.child?.pid !== undefined, 60_000, 50);
      const child = s.child as ChildProcess;
      if (ipc) {
        await Promise.race([
          new Promise<void>((resolve) => child.on('message', (m) => m === 'ready' && resolve())),
          exited(child).then(() => Promise.reject(new Error(`${s.name} exited again while starting`))),
          timeoutAfter(180_000, `${s.name} was not ready within 180 s`),
        ]);
      }
      await until(`${s.name} did not answer`, ready, 180_000);
    },
  };
}

const healthy = (url: string) => async () => (await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true;

async function clusterStack(env: Record<string, string>, log: (m: string) => void): Promise<ChaosStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-chaos-cluster-'));
  const supervisorLog: ChaosStack['supervisorLog'] = [];
  const cluster = await startCluster({
    dir,
    ports: await freeClusterPorts(),
    env,
    log: (m) => {
      supervisorLog.push({ at: Date.now(), message: m });
      log(`cluster: ${m}`);
    },
  });
  const tokens = JSON.parse(fs.readFileSync(cluster.tokensFile, 'utf8')) as Record<string, string>;
  const apis = cluster.ports.apis.map((p) => `http://127.0.0.1:${p}`);
  const postgres: Victim = {
    target: 'postgres',
    name: 'postgres',
    async kill() {
      await cluster.postgres.kill9();
      // Its backends notice the postmaster is gone and exit; until then a new one refuses to start.
      const deadline = Date.now() + 120_000;
      for (;;) {
        try {
          await cluster.postgres.restart();
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await sleep(500);
        }
      }
    },
  };
  return {
    kind: 'cluster',
    url: cluster.url,
    apis,
    tokens: { source: tokens.source as string, analyst: tokens.analyst as string, viewer: tokens.viewer as string },
    temporalAddress: cluster.temporalAddress,
    victims: {
      worker: cluster.workers.map((w, i) => supervisedVictim('worker', w, async () => (await fetch(`http://127.0.0.1:${cluster.ports.workerMetrics[i]}/metrics`).catch(() => undefined))?.ok === true, true)),
      api: cluster.apis.map((a, i) => supervisedVictim('api', a, healthy(apis[i] as string), true)),
      temporal: [supervisedVictim('temporal', cluster.temporal, () => temporalAnswers(cluster.temporalAddress), false)],
      postgres: [postgres],
    },
    async outboxBacklog() {
      const c = new pg.Client({ connectionString: cluster.databaseUrl });
      await c.connect();
      try {
        return Number((await c.query('SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL')).rows[0]?.n ?? 0);
      } finally {
        await c.end();
      }
    },
    dir,
    logs: path.join(dir, 'logs'),
    supervisorLog,
    describe: `PostgreSQL 15, Temporal server (PostgreSQL persistence and visibility), main + privileged worker, 2 API replicas behind HAProxy ${cluster.url}`,
    cluster: { temporal: cluster.temporal, databaseUrl: cluster.databaseUrl },
    stop: () => cluster.stop(),
  };
}

async function embeddedStack(env: Record<string, string>, log: (m: string) => void): Promise<ChaosStack> {
  const cli = findTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is missing: run `node scripts/setup.mjs`');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-chaos-embedded-'));
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const supervisorLog: ChaosStack['supervisorLog'] = [];
  const say = (m: string) => {
    supervisorLog.push({ at: Date.now(), message: m });
    log(`embedded: ${m}`);
  };
  const devServer = { port: await freePort(), dbFile: path.join(dir, 'temporal.db'), logFile: path.join(logs, 'temporal.log') };
  const startServer = () => startDevServer({ cli: cli.bin, headless: true, ...devServer });
  let server: DevServer = await startServer();
  const apiPort = await freePort();
  const tokens = { source: 'chaos-source-token-0123456789', analyst: 'chaos-analyst-token-0123456789', viewer: 'chaos-viewer-token-0123456789' };
  const common = {
    ...process.env,
    ...env,
    TEMPORAL_ADDRESS: server.address,
    RIPOSTE_DATA_DIR: path.join(dir, 'data'),
    RIPOSTE_PORT: String(apiPort),
    RIPOSTE_HOST: '127.0.0.1',
    RIPOSTE_TOKENS: `${tokens.source}:source,${tokens.analyst}:analyst,${tokens.viewer}:viewer`,
  };
  // As scripts/start.ts runs them: each its own process group, restarted a second after it dies.
  const out = (name: string) => fs.openSync(path.join(logs, `${name}.log`), 'a');
  const node = (name: string, entry: string) =>
    new Supervised(name, () => spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: common, stdio: ['ignore', out(name), out(name), 'ipc'], detached: true }), { ipcReady: true, log: say, graceMs: entry.startsWith('worker') ? 30_000 : 15_000 });
  const worker = node('worker', 'worker/index.ts');
  const api = node('api', 'api/server.ts');
  const url = `http://127.0.0.1:${apiPort}`;
  const stop = async () => {
    await api.stop();
    await worker.stop();
    await server.stop();
  };
  try {
    await Promise.race([Promise.all([worker.started, api.started]), timeoutAfter(180_000, `the worker or the API did not start within 180 s (see ${logs})`)]);
    await until('the API did not answer', healthy(url), 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const temporal: Victim = {
    target: 'temporal',
    name: 'temporal-dev-server',
    async kill() {
      const p = server.process;
      p.kill('SIGKILL');
      await exited(p);
      // As scripts/start.ts does: again on the same port and database file.
      say('temporal-dev-server killed; starting it again on the same port and database');
      const deadline = Date.now() + 120_000;
      for (;;) {
        try {
          server = await startServer();
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          say(`temporal-dev-server did not start (${err instanceof Error ? err.message : String(err)}); trying again`);
          await sleep(1000);
        }
      }
    },
  };
  return {
    kind: 'embedded',
    url,
    apis: [url],
    tokens,
    temporalAddress: server.address,
    victims: {
      worker: [supervisedVictim('worker', worker, async () => true, true)],
      api: [supervisedVictim('api', api, healthy(url), true)],
      temporal: [temporal],
    },
    dir,
    logs,
    supervisorLog,
    describe: `Temporal CLI ${cli.version} dev server (SQLite WAL), one worker, one API ${url} (SQLite stores)`,
    stop,
  };
}

// ---- HTTP ----------------------------------------------------------------------------------------

interface Answer<T> {
  status: number;
  body: T | undefined;
  retryAfter?: number;
}

async function call<T>(base: string, method: string, p: string, token: string, body?: unknown, timeoutMs = 15_000): Promise<Answer<T>> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: T | undefined;
  try {
    parsed = text ? (JSON.parse(text) as T) : undefined;
  } catch {
    parsed = undefined;
  }
  const ra = Number(res.headers.get('retry-after'));
  return { status: res.status, body: parsed, ...(Number.isFinite(ra) && ra > 0 ? { retryAfter: ra } : {}) };
}

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

// ---- what the API answers (the parts the suite reads) ----------------------------------------------

interface Accepted {
  alertId?: string;
  caseId?: string;
  results?: Array<{ alertId?: string; caseId?: string }>;
}
interface ListedCase {
  caseId: string;
  status: string;
  playbooks: string[];
  pendingApprovals: number;
  createdAt: string;
}
interface CaseView {
  caseId: string;
  status: string;
  alertIds: string[];
  host: { hostname?: string; ip?: string };
  playbooks: Array<{ workflowId: string; playbook: string; status: string }>;
  approvals: Array<{ id: string; status: string; workflowId?: string }>;
  pendingApprovals: Array<{ id: string }>;
  actions: Array<{ id: string; op: string; target: string; driver: string; simulated?: boolean; status: string; workflowId?: string }>;
  ticket: { system: string; key: string } | null;
  timeline: Array<{ at: string; step: string; message: string }>;
}
interface StoredAlert {
  id: string;
  caseId: string | null;
}
interface Health {
  backlog: number;
  dispatched?: { signals: number; alerts: number; errors: number };
}

// ---- one run ---------------------------------------------------------------------------------------

interface Sent {
  n: number;
  playbook: string;
  path: string;
  body: unknown;
  firstAt: number;
  attempts: number;
  /** Answers that were not 202, by status (0: no answer). */
  failures: Record<string, number>;
  ack?: { at: number; attemptAt: number; alertId: string; caseId: string };
  gaveUp?: string;
}

interface Kill {
  target: string;
  victim: string;
  at: number;
  upMs?: number;
  error?: string;
  ackRecoveryMs?: number;
  stepRecoveryMs?: number;
  sideEffectRecoveryMs?: number;
  /** The slowest run in flight at the kill: time until it recorded its next step. */
  slowestRunMs?: number;
  slowestRun?: string;
}

/** Not over yet. `open` is a case no playbook has written to yet: every alert here starts one. */
const ACTIVE = new Set(['running', 'awaiting_approval', 'open']);
const APPROVAL_FOR: Record<string, string> = { 'suspected-c2': 'contain-egress', 'malware-on-endpoint': 'isolate-host' };

function c2Alert(n: number, tag: string): { path: string; body: unknown } {
  const hi = (n >> 8) & 255;
  const lo = n & 255;
  const finding = c2Finding({ uid: `chaos-${tag}-${n}`, hostIp: `10.70.${hi}.${lo}`, hostname: `c2-${tag}-${n}.corp.test`, remoteIp: `198.18.${hi}.${lo}`, severity_id: 4 });
  return { path: '/v1/alerts', body: { ...finding, time: Date.now() } };
}

class Run {
  readonly sends: Sent[] = [];
  readonly kills: Kill[] = [];
  readonly cases = new Map<string, ListedCase>();
  /** Each case's status as the case list showed it, every time it changed: [seconds into the run, status]. */
  readonly history = new Map<string, Array<[number, string]>>();
  readonly approvals = { posted: 0, approved: 0, alreadyDecided: 0, refused: {} as Record<string, number> };
  private readonly approving = new Map<string, number>();
  private driving = true;
  private loadEnd = 0;
  readonly startedAt = Date.now();
  readonly tag = Math.random().toString(36).slice(2, 8);

  constructor(
    readonly stack: ChaosStack,
    readonly peers: ChaosPeers,
    private readonly random: () => number,
    private readonly log: (m: string) => void
  ) {}

  /** Load, the analyst and the kills, together, for the run's duration. */
  async load(): Promise<{ loadStart: number; loadEnd: number }> {
    const loadStart = Date.now();
    this.loadEnd = loadStart + OPTIONS.durationMs;
    const driver = this.drive();
    const progress = setInterval(() => this.progress(), 10_000);
    const sending: Array<Promise<void>> = [];
    const chaos = this.chaos(this.loadEnd - 15_000);
    const interval = 1000 / OPTIONS.rate;
    for (let n = 0; ; n++) {
      const due = loadStart + n * interval;
      if (due >= this.loadEnd) break;
      await sleep(Math.max(0, due - Date.now()));
      sending.push(this.send(n));
    }
    await chaos;
    await Promise.all(sending);
    clearInterval(progress);
    this.driverDone = driver;
    return { loadStart, loadEnd: this.loadEnd };
  }
  private driverDone?: Promise<void>;

  private progress(): void {
    const acked = this.sends.filter((s) => s.ack).length;
    const statuses: Record<string, number> = {};
    for (const c of this.cases.values()) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
    this.log(`  t=${Math.round((Date.now() - this.startedAt) / 1000)}s sent ${this.sends.length}, acknowledged ${acked}; cases ${JSON.stringify(statuses)}; approvals ${this.approvals.approved}; kills ${this.kills.length}`);
  }

  /** A source: posts the alert, re-sending the same one (same source id) until a 202 or its patience runs out. */
  private async send(n: number): Promise<void> {
    const kind = n % 2 === 0 ? 'suspected-c2' : 'malware-on-endpoint';
    const { path: p, body } = kind === 'suspected-c2' ? c2Alert(n, this.tag) : (PLAYBOOK_ALERTS.find((a) => a.playbook === 'malware-on-endpoint') as (typeof PLAYBOOK_ALERTS)[number]).alert(n);
    const s: Sent = { n, playbook: kind, path: p, body, firstAt: Date.now(), attempts: 0, failures: {} };
    this.sends.push(s);
    for (;;) {
      const attemptAt = Date.now();
      s.attempts += 1;
      let wait = 1000;
      try {
        const r = await call<Accepted>(this.stack.url, 'POST', p, this.stack.tokens.source, body, 20_000);
        const alertId = r.body?.alertId ?? r.body?.results?.[0]?.alertId;
        const caseId = r.body?.caseId ?? r.body?.results?.[0]?.caseId;
        if (r.status === 202 && alertId && caseId) {
          s.ack = { at: Date.now(), attemptAt, alertId, caseId };
          return;
        }
        s.failures[r.status] = (s.failures[r.status] ?? 0) + 1;
        if (r.status >= 400 && r.status < 500 && r.status !== 429 && r.status !== 408) {
          s.gaveUp = `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
          return;
        }
        if (r.retryAfter) wait = Math.min(r.retryAfter * 1000, 10_000);
      } catch (err) {
        s.failures['0'] = (s.failures['0'] ?? 0) + 1;
        s.gaveUp = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() - s.firstAt + wait > OPTIONS.patienceMs) {
        s.gaveUp ??= `no 202 within ${OPTIONS.patienceMs / 1000} s`;
        return;
      }
      delete s.gaveUp;
      await sleep(wait);
    }
  }

  /** Every case since the run began, with its status (GET /v1/cases, page after page). */
  async listCases(from = this.startedAt - 60_000): Promise<ListedCase[]> {
    const since = new Date(from).toISOString();
    const all: ListedCase[] = [];
    let before: string | undefined;
    for (let i = 0; i < 100; i++) {
      const q = new URLSearchParams({ limit: '100', since, ...(before ? { before } : {}) });
      const r = await call<{ cases: ListedCase[]; next?: string }>(this.stack.url, 'GET', `/v1/cases?${q}`, this.stack.tokens.viewer);
      if (r.status !== 200 || !r.body) throw new Error(`GET /v1/cases: ${r.status}`);
      all.push(...r.body.cases);
      for (const c of r.body.cases) {
        const h = this.history.get(c.caseId) ?? [];
        if (h.at(-1)?.[1] !== c.status) h.push([+((Date.now() - this.startedAt) / 1000).toFixed(1), c.status]);
        this.history.set(c.caseId, h);
      }
      if (!r.body.next) break;
      before = r.body.next;
    }
    return all;
  }

  /**
   * Where the case list needs reading from: the oldest case not yet contained (every approved run
   * here ends contained), so a long run does not read its whole history every second — and the
   * whole list every 15th time.
   */
  private round = 0;
  private window(): number {
    const known = [...this.cases.values()];
    if (this.round++ % 15 === 0 || known.length === 0) return this.startedAt - 60_000;
    const open = known.filter((c) => c.status !== 'contained');
    return (open.length ? Math.min(...open.map((c) => Date.parse(c.createdAt))) : Math.max(...known.map((c) => Date.parse(c.createdAt)))) - 5000;
  }

  /** The analyst: approves whatever a playbook asks, as soon as the case list shows it. */
  private async drive(): Promise<void> {
    while (this.driving) {
      try {
        const listed = await this.listCases(this.window());
        for (const c of listed) this.cases.set(c.caseId, c);
        // At most 24 a round (oldest first), so the list is read again every few seconds even when
        // approvals are slow to answer.
        const asking = listed.filter((c) => c.pendingApprovals > 0 && Date.now() - (this.approving.get(c.caseId) ?? 0) > 5000).reverse().slice(0, 24);
        await pool(asking, 6, (c) => this.approve(c.caseId));
      } catch {
        // The API (or what is behind it) is down: try again in a second.
      }
      await sleep(1000);
    }
  }

  private async approve(caseId: string): Promise<void> {
    this.approving.set(caseId, Date.now());
    try {
      const view = await call<CaseView>(this.stack.url, 'GET', `/v1/cases/${caseId}`, this.stack.tokens.analyst);
      for (const a of view.body?.pendingApprovals ?? []) {
        this.approvals.posted += 1;
        const r = await call(this.stack.url, 'POST', `/v1/cases/${caseId}/approvals/${a.id}`, this.stack.tokens.analyst, { decision: 'approve', comment: 'chaos driver' });
        if (r.status === 200) this.approvals.approved += 1;
        else if (r.status === 409) this.approvals.alreadyDecided += 1;
        else {
          this.approvals.refused[r.status] = (this.approvals.refused[r.status] ?? 0) + 1;
          this.approving.delete(caseId); // try again on the next round
        }
      }
    } catch {
      this.approving.delete(caseId);
    }
  }

  /** Kills one process at a time, at random intervals, until `until` (never in the load's last 15 s). */
  private async chaos(until: number): Promise<void> {
    const targets = Object.keys(this.stack.victims).filter((t) => !OPTIONS.targets || OPTIONS.targets.includes(t));
    if (targets.length === 0) return;
    const order: string[] = [];
    const pause = () => OPTIONS.killEvery[0] + this.random() * (OPTIONS.killEvery[1] - OPTIONS.killEvery[0]);
    let wait = pause();
    while (Date.now() + wait < until) {
      await sleep(wait);
      // Every target in a shuffled round before any is killed twice.
      if (order.length === 0) order.push(...[...targets].sort(() => this.random() - 0.5));
      const target = order.shift() as string;
      const victims = this.stack.victims[target] as Victim[];
      const victim = victims[Math.floor(this.random() * victims.length)] as Victim;
      const k: Kill = { target, victim: victim.name, at: Date.now() };
      this.kills.push(k);
      this.log(`  kill -9 ${victim.name} at t=${Math.round((k.at - this.startedAt) / 1000)}s`);
      try {
        await victim.kill();
        k.upMs = Date.now() - k.at;
        this.log(`  ${victim.name} back after ${(k.upMs / 1000).toFixed(1)} s`);
      } catch (err) {
        k.error = err instanceof Error ? err.message : String(err);
        this.log(`  ${victim.name} did not come back: ${k.error}`);
      }
      wait = pause();
    }
  }

  /** After the load: the analyst keeps answering until every run has ended and the outbox is empty, or the deadline. */
  async drain(): Promise<{ drainedMs?: number; last: { unfinished: number; backlog: number[] } }> {
    const from = Date.now();
    const deadline = from + OPTIONS.recoveryMs;
    let last = { unfinished: -1, backlog: [] as number[] };
    const ackCases = new Set(this.sends.flatMap((s) => (s.ack ? [s.ack.caseId] : [])));
    while (Date.now() < deadline) {
      await sleep(2000);
      try {
        const listed = await this.listCases(this.window());
        for (const c of listed) this.cases.set(c.caseId, c);
        const unfinished = listed.filter((c) => ACTIVE.has(c.status)).length;
        const missing = [...ackCases].filter((id) => !this.cases.has(id)).length;
        const backlog = await Promise.all(this.stack.apis.map(async (a) => (await call<Health>(a, 'GET', '/v1/health', '', undefined, 5000)).body?.backlog ?? -1));
        last = { unfinished: unfinished + missing, backlog };
        // The list is the product's word; Temporal's is the ground truth for "every run has ended".
        if (unfinished === 0 && missing === 0 && backlog.every((b) => b === 0) && (await runningPlaybooks(this.stack.temporalAddress)).length === 0) {
          this.driving = false;
          await this.driverDone;
          return { drainedMs: Date.now() - from, last };
        }
      } catch {}
    }
    this.driving = false;
    await this.driverDone;
    return { last };
  }
}

/** Playbook workflows Temporal still has running (case workflows live on; playbook runs must end). */
async function runningPlaybooks(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  try {
    const client = new Client({ connection });
    const ids: string[] = [];
    for await (const w of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
      if (Object.keys(APPROVAL_FOR).some((p) => w.workflowId.startsWith(`${p}-`))) ids.push(w.workflowId);
    }
    return ids;
  } finally {
    await connection.close();
  }
}

// ---- the checks ------------------------------------------------------------------------------------

interface StackResult {
  stack: StackKind;
  date: string;
  seed: number;
  ok: boolean;
  problems: string[];
  describe: string;
  options: { durationS: number; rate: number; killEvery: number[]; recoveryS: number; patienceS: number; peerDelayMs: number };
  startupS: number;
  kills: Kill[];
  killsByTarget: Record<string, { killed: number; survived: number }>;
  collateralRestarts: Array<{ atS: number; message: string }>;
  alerts: { sent: number; acknowledged: number; refused: number; reSent: number; failures: Record<string, number>; refusedDetail: string[] };
  playbooks: { started: number; finished: number; unfinished: string[]; failed: string[]; outcomes: Record<string, number>; byPlaybook: Record<string, number> };
  approvals: Run['approvals'];
  /** Cases the list showed as ended (closed, contained) that were active again later. */
  statusFlaps: { beforeRun: number; midRun: number; longestS: number; detail: string[] };
  lost: { count: number; detail: string[] };
  duplicates: { count: number; detail: string[] };
  missingSideEffects: { count: number; detail: string[] };
  /** Side effects at a peer that the case record of a finished case does not know about. */
  unrecordedSideEffects: { count: number; detail: string[] };
  stuck: { count: number; detail: string[]; backlog: number[]; outboxRows?: number; runningPlaybookWorkflows: number; dispatched: Health['dispatched'][] };
  sideEffects: Record<string, number>;
  recovery: { drainS?: number; ack: { p50?: number; max?: number }; step: { p50?: number; max?: number } };
  logs?: string;
}


async function verify(run: Run, drained: Awaited<ReturnType<Run['drain']>>): Promise<Omit<StackResult, 'stack' | 'date' | 'seed' | 'describe' | 'options' | 'startupS' | 'ok' | 'problems'>> {
  const { stack, peers } = run;
  const views = new Map<string, CaseView>();
  const view = async (caseId: string): Promise<CaseView | undefined> => {
    if (views.has(caseId)) return views.get(caseId);
    for (let i = 0; i < 5; i++) {
      const r = await call<CaseView>(stack.url, 'GET', `/v1/cases/${caseId}`, stack.tokens.analyst).catch(() => undefined);
      if (r?.status === 200 && r.body) {
        views.set(caseId, r.body);
        return r.body;
      }
      await sleep(1000);
    }
    return undefined;
  };

  // 1. Every acknowledged alert is stored, in the case it was acknowledged for, and that case lists it.
  const lost: string[] = [];
  const acked = run.sends.filter((s) => s.ack);
  await pool(acked, 8, async (s) => {
    const ack = s.ack as NonNullable<Sent['ack']>;
    let stored: Answer<StoredAlert> | undefined;
    for (let i = 0; i < 5 && stored?.status !== 200; i++) stored = await call<StoredAlert>(stack.url, 'GET', `/v1/alerts/${ack.alertId}`, stack.tokens.viewer).catch(() => undefined);
    if (stored?.status !== 200) return void lost.push(`${ack.alertId} (alert ${s.n}): acknowledged, GET /v1/alerts answers ${stored?.status ?? 'nothing'}`);
    if (stored.body?.caseId !== ack.caseId) return void lost.push(`${ack.alertId}: acknowledged for ${ack.caseId}, stored with case ${stored.body?.caseId ?? 'none'}`);
    const c = await view(ack.caseId);
    if (!c) return void lost.push(`${ack.alertId}: its case ${ack.caseId} cannot be read`);
    if (!c.alertIds.includes(ack.alertId)) lost.push(`${ack.alertId}: case ${ack.caseId} does not list it (lists ${c.alertIds.length} alerts)`);
  });

  // 2. Every case since the start (acknowledged or not), and its runs.
  let listed: ListedCase[] = [];
  for (let i = 0; i < 5 && listed.length === 0; i++) listed = await run.listCases().catch(async () => (await sleep(1000), []));
  if (listed.length === 0) listed = [...run.cases.values()];
  const caseIds = new Set([...listed.map((c) => c.caseId), ...acked.map((s) => (s.ack as NonNullable<Sent['ack']>).caseId)]);
  await pool([...caseIds], 8, async (id) => void (await view(id)));
  const unfinished: string[] = [];
  const failed: string[] = [];
  const outcomes: Record<string, number> = {};
  const byPlaybook: Record<string, number> = {};
  let started = 0;
  let finished = 0;
  const duplicates: string[] = [];
  const missing: string[] = [];
  const unrecorded: string[] = [];
  for (const id of caseIds) {
    const c = views.get(id);
    if (!c) {
      unfinished.push(`${id}: cannot be read`);
      continue;
    }
    outcomes[c.status] = (outcomes[c.status] ?? 0) + 1;
    const activeRuns = c.playbooks.filter((p) => ACTIVE.has(p.status));
    if (!ACTIVE.has(c.status) && activeRuns.length) unfinished.push(`${id}: the case reads ${c.status}, its run ${activeRuns.map((p) => `${p.workflowId} ${p.status}`).join(', ')}; the case list showed ${JSON.stringify(run.history.get(id) ?? [])}`);
    if (ACTIVE.has(c.status)) unfinished.push(`${id}: ${c.status}${c.playbooks.length === 0 ? ' (no playbook started)' : ''}; the case list showed ${JSON.stringify(run.history.get(id) ?? [])}`);
    if (c.status === 'failed') failed.push(`${id}: ${c.timeline.filter((t) => /fail|error/i.test(t.message)).map((t) => `${t.step}: ${t.message}`).slice(-2).join(' | ')}`);
    for (const p of c.playbooks) {
      started += 1;
      byPlaybook[p.playbook] = (byPlaybook[p.playbook] ?? 0) + 1;
      if (!ACTIVE.has(p.status)) finished += 1;
    }
    // The case record: each action once.
    const actionIds = new Map<string, number>();
    for (const a of c.actions) actionIds.set(`${a.workflowId ?? ''}/${a.id}`, (actionIds.get(`${a.workflowId ?? ''}/${a.id}`) ?? 0) + 1);
    for (const [a, count] of actionIds) if (count > 1) duplicates.push(`case record ${id}: action ${a} recorded ${count} times`);
    // Every approval was approved: every run should have contained.
    const approved = c.approvals.filter((a) => a.status === 'approved');
    if (approved.length && c.status !== 'contained' && !ACTIVE.has(c.status) && !activeRuns.length) missing.push(`${id}: ${approved.map((a) => a.id).join(', ')} approved, yet the case reads ${c.status} (runs: ${c.playbooks.map((p) => `${p.workflowId} ${p.status}`).join(', ')})`);
    // What a finished, approved run must have done at the peers.
    if (c.status === 'contained') {
      if (!c.ticket) missing.push(`${id}: contained without a ticket`);
      else {
        const keys = peers.jira.comments.filter((m) => m.issueKey === c.ticket?.key).map((m) => (m.properties.find((p) => p.key === 'riposte')?.value as { idempotencyKey?: string } | undefined)?.idempotencyKey ?? '');
        const steps = keys.map((k) => k.split(':ticket:')[1] ?? k);
        for (const want of ['approval-requested', 'approval-decided', 'containment-', 'report']) {
          if (!steps.some((s) => (want.endsWith('-') ? s.startsWith(want) : s === want))) missing.push(`${id}: ticket ${c.ticket.key} has no ${want.replace(/-$/, '')} note (notes: ${steps.join(', ') || 'none'})`);
        }
      }
      for (const a of c.actions.filter((x) => x.op === 'isolate-host' && !x.simulated)) {
        const device = c.host.hostname ? peers.falcon.devices.get(peers.deviceId(c.host.hostname)) : undefined;
        if (!device || device.contains === 0) missing.push(`${id}: ${a.id} recorded as applied, Falcon never asked to contain ${c.host.hostname}`);
      }
    }
  }
  // Side effects at the peers that no case knows about.
  // (Only for cases whose runs have all ended: a run still going may not have written its ticket yet.)
  const ended = (c: CaseView) => !ACTIVE.has(c.status) && !c.playbooks.some((p) => ACTIVE.has(p.status));
  const issueOwners = new Map([...views.values()].flatMap((c) => (c.ticket ? [[c.ticket.key, c.caseId] as const] : [])));
  const endedCases = new Set([...views.values()].filter(ended).map((c) => c.caseId));
  for (const i of peers.jira.issues) if (!issueOwners.has(i.key) && endedCases.has(/cs_[0-9a-f]{16}/.exec((i.fields.labels ?? []).join(' '))?.[0] ?? '')) unrecorded.push(`jira ${i.key} (labels ${(i.fields.labels ?? []).join(' ')}) belongs to no case's record`);
  const isolatedHosts = new Set([...views.values()].flatMap((c) => (c.actions.some((a) => a.op === 'isolate-host' && !a.simulated) && c.host.hostname ? [c.host.hostname] : [])));
  const endedHosts = new Set([...views.values()].filter(ended).flatMap((c) => (c.host.hostname ? [c.host.hostname] : [])));
  for (const d of peers.falcon.devices.values()) if (d.contains > 0 && !isolatedHosts.has(d.hostname) && endedHosts.has(d.hostname)) unrecorded.push(`falcon contained ${d.hostname}, which no case records as isolated`);
  for (const d of peers.duplicates()) duplicates.push(`${d.op} ${d.key}: ${d.count} times${d.caseId ? ` (case ${d.caseId})` : ''}`);

  // 3. Nothing stuck: outbox drained on every replica (and in the database), no playbook workflow left running.
  const health = await Promise.all(stack.apis.map(async (a) => (await call<Health>(a, 'GET', '/v1/health', '', undefined, 5000).catch(() => undefined))?.body));
  const backlog = health.map((h) => h?.backlog ?? -1);
  const stuck: string[] = [];
  backlog.forEach((b, i) => b !== 0 && stuck.push(`${stack.apis[i]}/v1/health backlog ${b}`));
  const outboxRows = stack.outboxBacklog ? await stack.outboxBacklog().catch(() => -1) : undefined;
  if (outboxRows !== undefined && outboxRows !== 0) stuck.push(`outbox: ${outboxRows} rows not dispatched`);
  let runningPlaybookWorkflows = -1;
  try {
    const running = await runningPlaybooks(stack.temporalAddress);
    runningPlaybookWorkflows = running.length;
    stuck.push(...running.slice(0, 10).map((id) => `Temporal: ${id} still running`));
  } catch (err) {
    stuck.push(`Temporal could not be asked: ${err instanceof Error ? err.message : String(err)}`);
  }
  stuck.push(...unfinished.map((u) => `unfinished: ${u}`));

  // 4. Recovery after each kill: the next acknowledgement of an alert sent after it, the next
  //    step a playbook recorded (case timeline), the next new side effect at a peer.
  const steps = [...views.values()].flatMap((c) => c.timeline.filter((t) => t.step !== 'alert').map((t) => Date.parse(t.at))).sort((a, b) => a - b);
  const writes = peers.events.filter((e: PeerEvent) => !e.op.endsWith('.lookup') && e.nth === 1).map((e) => e.at);
  for (const k of run.kills) {
    const ack = acked.filter((s) => (s.ack as NonNullable<Sent['ack']>).attemptAt >= k.at).map((s) => (s.ack as NonNullable<Sent['ack']>).at - k.at);
    if (ack.length) k.ackRecoveryMs = Math.min(...ack);
    const step = steps.find((t) => t > k.at);
    if (step !== undefined) k.stepRecoveryMs = step - k.at;
    const w = writes.find((t) => t > k.at);
    if (w !== undefined) k.sideEffectRecoveryMs = w - k.at;
    for (const c of views.values()) {
      const own = c.timeline.filter((t) => t.step !== 'alert').map((t) => ({ at: Date.parse(t.at), step: t.step }));
      const before = own.filter((t) => t.at <= k.at);
      const after = own.find((t) => t.at > k.at);
      if (before.length === 0 || !after || ['report', 'failed'].includes(before.at(-1)?.step ?? '')) continue;
      if (after.at - k.at > (k.slowestRunMs ?? -1)) {
        k.slowestRunMs = after.at - k.at;
        k.slowestRun = `${c.caseId}: ${before.at(-1)?.step} → ${after.step}`;
      }
    }
  }
  const killsByTarget: StackResult['killsByTarget'] = {};
  for (const k of run.kills) {
    const t = (killsByTarget[k.target] ??= { killed: 0, survived: 0 });
    t.killed += 1;
    if (k.upMs !== undefined && k.ackRecoveryMs !== undefined && k.stepRecoveryMs !== undefined) t.survived += 1;
  }
  const ours = new Set(run.kills.map((k) => k.victim));
  const collateral = stack.supervisorLog
    .filter((l) => /exited \(|did not start/.test(l.message))
    .filter((l) => !run.kills.some((k) => l.message.startsWith(k.victim) && l.at >= k.at && l.at - k.at < 5000 && ours.has(k.victim)))
    .map((l) => ({ atS: Math.round((l.at - run.startedAt) / 1000), message: l.message }));

  // The case list calling a case ended (closed, contained) while its run had not: it changes
  // again later (back to active, or closed → contained). Before its run's first write (no run
  // yet), or in the middle of a run.
  const flaps = { beforeRun: 0, midRun: 0, longestS: 0, detail: [] as string[] };
  for (const [id, h] of run.history) {
    let flapped = false;
    h.forEach(([t, st], i) => {
      const back = h[i + 1];
      if (ACTIVE.has(st) || !back) return;
      flapped = true;
      if (h.slice(0, i).some(([, earlier]) => ACTIVE.has(earlier))) flaps.midRun += 1;
      else flaps.beforeRun += 1;
      flaps.longestS = Math.max(flaps.longestS, +(back[0] - t).toFixed(1));
    });
    if (flapped && flaps.detail.length < 30) flaps.detail.push(`${id}: ${h.map(([t, st]) => `${t}s ${st}`).join(' → ')}`);
  }
  const refused = run.sends.filter((s) => !s.ack);
  const failures: Record<string, number> = {};
  for (const s of run.sends) for (const [st, n] of Object.entries(s.failures)) failures[st] = (failures[st] ?? 0) + n;
  return {
    kills: run.kills,
    killsByTarget,
    collateralRestarts: collateral,
    alerts: { sent: run.sends.length, acknowledged: acked.length, refused: refused.length, reSent: run.sends.filter((s) => s.attempts > 1).length, failures, refusedDetail: refused.slice(0, 20).map((s) => `alert ${s.n} (${s.playbook}): ${s.gaveUp ?? 'no answer'}`) },
    playbooks: { started, finished, unfinished, failed, outcomes, byPlaybook },
    approvals: run.approvals,
    statusFlaps: flaps,
    lost: { count: lost.length, detail: lost.slice(0, 50) },
    duplicates: { count: duplicates.length, detail: duplicates.slice(0, 50) },
    missingSideEffects: { count: missing.length, detail: missing.slice(0, 50) },
    unrecordedSideEffects: { count: unrecorded.length, detail: unrecorded.slice(0, 50) },
    stuck: { count: stuck.length, detail: stuck.slice(0, 50), backlog, ...(outboxRows !== undefined ? { outboxRows } : {}), runningPlaybookWorkflows, dispatched: health.map((h) => h?.dispatched) },
    sideEffects: peers.counts(),
    recovery: {
      ...(drained.drainedMs !== undefined ? { drainS: +(drained.drainedMs / 1000).toFixed(1) } : {}),
      ack: { p50: pct(run.kills.flatMap((k) => (k.ackRecoveryMs !== undefined ? [k.ackRecoveryMs] : [])), 0.5), max: Math.max(0, ...run.kills.map((k) => k.ackRecoveryMs ?? 0)) },
      step: { p50: pct(run.kills.flatMap((k) => (k.stepRecoveryMs !== undefined ? [k.stepRecoveryMs] : [])), 0.5), max: Math.max(0, ...run.kills.map((k) => k.stepRecoveryMs ?? 0)) },
    },
  };
}

// ---- the approval race (CHAOS_SCENARIO=approval-race, cluster) -------------------------------------
//
// The moment the random kills found once: the Temporal server dies while an analyst's approval is
// being delivered. Made to happen every time: the case record is slow for a moment (a lock on
// case_events holds the approval handler's write), the server is killed while the handler waits,
// and its restart is held (SIGSTOP) until the API has given up on the update (its 5 s deadline).
// Then the analyst does what the API's 503 tells them: asks again until the case says it is
// decided. Each attempt passes when the run ends contained in Temporal and in the case record.

interface RaceAttempt {
  caseId: string;
  firstAnswer: number | string;
  answers: Array<number | string>;
  recordAfter: string;
  temporal: string;
  caseStatus: string;
  ok: boolean;
}

async function approvalRace(stack: ChaosStack, log: (m: string) => void, attempts: number): Promise<RaceAttempt[]> {
  if (!stack.cluster) throw new Error('the approval race needs the cluster (CHAOS_STACK=cluster)');
  const { temporal, databaseUrl } = stack.cluster;
  const out: RaceAttempt[] = [];
  const tag = Math.random().toString(36).slice(2, 8);
  const caseOf = (id: string) => call<CaseView>(stack.url, 'GET', `/v1/cases/${id}`, stack.tokens.analyst).then((r) => r.body);
  const describe = async (workflowId: string) => {
    const connection = await Connection.connect({ address: stack.temporalAddress, connectTimeout: 5000 });
    try {
      return (await new Client({ connection }).workflow.getHandle(workflowId).describe()).status.name;
    } finally {
      await connection.close();
    }
  };
  for (let i = 0; i < attempts; i++) {
    const { path: p, body } = c2Alert(60_000 + i, `race-${tag}`);
    const posted = await call<Accepted>(stack.url, 'POST', p, stack.tokens.source, body);
    const caseId = posted.body?.caseId as string;
    await until(`case ${caseId} did not ask for approval`, async () => ((await caseOf(caseId))?.pendingApprovals.length ?? 0) > 0, 60_000, 200);
    const lock = new pg.Client({ connectionString: databaseUrl });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE case_events IN EXCLUSIVE MODE');
    let first: number | string | undefined;
    const decided = call(stack.url, 'POST', `/v1/cases/${caseId}/approvals/contain-egress`, stack.tokens.analyst, { decision: 'approve' }, 30_000).then(
      (r) => (first = r.status),
      (err: unknown) => (first = String(err))
    );
    await sleep(1000);
    const old = temporal.child;
    temporal.kill9();
    await until('the Temporal server was not restarted', async () => temporal.child !== old && temporal.child?.pid !== undefined, 30_000, 5);
    temporal.child?.kill('SIGSTOP');
    await sleep(500);
    await lock.query('COMMIT');
    await lock.end();
    await decided;
    temporal.child?.kill('SIGCONT');
    await until('the Temporal server did not answer', () => temporalAnswers(stack.temporalAddress), 120_000);
    const recordAfter = (await caseOf(caseId))?.approvals.map((a) => `${a.id} ${a.status}`).join(', ') ?? '?';
    // The analyst, told 503 ("cannot be decided right now"), asks again while the case shows the approval pending.
    const answers: Array<number | string> = [first as number | string];
    const deadline = Date.now() + 90_000;
    let state = 'RUNNING';
    let c: CaseView | undefined;
    while (Date.now() < deadline) {
      c = await caseOf(caseId).catch(() => undefined);
      if (c?.pendingApprovals.length) answers.push((await call(stack.url, 'POST', `/v1/cases/${caseId}/approvals/contain-egress`, stack.tokens.analyst, { decision: 'approve' }).catch(() => ({ status: 'error' }))).status);
      state = await describe(`suspected-c2-${caseId}`).catch((err: unknown) => String(err));
      if (state !== 'RUNNING' && c && !ACTIVE.has(c.status)) break;
      await sleep(2000);
    }
    if (c?.pendingApprovals.length === 0 && state === 'RUNNING') {
      // What an analyst would see: nothing to decide; asking anyway.
      answers.push((await call(stack.url, 'POST', `/v1/cases/${caseId}/approvals/contain-egress`, stack.tokens.analyst, { decision: 'approve' }).catch(() => ({ status: 'error' }))).status);
    }
    const attempt: RaceAttempt = { caseId, firstAnswer: first as number | string, answers, recordAfter, temporal: state, caseStatus: `${c?.status} (run ${c?.playbooks.map((x) => x.status).join(', ')})`, ok: state === 'COMPLETED' && c?.status === 'contained' };
    out.push(attempt);
    log(`  approval race ${i + 1}/${attempts}: ${caseId}: the API answered ${attempt.firstAnswer}; then the record said ${recordAfter}; analyst's further answers ${JSON.stringify(answers.slice(1))}; Temporal run ${state}; case ${attempt.caseStatus} — ${attempt.ok ? 'ok' : 'STUCK'}`);
  }
  return out;
}

// ---- main --------------------------------------------------------------------------------------------

let current: ChaosStack | undefined;
let currentPeers: ChaosPeers | undefined;

async function runStack(kind: StackKind): Promise<StackResult> {
  const log = (m: string) => console.error(`chaos[${kind}] ${new Date().toISOString().slice(11, 19)} ${m}`);
  const random = prng(OPTIONS.seed + (kind === 'cluster' ? 0 : 1));
  const peers = (currentPeers = await startChaosPeers({ writeDelayMs: OPTIONS.peerDelayMs, random: prng(OPTIONS.seed + 7) }));
  const env = { ...peers.env, RIPOSTE_SWEEP_EVERY: 'off', RIPOSTE_DNS_SERVERS: '127.0.0.1:9', RIPOSTE_DNS_TIMEOUT_MS: '200', RIPOSTE_API_RATE_LIMIT: '0' };
  const t0 = Date.now();
  log(`starting the ${kind} stack…`);
  const stack = (current = kind === 'cluster' ? await clusterStack(env, log) : await embeddedStack(env, log));
  const startupS = +((Date.now() - t0) / 1000).toFixed(1);
  log(`up in ${startupS} s: ${stack.describe}; logs in ${stack.logs}`);
  let result: StackResult | undefined;
  try {
    const run = new Run(stack, peers, random, log);
    log(`load: ${OPTIONS.rate} alerts/s for ${OPTIONS.durationMs / 1000} s; kills every ${OPTIONS.killEvery.map((x) => x / 1000).join('–')} s among ${Object.keys(stack.victims).join(', ')}; seed ${OPTIONS.seed}`);
    await run.load();
    log(`load stopped; waiting for every run to finish (at most ${OPTIONS.recoveryMs / 1000} s)…`);
    const drained = await run.drain();
    log(drained.drainedMs !== undefined ? `everything finished ${(drained.drainedMs / 1000).toFixed(1)} s after the load stopped` : `not finished after ${OPTIONS.recoveryMs / 1000} s: ${JSON.stringify(drained.last)}`);
    const checked = await verify(run, drained);
    const problems = [
      ...(checked.lost.count ? [`${checked.lost.count} acknowledged alerts lost`] : []),
      ...(checked.duplicates.count ? [`${checked.duplicates.count} duplicated side effects`] : []),
      ...(checked.missingSideEffects.count ? [`${checked.missingSideEffects.count} missing side effects`] : []),
      ...(checked.unrecordedSideEffects.count ? [`${checked.unrecordedSideEffects.count} side effects no case record knows`] : []),
      ...(checked.stuck.count ? [`${checked.stuck.count} stuck (unfinished runs, backlog, running workflows)`] : []),
      ...(checked.playbooks.failed.length ? [`${checked.playbooks.failed.length} playbook runs failed`] : []),
      ...(checked.kills.filter((k) => k.error).map((k) => `${k.victim} did not come back after its kill: ${k.error}`)),
    ];
    result = {
      stack: kind,
      date: new Date().toISOString(),
      seed: OPTIONS.seed,
      ok: problems.length === 0,
      problems,
      describe: stack.describe,
      options: { durationS: OPTIONS.durationMs / 1000, rate: OPTIONS.rate, killEvery: OPTIONS.killEvery.map((x) => x / 1000), recoveryS: OPTIONS.recoveryMs / 1000, patienceS: OPTIONS.patienceMs / 1000, peerDelayMs: OPTIONS.peerDelayMs },
      startupS,
      ...checked,
      kills: checked.kills.map((k) => ({ ...k, atS: Math.round((k.at - run.startedAt) / 1000) })),
    };
    return result;
  } finally {
    log('stopping the stack…');
    await stack.stop().catch((err: unknown) => log(`stop: ${String(err)}`));
    current = undefined;
    await peers.close();
    currentPeers = undefined;
    if (result?.ok && !OPTIONS.keep) fs.rmSync(stack.dir, { recursive: true, force: true });
    else if (result) result.logs = stack.logs;
    if (!result?.ok || OPTIONS.keep) log(`kept ${stack.dir} (logs: ${stack.logs})`);
  }
}

/** A results file's time: to the minute (UTC), so no run overwrites another's. */
const stamp = (iso: string) => `${iso.slice(0, 10)}T${iso.slice(11, 16).replace(':', '')}`;
const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)}`);

function summary(results: StackResult[]): string {
  const lines: string[] = [];
  lines.push('');
  lines.push('| Stack | Kills survived (per target) | Alerts sent / ack / refused | Playbooks started / finished | Duplicates | Lost | Missing | Unrecorded | Stuck | Failed | Drain (s) |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const kills = Object.entries(r.killsByTarget).map(([t, k]) => `${t} ${k.survived}/${k.killed}`).join(', ');
    lines.push(`| ${r.stack} | ${kills} | ${r.alerts.sent} / ${r.alerts.acknowledged} / ${r.alerts.refused} | ${r.playbooks.started} / ${r.playbooks.finished} | ${r.duplicates.count} | ${r.lost.count} | ${r.missingSideEffects.count} | ${r.unrecordedSideEffects.count} | ${r.stuck.count} | ${r.playbooks.failed.length} | ${r.recovery.drainS ?? 'not drained'} |`);
  }
  for (const r of results) {
    lines.push('');
    lines.push(`${r.stack}: ${r.ok ? 'PASS' : `FAIL — ${r.problems.join('; ')}`}  (seed ${r.seed}, ${r.options.durationS} s at ${r.options.rate}/s)`);
    lines.push('| t (s) | Killed | Back after (s) | Next alert acknowledged (s) | Next playbook step (s) | Next new side effect (s) | Slowest run in flight to move again (s) |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const k of r.kills as Array<Kill & { atS?: number }>) lines.push(`| ${k.atS ?? ''} | ${k.victim} | ${k.error ? `no: ${k.error}` : s(k.upMs)} | ${s(k.ackRecoveryMs)} | ${s(k.stepRecoveryMs)} | ${s(k.sideEffectRecoveryMs)} | ${s(k.slowestRunMs)}${k.slowestRun ? ` (${k.slowestRun.replace(/^cs_\w+: /, '')})` : ''} |`);
    lines.push(`outcomes ${JSON.stringify(r.playbooks.outcomes)}; runs ${JSON.stringify(r.playbooks.byPlaybook)}; side effects at the peers ${JSON.stringify(r.sideEffects)}; re-sent alerts ${r.alerts.reSent} (non-202 answers ${JSON.stringify(r.alerts.failures)}); approvals ${JSON.stringify(r.approvals)}`);
    if (r.statusFlaps.beforeRun + r.statusFlaps.midRun) lines.push(`the case list called a case ended while it was not: ${r.statusFlaps.beforeRun}× before its run's first write, ${r.statusFlaps.midRun}× in the middle of a run (longest ${r.statusFlaps.longestS} s), e.g. ${r.statusFlaps.detail.filter((d) => /(running|awaiting_approval) → [\d.]+s (closed|contained) → /.test(d)).slice(0, 2).join('; ') || r.statusFlaps.detail[0]}`);
    if (r.collateralRestarts.length) lines.push(`other restarts: ${r.collateralRestarts.map((c) => `t=${c.atS}s ${c.message}`).join('; ')}`);
    for (const [what, list] of [['lost', r.lost.detail], ['duplicates', r.duplicates.detail], ['missing', r.missingSideEffects.detail], ['unrecorded', r.unrecordedSideEffects.detail], ['stuck', r.stuck.detail], ['failed', r.playbooks.failed], ['refused', r.alerts.refusedDetail]] as const) {
      for (const d of list.slice(0, 10)) lines.push(`  ${what}: ${d}`);
    }
  }
  return lines.join('\n');
}

/** CHAOS_SCENARIO=approval-race: the cluster, no load, an approval in flight when Temporal dies (see approvalRace). */
async function runRace(): Promise<boolean> {
  const log = (m: string) => console.error(`chaos[approval-race] ${new Date().toISOString().slice(11, 19)} ${m}`);
  const peers = (currentPeers = await startChaosPeers({ writeDelayMs: OPTIONS.peerDelayMs, random: prng(OPTIONS.seed + 7) }));
  const env = { ...peers.env, RIPOSTE_SWEEP_EVERY: 'off', RIPOSTE_DNS_SERVERS: '127.0.0.1:9', RIPOSTE_DNS_TIMEOUT_MS: '200', RIPOSTE_API_RATE_LIMIT: '0' };
  log('starting the cluster…');
  const stack = (current = await clusterStack(env, log));
  let ok = false;
  try {
    const attempts = await approvalRace(stack, log, OPTIONS.raceAttempts);
    ok = attempts.every((a) => a.ok);
    const date = new Date().toISOString();
    const file = path.join(root, 'bench/results', `chaos-${stamp(date)}-cluster-approval-race.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ scenario: 'approval-race', date, ok, describe: stack.describe, attempts, machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}` }, null, 2) + '\n');
    console.log(`approval race: ${attempts.filter((a) => a.ok).length}/${attempts.length} attempts ended contained — ${ok ? 'PASS' : 'FAIL'} (${path.relative(root, file)})`);
    return ok;
  } finally {
    await stack.stop().catch((err: unknown) => log(`stop: ${String(err)}`));
    current = undefined;
    await peers.close();
    currentPeers = undefined;
    if (ok && !OPTIONS.keep) fs.rmSync(stack.dir, { recursive: true, force: true });
    else log(`kept ${stack.dir} (logs: ${stack.logs})`);
  }
}

async function main(): Promise<void> {
  if (OPTIONS.scenario === 'approval-race') {
    process.exitCode = (await runRace()) ? 0 : 1;
    return;
  }
  const results: StackResult[] = [];
  for (const kind of OPTIONS.stacks) {
    const r = await runStack(kind);
    results.push(r);
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    const file = path.join(root, 'bench/results', `chaos-${stamp(r.date)}-${kind}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...r, machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}` }, null, 2) + '\n');
    console.error(`chaos[${kind}] results: ${path.relative(root, file)}`);
  }
  console.log(summary(results));
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error('chaos: interrupted; stopping the stack…');
    void Promise.resolve(current?.stop())
      .catch(() => {})
      .then(() => currentPeers?.close())
      .finally(() => process.exit(130));
  });
}

main().catch(async (err: unknown) => {
  console.error(err);
  await current?.stop().catch(() => {});
  await currentPeers?.close().catch(() => {});
  process.exit(1);
});
