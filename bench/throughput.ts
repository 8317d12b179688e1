// `npm run bench:throughput`: what a playbook costs end to end, and how it compares with a bare
// Temporal workflow on the same server, in the same run.
//
// The stack is the real one, as `npm start` runs it (bench/stack.ts: a Temporal dev server on a
// WAL SQLite file, the worker and the API as processes of their own), with the integrations the
// C2 playbook uses pointed at loopback peers (bench/chaos-peers.ts: VirusTotal, AbuseIPDB, Jira
// Cloud, in the vendors' documented shapes, on one HTTP server inside this process). Every alert is
// an OCSF suspected-C2 finding (test/helpers/alerts.ts `c2Finding`), High, with its own host
// (10.80.x.y, bench-<tag>-<n>.corp.test) and its own remote address (198.18.0.0/15), so each one
// opens a case of its own and starts one `suspected-c2` run.
//
// No approval needed — the path chosen: the peers call every address malicious, so the verdict
// asks to contain; RIPOSTE_NEVER_CONTAIN=198.18.0.0/15 puts every C2 address on the never-contain
// list, so the containment plan (a local activity, before any approval) refuses them all and the
// run closes without asking ("not asked: every target is on the never-contain list"). It still
// does the whole response up to the plan, with 6 HTTP calls to the peers: VirusTotal IP lookup,
// AbuseIPDB check (enrichment), Jira JQL search + create issue (the ticket, idempotent by label),
// Jira list comments + add comment (the closing report, idempotent by entity property). The peers
// record 4 of them (lookups, issue, comment); the search and the comment listing are reads they do
// not record. The hunt asks the embedded local log store (SQLite, empty here: no HTTP). The other
// ways to close without an analyst were not taken: a verdict that does not ask (a source vouching
// for the address, or a below-High alert nobody flags) cannot come from these peers, which call
// every address malicious; a short approval timeout with onApprovalTimeout=contain still asks,
// waits on a timer and escalates.
//
// Phases, in order, on one stack:
//   a. light: BENCH_LIGHT_ALERTS alerts at BENCH_LIGHT_RATE a second, open loop. Per alert:
//      - alert → first action: from just before the POST to the first HTTP call any of its
//        activities made at a peer (VirusTotal or AbuseIPDB lookup of its address, or a Jira call
//        naming its case), both read with this process's clock. This is the first activity that
//        did work for the case. (The playbook's first activity is a local one that reads its
//        settings; the timeline's `start` entry, also reported as alert → playbook start, is the
//        first workflow task of the run; the timeline's `enrich` entries are written only after
//        the lookups answered, so they would overstate it.)
//      - alert → done: to the playbook workflow's close time in Temporal (the run completed: its
//        last case-record write and its signal to the case are done), read from visibility.
//      - the 202's own latency (alert acknowledged).
//      For where the time goes: each timeline step's first entry, p50 after the alert
//      (`timelineStepsP50`), and the median run's case and playbook histories, event by event,
//      in ms after its alert (`medianRun`, in the results file).
//   b. sustained: BENCH_ALERTS alerts at BENCH_RATE a second, open loop (the sender never waits
//      for an answer before the next is due). Completed playbooks a second = completed runs /
//      (last run's close time − first alert's send time). CPU-s per completed playbook of the
//      worker, Temporal and the API: /proc (stack.ts `cpuSeconds`) from just before the first
//      alert until every run has closed and the processes are quiet again (so the case
//      workflows' handling of "run finished" is counted), divided by completed runs; the worker's
//      per-thread split (`main`: activities and the SDK's JS side; `node`: the SDK's workflow
//      thread, where every workflow task runs, together with V8's and libuv's helper threads;
//      `tokio-runtime-w`: the SDK's Rust core); the load generator's own CPU (this process, with
//      the peers in it) as `bench`. Worker RSS: the peak of
//      samples every 250 ms during the phase, and "with the cases open" — the least of seven
//      samples over 3 s once quiet (after garbage collection), against the same before the phase.
//      The case workflows stay open after their playbook ends: each waits for later alerts for
//      its idle window (RIPOSTE_CORRELATION_WINDOW + 10 min, 70 min by default), so every case of
//      the phase is still open (cached in the worker unless evicted) when RSS is read.
//      Latencies as in (a), under this load.
//   c. raw Temporal: a bare workflow (bench/bare-workflow/: three no-op activities in a row) on its
//      own small worker process (SDK defaults) on the same dev server, started from this process
//      with the Temporal client (workflow.start) open loop at the same rate and count as (a) and
//      (b) — the playbooks are started by posting alerts to the API instead, which is the product's
//      way in. Start → first activity: from just before workflow.start to the first activity's
//      own Date.now() (returned in the workflow's result); start → done: to its close time.
//      Ratio: playbook completed/s ÷ bare completed/s (target ≥ 0.8). At an offered rate the bare
//      workflow keeps up with, its figure is the offered rate: the ratio is then "playbooks
//      sustained per alert offered", not per bare capacity — raise BENCH_RATE to find the limits.
//
// Note: the API dispatches to case workflows at most RIPOSTE_DISPATCH_MAX_RATE signals a second (20
// by default), and every new case is one; that caps playbooks a second at the default. Any
// RIPOSTE_* variable set when running this reaches the worker and the API (e.g.
// RIPOSTE_DISPATCH_MAX_RATE=200).
//
// Options (environment):
//   BENCH_LIGHT_ALERTS  alerts in the light phase (50)       BENCH_LIGHT_RATE  their rate a second (5)
//   BENCH_ALERTS        alerts in the sustained phase (1000)  BENCH_RATE        their rate a second (50)
//   BENCH_BARE=0        skip the raw-Temporal phase (c)
//   BENCH_STACK         embedded (`npm start`'s shape, the default) | cluster (`npm run cluster`'s:
//                       PostgreSQL, the Temporal server, a main and a privileged worker, API
//                       replicas behind HAProxy; CPU also counted for PostgreSQL with its backends
//                       and HAProxy, "quiet" allowing for what the cluster uses at rest)
//   BENCH_WORKERS       worker processes on the embedded stack's task queue (1)
//   BENCH_APIS          API replicas on the cluster (2; 1 or 2)
//   BENCH_PROFILE_WORKER=1  CPU profiles of the worker's threads into bench/results/profiles
//   BENCH_TIMEOUT       seconds to wait after a phase's last send for every run to close (900)
//   BENCH_TAG           a name for the results file: throughput-<date>[-<tag>].json
// Results: bench/results/throughput-<date>.json, and a summary table on stdout.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { c2Finding } from '../test/helpers/alerts.ts';
import { caseWorkflowId } from '../workflows/definitions.ts';
import type { BareResult } from './bare-workflow/workflows.ts';
import { startChaosPeers, type ChaosPeers } from './chaos-peers.ts';
import { freeClusterPorts, startCluster } from '../scripts/cluster.ts';
import { idleCpuPerSecond, percentile, root, rssMiB, settledRss, startProcess, startStack, threadCpu, treeCpuSeconds, untilQuiet } from './stack.ts';

const num = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number ≥ ${min} (got "${raw}")`);
  return v;
};
const OPTIONS = {
  lightAlerts: num('BENCH_LIGHT_ALERTS', 50),
  lightRate: num('BENCH_LIGHT_RATE', 5, 0.01),
  alerts: num('BENCH_ALERTS', 1000),
  rate: num('BENCH_RATE', 50, 0.01),
  bare: process.env.BENCH_BARE !== '0',
  timeoutS: num('BENCH_TIMEOUT', 900),
  tag: process.env.BENCH_TAG ?? '',
  stack: (process.env.BENCH_STACK ?? 'embedded') as 'embedded' | 'cluster',
  workers: num('BENCH_WORKERS', 1),
  apis: num('BENCH_APIS', process.env.BENCH_STACK === 'cluster' ? 2 : 1),
};
if (OPTIONS.stack !== 'embedded' && OPTIONS.stack !== 'cluster') throw new Error(`BENCH_STACK must be embedded or cluster (got "${OPTIONS.stack}")`);
if (OPTIONS.stack === 'embedded' && OPTIONS.apis !== 1) throw new Error('BENCH_APIS: the embedded stack has one API (its SQLite store is one process\'s); replicas need BENCH_STACK=cluster');
if (OPTIONS.stack === 'cluster' && OPTIONS.workers !== 1) throw new Error('BENCH_WORKERS: the cluster runs one main worker (and the privileged one); compare worker counts on the embedded stack');
if (OPTIONS.apis > 2) throw new Error('BENCH_APIS must be 1 or 2');

// Alert numbers run from 1 (warm-up) to 10 + light + sustained; each needs its own address in 198.18.0.0/15.
if (10 + OPTIONS.lightAlerts + OPTIONS.alerts > 131_070) throw new Error('BENCH_LIGHT_ALERTS + BENCH_ALERTS must stay under 131,060');

const SOURCE = 'bench-source-token-0123456789';
const ANALYST = 'bench-analyst-token-0123456789';
const TASK_QUEUE = 'bench-throughput';
const BARE_TASK_QUEUE = 'bench-bare';
const NEVER_CONTAIN = '198.18.0.0/15';
const PLAYBOOK_TYPE = 'suspectedC2Playbook';
const BARE_TYPE = 'bareWorkflow';
const TARGETS = { completedPerSecond: 20, cpuPerPlaybook: 0.1, workerRssMiB: 1536, firstActionP50Ms: 150, doneP50Ms: 300, bareRatio: 0.8 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 3) => +x.toFixed(digits);
const pct = percentile;
const dist = (xs: number[]) => ({ n: xs.length, p50: ms(pct(xs, 0.5)), p99: ms(pct(xs, 0.99)), max: ms(xs.length ? Math.max(...xs) : undefined) });
const ms = (x: number | undefined) => (x === undefined ? undefined : Math.round(x));

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

/** The workers' settled resident memory together, MiB (one decimal). */
const workersRss = async (pids: Array<number | undefined>) => round((await Promise.all(pids.map(settledRss))).reduce((a, b) => a + b, 0), 1);

/** Samples the processes' RSS together every 250 ms; `stop()` returns the peak. */
function rssPeak(pids: Array<number | undefined>): { stop(): number } {
  const now = () => pids.reduce<number>((a, pid) => a + rssMiB(pid), 0);
  let peak = now();
  const timer = setInterval(() => (peak = Math.max(peak, now())), 250);
  return {
    stop() {
      clearInterval(timer);
      return round(Math.max(peak, now()), 1);
    },
  };
}

const cpuOf = (pids: Record<string, number | undefined>) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, treeCpuSeconds(pid)]));
/** The sum of the entries whose name starts with `prefix` (worker, worker-2 …). */
const sumOf = (xs: Record<string, number>, prefix: string) => Object.entries(xs).reduce((a, [k, x]) => (k.startsWith(prefix) ? a + x : a), 0);
const benchCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// ---- the alerts ------------------------------------------------------------------------------------

interface Sent {
  n: number;
  remoteIp: string;
  t0: number;
  ackMs?: number;
  status?: number;
  caseId?: string;
  error?: string;
}

/** Alert `n` (1…131,070): its own host and its own remote address in 198.18.0.0/15. */
function alertFor(n: number, tag: string) {
  const hi = 18 + ((n >> 16) & 1);
  const a = (n >> 8) & 255;
  const b = n & 255;
  const remoteIp = `198.${hi}.${a}.${b}`;
  const body = { ...c2Finding({ uid: `bench-${tag}-${n}`, hostIp: `10.${62 + hi}.${a}.${b}`, hostname: `bench-${tag}-${n}.corp.test`, remoteIp, severity_id: 4 }), time: Date.now() };
  return { remoteIp, body };
}

async function postAlert(base: string, n: number, tag: string): Promise<Sent> {
  const { remoteIp, body } = alertFor(n, tag);
  const s: Sent = { n, remoteIp, t0: Date.now() };
  try {
    const res = await fetch(`${base}/v1/alerts`, { method: 'POST', headers: { authorization: `Bearer ${SOURCE}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    const answer = (await res.json().catch(() => undefined)) as { caseId?: string; results?: Array<{ caseId?: string }> } | undefined;
    s.ackMs = Date.now() - s.t0;
    s.status = res.status;
    const caseId = answer?.caseId ?? answer?.results?.[0]?.caseId;
    if (res.status === 202 && caseId) s.caseId = caseId;
    else s.error = `${res.status} ${JSON.stringify(answer).slice(0, 200)}`;
  } catch (err) {
    s.error = err instanceof Error ? err.message : String(err);
  }
  return s;
}

/** Calls `send(i)` for i = 0…count−1 at `rate` a second, never waiting for an answer before the next is due. */
async function openLoop<T>(count: number, rate: number, send: (i: number) => Promise<T>): Promise<{ results: T[]; lateMs: number }> {
  const start = Date.now();
  const interval = 1000 / rate;
  const pending: Array<Promise<T>> = [];
  let lateMs = 0;
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    else lateMs = Math.max(lateMs, -wait);
    pending.push(send(i));
  }
  return { results: await Promise.all(pending), lateMs: Math.round(lateMs) };
}

// ---- Temporal's side ---------------------------------------------------------------------------------

interface Closed {
  workflowId: string;
  status: string;
  startTime: number;
  closeTime?: number;
}

/** Waits until `expected` workflows of `type` started since `since` have closed; gives up after the timeout or 120 s without progress. */
async function untilClosed(client: Client, type: string, since: Date, expected: number, log: (m: string) => void): Promise<{ closed: number; timedOut: boolean }> {
  const query = `WorkflowType = "${type}" AND StartTime >= "${since.toISOString()}" AND ExecutionStatus != "Running"`;
  const deadline = Date.now() + OPTIONS.timeoutS * 1000;
  let closed = 0;
  let progressAt = Date.now();
  let reportedAt = Date.now();
  for (;;) {
    const now = (await client.workflow.count(query)).count;
    if (now !== closed) progressAt = Date.now();
    closed = now;
    if (closed >= expected) return { closed, timedOut: false };
    if (Date.now() > deadline || Date.now() - progressAt > 120_000) return { closed, timedOut: true };
    if (Date.now() - reportedAt > 10_000) {
      log(`  ${closed}/${expected} closed`);
      reportedAt = Date.now();
    }
    await sleep(1000);
  }
}

async function listRuns(client: Client, type: string, since: Date): Promise<Map<string, Closed>> {
  const out = new Map<string, Closed>();
  for await (const w of client.workflow.list({ query: `WorkflowType = "${type}" AND StartTime >= "${since.toISOString()}"` })) {
    out.set(w.workflowId, { workflowId: w.workflowId, status: w.status.name, startTime: w.startTime.getTime(), ...(w.closeTime ? { closeTime: w.closeTime.getTime() } : {}) });
  }
  return out;
}

async function meanHistoryLength(client: Client, ids: string[]): Promise<number | undefined> {
  const sample = ids.slice(0, 10);
  if (sample.length === 0) return undefined;
  const lengths = await Promise.all(sample.map(async (id) => (await client.workflow.getHandle(id).describe()).historyLength));
  return Math.round(lengths.reduce((a, b) => a + b, 0) / lengths.length);
}

const EventType = proto.temporal.api.enums.v1.EventType;
const tsMs = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined) => (ts ? Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : 0);

/**
 * One case's way through Temporal: every event of its case workflow and of its playbook run, in
 * time order, as ms after the alert was sent (the server's clock; same machine). Activities are
 * named; local activities show as markers.
 */
async function eventPath(client: Client, caseId: string, t0: number): Promise<string[]> {
  const out: Array<[number, string]> = [];
  for (const [who, id] of [['case', caseWorkflowId(caseId)], ['playbook', `suspected-c2-${caseId}`]] as const) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const activities = new Map<string, string>();
    for (const e of history.events ?? []) {
      const type = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '').toLowerCase();
      const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (scheduled) activities.set(String(e.eventId), scheduled);
      const of = e.activityTaskStartedEventAttributes?.scheduledEventId ?? e.activityTaskCompletedEventAttributes?.scheduledEventId ?? e.activityTaskFailedEventAttributes?.scheduledEventId;
      const detail =
        scheduled ??
        (of !== undefined && of !== null ? activities.get(String(of)) : undefined) ??
        e.markerRecordedEventAttributes?.markerName ??
        e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name ??
        e.workflowExecutionSignaledEventAttributes?.signalName ??
        e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName;
      out.push([tsMs(e.eventTime) - t0, `${who} ${type}${detail ? ` ${detail}` : ''}`]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]).map(([at, what]) => `+${at} ${what}`);
}

// ---- the playbook phases --------------------------------------------------------------------------------

interface CaseRead {
  status?: string;
  playbooks?: Array<{ workflowId: string; playbook: string; status: string }>;
  approvals?: unknown[];
  timeline?: Array<{ at: string; step: string; message: string }>;
}

/** Per case: the first call that reached a peer for it (this process's clock) and how many calls the peers recorded. */
function peerCallsByCase(peers: ChaosPeers, sent: Sent[]): Map<string, { first: number; calls: number }> {
  const byIp = new Map(sent.flatMap((s) => (s.caseId ? [[s.remoteIp, s.caseId] as const] : [])));
  const out = new Map<string, { first: number; calls: number }>();
  for (const e of peers.events) {
    const ip = e.op === 'virustotal.lookup' ? e.key.replace(/^ip:/, '') : e.op === 'abuseipdb.lookup' ? e.key : undefined;
    const caseId = e.caseId ?? (ip ? byIp.get(ip) : undefined);
    if (!caseId) continue;
    const c = out.get(caseId);
    if (c) {
      c.first = Math.min(c.first, e.at);
      c.calls += 1;
    } else out.set(caseId, { first: e.at, calls: 1 });
  }
  return out;
}

/** The stack under measurement, embedded or the cluster, as the phases see it. */
interface BenchStack {
  /** Where alerts and reads go: the API, or the load balancer in front of the replicas. */
  base: string;
  temporalAddress: string;
  /** Which Temporal it runs: "Temporal CLI 1.5.1" (dev server) or "Temporal server 1.30.0". */
  temporal: string;
  /** The processes whose CPU is counted: worker, worker-2 …, api, api-2 …, temporal, and on the cluster postgres (with its backends) and haproxy. */
  pids: Record<string, number | undefined>;
  describe: string;
  stop(extra?: ChildProcess[]): Promise<void>;
}

const workerPids = (pids: Record<string, number | undefined>) => Object.entries(pids).flatMap(([k, pid]) => (k.startsWith('worker') ? [pid] : []));

interface PhaseContext {
  stack: BenchStack;
  client: Client;
  peers: ChaosPeers;
  pids: Record<string, number | undefined>;
  log: (m: string) => void;
  /** Until the stack's processes are back at rest (what the cluster uses idle allowed for). */
  quiet(extra?: Array<number | undefined>): Promise<void>;
}

async function playbookPhase(ctx: PhaseContext, name: string, count: number, rate: number, first: number) {
  const { stack, client, peers, pids, log } = ctx;
  const tag = `${name}-${Math.random().toString(36).slice(2, 7)}`;
  log(`${name}: ${count} alerts at ${rate}/s, each a new case…`);
  await ctx.quiet();
  const workers = workerPids(pids);
  const rss0 = await workersRss(workers);
  const since = new Date();
  const cpu0 = cpuOf(pids);
  const bench0 = benchCpu();
  const threads0 = { worker: threadCpu(pids.worker), api: threadCpu(pids.api) };
  const peak = rssPeak(workers);
  const { results: sent, lateMs } = await openLoop(count, rate, (i) => postAlert(stack.base, first + i, tag));
  const lastSendAt = Date.now();
  const accepted = sent.filter((s) => s.caseId);
  log(`${name}: sent in ${((lastSendAt - (sent[0]?.t0 ?? lastSendAt)) / 1000).toFixed(1)} s (${accepted.length} acknowledged; the sender fell behind by up to ${lateMs} ms); waiting for the runs to close…`);
  const waited = await untilClosed(client, PLAYBOOK_TYPE, since, accepted.length, log);
  const closedAt = Date.now();
  await ctx.quiet();
  const cpu1 = cpuOf(pids);
  const bench1 = benchCpu();
  const threads1 = { worker: threadCpu(pids.worker), api: threadCpu(pids.api) };
  const rssPeakMiB = peak.stop();
  const rssOpen = await workersRss(workers);
  const openCases = (await client.workflow.count(`WorkflowType = "caseWorkflow" AND ExecutionStatus = "Running"`)).count;

  // What happened, read after the measurement: Temporal's close times, the peers' calls, the cases.
  const runs = await listRuns(client, PLAYBOOK_TYPE, since);
  const calls = peerCallsByCase(peers, sent);
  const cases = new Map<string, CaseRead>();
  await pool(accepted, 8, async (s) => {
    const res = await fetch(`${stack.base}/v1/cases/${s.caseId}`, { headers: { authorization: `Bearer ${ANALYST}` } });
    if (res.ok) cases.set(s.caseId as string, (await res.json()) as CaseRead);
  });

  const firstAction: number[] = [];
  const playbookStart: number[] = [];
  const done: number[] = [];
  const outcomes: Record<string, number> = {};
  const steps = new Map<string, number[]>();
  const runStatus: Record<string, number> = {};
  const callsPerRun: Record<string, number> = {};
  let asked = 0;
  let closeMax = 0;
  let completed = 0;
  for (const s of accepted) {
    const caseId = s.caseId as string;
    const run = runs.get(`suspected-c2-${caseId}`);
    runStatus[run?.status ?? 'not started'] = (runStatus[run?.status ?? 'not started'] ?? 0) + 1;
    if (run?.status === 'COMPLETED' && run.closeTime) {
      completed += 1;
      done.push(run.closeTime - s.t0);
      closeMax = Math.max(closeMax, run.closeTime);
    }
    const c = calls.get(caseId);
    if (c) firstAction.push(c.first - s.t0);
    callsPerRun[String(c?.calls ?? 0)] = (callsPerRun[String(c?.calls ?? 0)] ?? 0) + 1;
    const view = cases.get(caseId);
    const start = view?.timeline?.find((t) => t.step === 'start');
    if (start) playbookStart.push(Date.parse(start.at) - s.t0);
    const seen = new Set<string>();
    for (const t of view?.timeline ?? []) {
      if (seen.has(t.step)) continue;
      seen.add(t.step);
      const xs = steps.get(t.step) ?? [];
      xs.push(Date.parse(t.at) - s.t0);
      steps.set(t.step, xs);
    }
    outcomes[view?.status ?? 'unread'] = (outcomes[view?.status ?? 'unread'] ?? 0) + 1;
    if ((view?.approvals?.length ?? 0) > 0) asked += 1;
  }
  const firstT0 = sent[0]?.t0 ?? since.getTime();
  const spanS = closeMax > firstT0 ? (closeMax - firstT0) / 1000 : undefined;
  // The run with the median alert → done, event by event.
  const byDone = accepted.flatMap((s) => {
    const closeTime = runs.get(`suspected-c2-${s.caseId}`)?.closeTime;
    return closeTime ? [{ s, doneMs: closeTime - s.t0 }] : [];
  }).sort((a, b) => a.doneMs - b.doneMs);
  const median = byDone[Math.floor((byDone.length - 1) / 2)];
  const medianRunPath = median ? await eventPath(client, median.s.caseId as string, median.s.t0).catch((err: unknown) => [`unavailable: ${String(err)}`]) : [];
  const cpu: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, round((cpu1[k] ?? 0) - (cpu0[k] ?? 0), 2)]));
  const per = (x: number | undefined) => (completed ? round((x ?? 0) / completed, 4) : undefined);
  const workerCpu = sumOf(cpu, 'worker');
  const threadDelta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, round(v - (a[k] ?? 0), 2)]).filter(([, v]) => (v as number) > 0));
  const notAsked = [...cases.values()].filter((v) => v.timeline?.some((t) => t.step === 'approval' && /not asked/.test(t.message))).length;
  const result = {
    phase: name,
    alerts: count,
    offeredRate: rate,
    acknowledged: accepted.length,
    refused: sent.filter((s) => !s.caseId).map((s) => s.error).slice(0, 10),
    senderLateMs: lateMs,
    completed,
    runStatus,
    caseStatus: outcomes,
    approvalsAsked: asked,
    notAskedNeverContain: notAsked,
    peerCallsRecordedPerRun: callsPerRun,
    timedOut: waited.timedOut,
    completedPerSecond: spanS ? round(completed / spanS, 2) : undefined,
    spanS: spanS ? round(spanS, 1) : undefined,
    drainAfterLastSendS: round((closedAt - lastSendAt) / 1000, 1),
    latencyMs: {
      ack: dist(sent.flatMap((s) => (s.ackMs !== undefined ? [s.ackMs] : []))),
      alertToPlaybookStart: dist(playbookStart),
      alertToFirstAction: dist(firstAction),
      alertToDone: dist(done),
      // When each step first shows in the timeline (the workflow's clock at the task that wrote it), p50 from the alert.
      timelineStepsP50: Object.fromEntries([...steps].map(([step, xs]) => [step, ms(pct(xs, 0.5))] as const).sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0))),
    },
    cpuSeconds: { ...cpu, bench: round(bench1 - bench0, 2), windowS: round((Date.now() - firstT0) / 1000, 1) },
    cpuSecondsPerPlaybook: {
      worker: per(workerCpu),
      temporal: per(cpu.temporal),
      api: per(sumOf(cpu, 'api')),
      workerPlusTemporal: per(workerCpu + (cpu.temporal ?? 0)),
      ...(cpu.postgres !== undefined ? { postgres: per(cpu.postgres), haproxy: per(cpu.haproxy) } : {}),
    },
    threadCpuSeconds: { worker: threadDelta(threads0.worker, threads1.worker), api: threadDelta(threads0.api, threads1.api) },
    workerRssMiB: { before: rss0, peak: rssPeakMiB, withCasesOpen: rssOpen, perOpenCase: accepted.length ? round((rssOpen - rss0) / accepted.length, 2) : undefined, openCaseWorkflows: openCases, workers: workers.length },
    historyEventsPerRun: await meanHistoryLength(client, [...runs.keys()]),
    medianRun: median ? { caseId: median.s.caseId, alertToDoneMs: median.doneMs, events: medianRunPath } : undefined,
  };
  log(
    `${name}: ${completed}/${accepted.length} completed (${JSON.stringify(outcomes)}), ${result.completedPerSecond ?? '—'}/s; alert → first action p50 ${result.latencyMs.alertToFirstAction.p50} ms, → done p50 ${result.latencyMs.alertToDone.p50} ms; ` +
      `per playbook worker ${result.cpuSecondsPerPlaybook.worker} CPU-s, Temporal ${result.cpuSecondsPerPlaybook.temporal}, API ${result.cpuSecondsPerPlaybook.api}; worker RSS peak ${rssPeakMiB} MiB, ${rssOpen} MiB with ${openCases} cases open`
  );
  return result;
}

// ---- the raw-Temporal phase ---------------------------------------------------------------------------------

async function barePhase(ctx: PhaseContext, bare: ChildProcess, name: string, count: number, rate: number) {
  const { client, pids, log } = ctx;
  const bpids = { bareWorker: bare.pid, temporal: pids.temporal };
  const tag = Math.random().toString(36).slice(2, 7);
  log(`${name}: ${count} bare workflows at ${rate}/s…`);
  await ctx.quiet([bare.pid]);
  const since = new Date();
  const cpu0 = cpuOf(bpids);
  const { results: started, lateMs } = await openLoop(count, rate, async (i) => {
    const t0 = Date.now();
    const workflowId = `bare-${tag}-${i}`;
    try {
      await client.workflow.start(BARE_TYPE, { taskQueue: BARE_TASK_QUEUE, workflowId, args: [] });
      return { workflowId, t0, startMs: Date.now() - t0 };
    } catch (err) {
      return { workflowId, t0, error: err instanceof Error ? err.message : String(err) };
    }
  });
  const ok = started.filter((s) => !('error' in s));
  const waited = await untilClosed(client, BARE_TYPE, since, ok.length, log);
  await ctx.quiet([bare.pid]);
  const cpu1 = cpuOf(bpids);
  const runs = await listRuns(client, BARE_TYPE, since);
  const firstActivity: number[] = [];
  const done: number[] = [];
  let completed = 0;
  let closeMax = 0;
  await pool(ok, 16, async (s) => {
    const run = runs.get(s.workflowId);
    if (run?.status !== 'COMPLETED' || !run.closeTime) return;
    completed += 1;
    done.push(run.closeTime - s.t0);
    closeMax = Math.max(closeMax, run.closeTime);
    const r = (await client.workflow.getHandle(s.workflowId).result()) as BareResult;
    firstActivity.push(r.firstActivityAt - s.t0);
  });
  const firstT0 = started[0]?.t0 ?? since.getTime();
  const spanS = closeMax > firstT0 ? (closeMax - firstT0) / 1000 : undefined;
  const cpu = Object.fromEntries(Object.keys(bpids).map((k) => [k, round((cpu1[k] ?? 0) - (cpu0[k] ?? 0), 2)]));
  const per = (x: number | undefined) => (completed ? round((x ?? 0) / completed, 4) : undefined);
  const result = {
    phase: name,
    workflows: count,
    offeredRate: rate,
    started: ok.length,
    refused: started.flatMap((s) => ('error' in s ? [s.error] : [])).slice(0, 10),
    senderLateMs: lateMs,
    completed,
    timedOut: waited.timedOut,
    completedPerSecond: spanS ? round(completed / spanS, 2) : undefined,
    spanS: spanS ? round(spanS, 1) : undefined,
    latencyMs: {
      start: dist(ok.flatMap((s) => ('startMs' in s && s.startMs !== undefined ? [s.startMs] : []))),
      startToFirstActivity: dist(firstActivity),
      startToDone: dist(done),
    },
    cpuSeconds: cpu,
    cpuSecondsPerWorkflow: { bareWorker: per(cpu.bareWorker), temporal: per(cpu.temporal), workerPlusTemporal: per((cpu.bareWorker ?? 0) + (cpu.temporal ?? 0)) },
    bareWorkerRssMiB: round(rssMiB(bare.pid), 1),
    historyEventsPerRun: await meanHistoryLength(client, [...runs.keys()]),
  };
  log(`${name}: ${completed}/${ok.length} completed, ${result.completedPerSecond ?? '—'}/s; start → first activity p50 ${result.latencyMs.startToFirstActivity.p50} ms, → done p50 ${result.latencyMs.startToDone.p50} ms; per workflow bare worker ${result.cpuSecondsPerWorkflow.bareWorker} CPU-s, Temporal ${result.cpuSecondsPerWorkflow.temporal}`);
  return result;
}

// ---- main ------------------------------------------------------------------------------------------------------

type PlaybookResult = Awaited<ReturnType<typeof playbookPhase>>;
type BareResultRow = Awaited<ReturnType<typeof barePhase>>;

const v = (x: number | undefined, unit = '') => (x === undefined ? '—' : `${x}${unit}`);
const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'met' : '**not met**');

function summary(r: { light: PlaybookResult; sustained: PlaybookResult; bare?: { light: BareResultRow; sustained: BareResultRow }; ratio?: number }): string {
  const { light, sustained, bare } = r;
  const lines = [
    '',
    `| Phase | Completed / acknowledged | Completed per s | alert (bare: start) → first action p50 / p99 | alert (bare: start) → done p50 / p99 | CPU-s per run: worker / Temporal / API | worker RSS peak / with cases open |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const p of [light, sustained]) {
    lines.push(
      `| playbook, ${p.alerts} at ${p.offeredRate}/s | ${p.completed} / ${p.acknowledged} | ${v(p.completedPerSecond)} | ${v(p.latencyMs.alertToFirstAction.p50)} / ${v(p.latencyMs.alertToFirstAction.p99)} ms | ${v(p.latencyMs.alertToDone.p50)} / ${v(p.latencyMs.alertToDone.p99)} ms | ` +
        `${v(p.cpuSecondsPerPlaybook.worker)} / ${v(p.cpuSecondsPerPlaybook.temporal)} / ${v(p.cpuSecondsPerPlaybook.api)} | ${p.workerRssMiB.peak} / ${p.workerRssMiB.withCasesOpen} MiB (${p.workerRssMiB.openCaseWorkflows} cases open) |`
    );
  }
  if (bare) {
    for (const b of [bare.light, bare.sustained]) {
      lines.push(
        `| bare workflow, ${b.workflows} at ${b.offeredRate}/s | ${b.completed} / ${b.started} | ${v(b.completedPerSecond)} | ${v(b.latencyMs.startToFirstActivity.p50)} / ${v(b.latencyMs.startToFirstActivity.p99)} ms | ${v(b.latencyMs.startToDone.p50)} / ${v(b.latencyMs.startToDone.p99)} ms | ` +
          `${v(b.cpuSecondsPerWorkflow.bareWorker)} / ${v(b.cpuSecondsPerWorkflow.temporal)} / — | ${b.bareWorkerRssMiB} MiB (bare worker) |`
      );
    }
  }
  const s = sustained;
  const lat = light.latencyMs;
  lines.push('', '| Target | Measured | |', '|---|---|---|');
  lines.push(`| ≥ ${TARGETS.completedPerSecond} playbooks/s completed | ${v(s.completedPerSecond)}/s at ${s.offeredRate}/s offered | ${verdict(s.completedPerSecond === undefined ? undefined : s.completedPerSecond >= TARGETS.completedPerSecond)} |`);
  const cpu = s.cpuSecondsPerPlaybook.workerPlusTemporal;
  lines.push(`| ≤ ${TARGETS.cpuPerPlaybook} CPU-s per playbook (worker + Temporal) | ${v(cpu)} (${v(s.cpuSecondsPerPlaybook.worker)} + ${v(s.cpuSecondsPerPlaybook.temporal)}) | ${verdict(cpu === undefined ? undefined : cpu <= TARGETS.cpuPerPlaybook)} |`);
  lines.push(`| worker RSS ≤ ${TARGETS.workerRssMiB / 1024} GiB with ${s.alerts} cases open | ${s.workerRssMiB.withCasesOpen} MiB settled, ${s.workerRssMiB.peak} MiB peak (${s.workerRssMiB.openCaseWorkflows} open) | ${verdict(s.workerRssMiB.withCasesOpen <= TARGETS.workerRssMiB)} |`);
  lines.push(`| alert → first action ≤ ${TARGETS.firstActionP50Ms} ms p50 at light load | ${v(lat.alertToFirstAction.p50)} ms (p99 ${v(lat.alertToFirstAction.p99)}) | ${verdict(lat.alertToFirstAction.p50 === undefined ? undefined : lat.alertToFirstAction.p50 <= TARGETS.firstActionP50Ms)} |`);
  lines.push(`| alert → done ≤ ${TARGETS.doneP50Ms} ms p50 at light load | ${v(lat.alertToDone.p50)} ms (p99 ${v(lat.alertToDone.p99)}) | ${verdict(lat.alertToDone.p50 === undefined ? undefined : lat.alertToDone.p50 <= TARGETS.doneP50Ms)} |`);
  if (r.ratio !== undefined) lines.push(`| ≥ ${TARGETS.bareRatio}× the bare workflow's throughput | ${r.ratio}× (${v(s.completedPerSecond)} vs ${v(bare?.sustained.completedPerSecond)}/s) | ${verdict(r.ratio >= TARGETS.bareRatio)} |`);
  lines.push(
    '',
    `No approval: every C2 address is on RIPOSTE_NEVER_CONTAIN (${NEVER_CONTAIN}), so the plan refuses them and the run closes without asking; ${s.notAskedNeverContain}/${s.acknowledged} sustained runs say so, ${s.approvalsAsked} asked. Peer calls recorded per run ${JSON.stringify(s.peerCallsRecordedPerRun)} (of 6 made: the JQL search and comment listing are not recorded).`,
    `alert → playbook start (timeline "start") p50 ${v(lat.alertToPlaybookStart.p50)} ms light, ${v(s.latencyMs.alertToPlaybookStart.p50)} ms sustained; 202 p50 ${v(lat.ack.p50)} ms light, ${v(s.latencyMs.ack.p50)} ms sustained. History events per run: playbook ${v(s.historyEventsPerRun)}${bare ? `, bare ${v(bare.sustained.historyEventsPerRun)}` : ''}.`,
    `Steps (p50 ms from the alert, light): ${Object.entries(light.latencyMs.timelineStepsP50).map(([k, x]) => `${k} ${x}`).join(', ')}.`,
    `Worker CPU-s by thread (sustained): ${JSON.stringify(s.threadCpuSeconds.worker)}. The case workflows stay open for their idle window after the playbook ends (RIPOSTE_CORRELATION_WINDOW + 10 min).`
  );
  return lines.join('\n');
}

/** `npm start`'s shape: the dev server on a SQLite file, BENCH_WORKERS workers, one API. */
async function embeddedStack(env: Record<string, string>): Promise<BenchStack> {
  const s = await startStack({ name: 'bench-throughput', profileWorker: process.env.BENCH_PROFILE_WORKER === '1', workers: OPTIONS.workers, env });
  return {
    base: s.base,
    temporalAddress: s.server.address,
    temporal: `Temporal CLI ${s.cliVersion}`,
    describe: `embedded: Temporal CLI ${s.cliVersion} dev server, ${s.workers.length} worker(s), one API`,
    pids: { ...Object.fromEntries(s.workers.map((w, i) => [i ? `worker-${i + 1}` : 'worker', w.pid])), temporal: s.server.process.pid, api: s.api.pid },
    stop: (extra) => s.stop(extra),
  };
}

/** `npm run cluster`'s shape: PostgreSQL, the Temporal server, the main and privileged workers, BENCH_APIS replicas behind HAProxy. */
async function clusterStack(env: Record<string, string>, log: (m: string) => void): Promise<BenchStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-bench-cluster-'));
  const ports = await freeClusterPorts();
  const c = await startCluster({ dir, ports: { ...ports, apis: ports.apis.slice(0, OPTIONS.apis) }, env, log: (m) => log(`cluster: ${m}`) });
  // The privileged worker serves no step of this playbook: its CPU is counted with the workers' all the same.
  const [main, privileged] = c.workers;
  return {
    base: c.url,
    temporalAddress: c.temporalAddress,
    temporal: `Temporal server ${c.serverVersion}`,
    describe: `cluster: Temporal server ${c.serverVersion} on PostgreSQL, a main and a privileged worker, ${c.apis.length} API replica(s) behind HAProxy`,
    pids: {
      worker: main?.child?.pid,
      'worker-privileged': privileged?.child?.pid,
      temporal: c.temporal.child?.pid,
      ...Object.fromEntries(c.apis.map((a, i) => [i ? `api-${i + 1}` : 'api', a.child?.pid])),
      postgres: c.postgres.process()?.pid,
      haproxy: c.balancer.child?.pid,
    },
    async stop(extra = []) {
      for (const p of extra) p.kill('SIGTERM');
      await c.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const log = (m: string) => console.error(`throughput ${new Date().toISOString().slice(11, 19)} ${m}`);
  const peers = await startChaosPeers();
  let stack: BenchStack | undefined;
  let bare: ChildProcess | undefined;
  let connection: Connection | undefined;
  const stop = async () => {
    await stack?.stop(bare ? [bare] : []);
    await peers.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));
  try {
    const env = {
      ...peers.env,
      RIPOSTE_TOKENS: `${SOURCE}:source,${ANALYST}:analyst`,
      RIPOSTE_TASK_QUEUE: TASK_QUEUE,
      RIPOSTE_SWEEP_EVERY: 'off',
      RIPOSTE_DNS_SERVERS: '127.0.0.1:9',
      RIPOSTE_DNS_TIMEOUT_MS: '200',
      RIPOSTE_API_RATE_LIMIT: '0',
      // The "no approval" path: every C2 address of the benchmark is never to be contained.
      RIPOSTE_NEVER_CONTAIN: [process.env.RIPOSTE_NEVER_CONTAIN, NEVER_CONTAIN].filter(Boolean).join(','),
    };
    stack = OPTIONS.stack === 'cluster' ? await clusterStack(env, log) : await embeddedStack(env);
    log(`stack up: ${stack.describe}, API ${stack.base}, peers ${peers.url}`);
    connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection });
    const pids = stack.pids;
    // At rest, the cluster's Temporal server and PostgreSQL still tick: "quiet" allows for it.
    const rest = OPTIONS.stack === 'cluster' ? await idleCpuPerSecond(Object.values(pids)) : 0;
    const ctx: PhaseContext = { stack, client, peers, pids, log, quiet: (extra = []) => untilQuiet([...Object.values(pids), ...extra], 2500, rest * 1.5) };

    // Warm-up: one run, so the first measured alert does not pay for connections and JIT.
    await playbookPhase(ctx, 'warm-up', 2, 2, 1);
    const idle0 = cpuOf(pids);
    await sleep(5000);
    const idle1 = cpuOf(pids);
    const idleCpu = Object.fromEntries(Object.keys(pids).map((k) => [k, round(((idle1[k] ?? 0) - (idle0[k] ?? 0)) / 5, 3)]));

    const light = await playbookPhase(ctx, 'light', OPTIONS.lightAlerts, OPTIONS.lightRate, 10);
    const sustained = await playbookPhase(ctx, 'sustained', OPTIONS.alerts, OPTIONS.rate, 10 + OPTIONS.lightAlerts);

    let bareResults: { light: BareResultRow; sustained: BareResultRow } | undefined;
    let ratio: number | undefined;
    if (OPTIONS.bare) {
      log('raw Temporal: starting the bare worker…');
      bare = await startProcess('bench/bare-workflow/worker.ts', [], { TEMPORAL_ADDRESS: stack.temporalAddress, BENCH_BARE_TASK_QUEUE: BARE_TASK_QUEUE });
      await barePhase(ctx, bare, 'bare warm-up', 2, 2);
      bareResults = {
        light: await barePhase(ctx, bare, 'bare light', OPTIONS.lightAlerts, OPTIONS.lightRate),
        sustained: await barePhase(ctx, bare, 'bare sustained', OPTIONS.alerts, OPTIONS.rate),
      };
      const p = sustained.completedPerSecond;
      const b = bareResults.sustained.completedPerSecond;
      ratio = p !== undefined && b ? round(p / b, 2) : undefined;
    }

    const report = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${stack.temporal}`,
      stack: stack.describe,
      loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)),
      options: OPTIONS,
      noApprovalPath: `RIPOSTE_NEVER_CONTAIN=${NEVER_CONTAIN}: the verdict asks to contain, the plan refuses every C2 address, the run closes without asking (6 HTTP calls: VirusTotal, AbuseIPDB, Jira search + issue, Jira comment listing + comment)`,
      settings: { dispatchMaxRate: process.env.RIPOSTE_DISPATCH_MAX_RATE ?? '20 (default)', correlationWindow: process.env.RIPOSTE_CORRELATION_WINDOW ?? '1h (default)' },
      idleCpuPerSecond: idleCpu,
      targets: TARGETS,
      light,
      sustained,
      ...(bareResults ? { bare: bareResults, ratioPlaybookToBare: ratio } : {}),
      peerCalls: peers.counts(),
    };
    const dir = path.join(root, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `throughput-${report.date.slice(0, 10)}${OPTIONS.tag ? `-${OPTIONS.tag}` : ''}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(summary({ light, sustained, ...(bareResults ? { bare: bareResults } : {}), ...(ratio !== undefined ? { ratio } : {}) }));
    console.log(`\nfull results: ${path.relative(root, file)}`);
  } finally {
    await connection?.close();
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
