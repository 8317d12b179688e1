// `npm run bench:ingest`: the ingest benchmark. Runs the real stack (Temporal dev server on a
// WAL SQLite file, worker and API as separate processes, as `npm start` does) and drives it
// from a separate load-generator process over loopback:
//   1. sustained: signed alerts at a fixed offered rate (default 2,000/s for 30 s): accepted/s, p50/p99
//   2. peak: as fast as the API answers (64 connections, 15 s); 2b. the same with 20 alerts per request
//   3. the same peak against a bare node:http server, for the ratio
//   4. zero loss: every acknowledged alert is in the store and counted by its case workflow
//   5. storm: 10,000 repeats of one detection: cases, signals to the case workflow, its history
// Options (environment): BENCH_RATE, BENCH_SECONDS, BENCH_STORM, BENCH_HOSTS, BENCH_TAG (a name for the
// results file: ingest-<date>[-postgresql][-<tag>].json), BENCH_PROFILE=1 (CPU profiles of
// the API into bench/results/profiles), BENCH_DATABASE=postgres (the stores on a PostgreSQL server of
// the benchmark's own, as RIPOSTE_DATABASE_URL puts them); any other RIPOSTE_* variable reaches the API and worker.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { freePort } from '../scripts/dev-server.ts';
import { startPostgres, type LocalPostgres } from '../scripts/postgres.ts';
import { caseStateQuery, caseWorkflowId } from '../workflows/definitions.ts';
import { cpuSeconds, root, startProcess, startStack, threadCpu } from './stack.ts';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const STORM = Number(process.env.BENCH_STORM ?? 10_000);
const HOSTS = Number(process.env.BENCH_HOSTS ?? 50);
const SECRET = 'bench-ocsf-signing-secret-0123456789';
const ANALYST = 'bench-analyst-token-0123456789';

interface LoadResult {
  seconds: number;
  requests: number;
  acked: number;
  statuses: Record<string, number>;
  errors: number;
  ackedPerSecond: number;
  alertsPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  alertIds: number;
  caseIds: string[];
}

/** Runs the load generator; `watch` names the processes whose CPU use during the run is reported. */
function load(opts: Record<string, unknown>, watch: Record<string, number | undefined> = {}): Promise<LoadResult & { cpu: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/load.ts'), JSON.stringify(opts)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const before = Object.fromEntries(Object.entries(watch).map(([k, pid]) => [k, cpuSeconds(pid)]));
    let loadCpu = 0;
    const sampler = setInterval(() => (loadCpu = cpuSeconds(child.pid)), 200);
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.once('exit', (code) => {
      clearInterval(sampler);
      const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as LoadResult;
      const cpu = Object.fromEntries(Object.entries(watch).map(([k, pid]) => [k, +(cpuSeconds(pid) - (before[k] ?? 0)).toFixed(1)]));
      cpu['load generator'] = +loadCpu.toFixed(1);
      return code === 0 ? resolve({ ...result, cpu }) : reject(new Error(`load exited ${code}`));
    });
  });
}

async function health(base: string): Promise<{ backlog: number; dispatched: { signals: number; alerts: number; errors: number } }> {
  return (await (await fetch(`${base}/v1/health`)).json()) as never;
}

async function waitDrained(base: string): Promise<number> {
  const t = Date.now();
  while ((await health(base)).backlog > 0) await new Promise((r) => setTimeout(r, 200));
  return (Date.now() - t) / 1000;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Reads the alert store the API wrote, whichever it is (the same SQL on both). */
type StoreReader = { all<T>(sql: string, ...params: unknown[]): Promise<T[]>; close(): Promise<void> };
async function storeReader(work: string, databaseUrl?: string): Promise<StoreReader> {
  if (databaseUrl) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    return { all: async (sql, ...params) => (await c.query(((n) => sql.replace(/\?/g, () => `$${++n}`))(0), params)).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) && k !== 'case_id' ? Number(v) : v]))) as never, close: () => c.end() };
  }
  const db = new Database(path.join(work, 'data', 'riposte.db'), { readonly: true });
  return { all: async (sql, ...params) => db.prepare(sql).all(...params) as never, close: async () => void db.close() };
}

async function main(): Promise<void> {
  let postgres: LocalPostgres | undefined;
  let databaseUrl: string | undefined;
  if (process.env.BENCH_DATABASE === 'postgres') {
    postgres = await startPostgres({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-bench-pg-')), port: await freePort() });
    databaseUrl = await postgres.createDatabase('riposte');
  }
  const stack = await startStack({
    name: 'bench',
    profileApi: process.env.BENCH_PROFILE === '1',
    env: {
      RIPOSTE_TOKENS: `bench-source-token-0123456789:source,${ANALYST}:analyst`,
      RIPOSTE_SOURCE_SECRETS: `ocsf:${SECRET}`,
      RIPOSTE_TASK_QUEUE: 'bench',
      RIPOSTE_MAX_BACKLOG: '1000000',
      RIPOSTE_LOG_FORMAT: 'json',
      RIPOSTE_STORE_SYNC: process.env.RIPOSTE_STORE_SYNC ?? 'full',
      ...(databaseUrl ? { RIPOSTE_DATABASE_URL: databaseUrl } : {}),
    },
  });
  const { base, work, server, worker, api: apiProcess } = stack;
  const processes: ChildProcess[] = [];
  try {
    const watch = { api: apiProcess.pid, worker: worker.pid, temporal: server.process.pid };
    const cpu = (r: { cpu: Record<string, number>; seconds: number }) =>
      `CPU s over ${r.seconds.toFixed(0)} s: ${Object.entries(r.cpu).map(([k, v]) => `${k} ${v}`).join(', ')}`;
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, Temporal CLI ${stack.cliVersion}`;
    console.log(`riposte ingest benchmark — ${machine}\n`);

    // Warm-up: JIT, SQLite caches, the first case workflows.
    await load({ url: `${base}/v1/alerts`, mode: 'rate', rate: 500, seconds: 3, hosts: HOSTS, secret: SECRET, run: 'warm' });

    const sustained = await load({ url: `${base}/v1/alerts`, mode: 'rate', rate: RATE, seconds: SECONDS, hosts: HOSTS, secret: SECRET, run: 'sustained' }, watch);
    console.log(`1. sustained ${RATE}/s offered for ${SECONDS} s: ${sustained.ackedPerSecond.toFixed(0)} acknowledged/s, p50 ${ms(sustained.p50)}, p99 ${ms(sustained.p99)}, max ${ms(sustained.max)}; statuses ${JSON.stringify(sustained.statuses)}, errors ${sustained.errors}`);
    console.log(`   ${cpu(sustained)}`);

    const threadsBefore = threadCpu(apiProcess.pid);
    const peak = await load({ url: `${base}/v1/alerts`, mode: 'peak', concurrency: 64, seconds: 15, hosts: HOSTS, secret: SECRET, run: 'peak' }, watch);
    const threadsAfter = threadCpu(apiProcess.pid);
    const threads = Object.entries(threadsAfter).map(([k, v]) => `${k} ${(v - (threadsBefore[k] ?? 0)).toFixed(1)}`).join(', ');
    console.log(`2. peak (64 connections, 15 s): ${peak.ackedPerSecond.toFixed(0)} acknowledged/s, p50 ${ms(peak.p50)}, p99 ${ms(peak.p99)}`);
    console.log(`   ${cpu(peak)}`);
    console.log(`   API threads (CPU s): ${threads}`);

    const batched = await load({ url: `${base}/v1/alerts/ocsf`, mode: 'peak', concurrency: 16, seconds: 15, batch: 20, hosts: HOSTS, secret: SECRET, run: 'batch' }, watch);
    console.log(`2b. batches of 20 alerts per request (16 connections, 15 s): ${batched.alertsPerSecond.toFixed(0)} alerts acknowledged/s, p50 ${ms(batched.p50)}, p99 ${ms(batched.p99)} per request`);
    console.log(`   ${cpu(batched)}`);

    const drain = await waitDrained(base);
    const db = await storeReader(work, databaseUrl);
    const stored = (await db.all<{ n: number }>("SELECT count(*) AS n FROM alerts WHERE source_uid LIKE 'sustained-%' OR source_uid LIKE 'peak-%' OR source_uid LIKE 'batch-%'"))[0]?.n ?? 0;
    const acked = sustained.alertIds + peak.alertIds + batched.alertIds;
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const cases = [...new Set([...sustained.caseIds, ...peak.caseIds, ...batched.caseIds])];
    const perCase = await db.all<{ case_id: string; n: number }>("SELECT case_id, count(*) AS n FROM alerts WHERE source_uid LIKE 'warm-%' OR source_uid LIKE 'sustained-%' OR source_uid LIKE 'peak-%' OR source_uid LIKE 'batch-%' GROUP BY case_id");
    let delivered = 0;
    let expected = 0;
    for (const { case_id, n } of perCase) {
      expected += n;
      delivered += (await client.workflow.getHandle(caseWorkflowId(case_id)).query(caseStateQuery)).alerts;
    }
    console.log(
      `3. zero loss: ${acked} acknowledged, ${stored} stored; ${delivered} of ${expected} delivered to ${cases.length} case workflows ` +
        `(${delivered === expected && stored === acked ? 'none lost, none twice' : 'MISMATCH'}); outbox drained ${drain.toFixed(1)} s after the load`
    );

    const barePort = await freePort();
    const bare = await startProcess('bench/bare-server.ts', [String(barePort)], {});
    processes.push(bare);
    const baseline = await load({ url: `http://127.0.0.1:${barePort}/`, mode: 'peak', concurrency: 64, seconds: 15, hosts: HOSTS, run: 'bare' });
    bare.kill();
    console.log(`4. bare node:http, same load: ${baseline.requestsPerSecond.toFixed(0)} requests/s, p99 ${ms(baseline.p99)} → Riposte peak is ${((peak.ackedPerSecond / baseline.requestsPerSecond) * 100).toFixed(1)} % of it`);

    const before = await health(base);
    const storm = await load({ url: `${base}/v1/alerts`, mode: 'storm', count: STORM, concurrency: 64, secret: SECRET, run: `storm-${Date.now()}` });
    await waitDrained(base);
    await new Promise((r) => setTimeout(r, 1500)); // let the case workflow finish its last task
    const after = await health(base);
    const stormCase = storm.caseIds[0] as string;
    const history = (await client.workflow.getHandle(caseWorkflowId(stormCase)).describe()).historyLength;
    const count = (await db.all<{ count: number }>('SELECT count FROM alerts WHERE case_id = ?', stormCase))[0]?.count ?? 0;
    console.log(
      `5. storm of ${STORM} identical alerts in ${storm.seconds.toFixed(1)} s (${storm.ackedPerSecond.toFixed(0)}/s): ${storm.caseIds.length} case(s), ` +
        `1 alert counted ${count} times, ${after.dispatched.signals - before.dispatched.signals} signal(s) to the case workflow, its history ${history} events`
    );
    await db.close();
    await connection.close();

    const report = { date: new Date().toISOString(), machine, database: databaseUrl ? 'postgresql' : 'sqlite', rate: RATE, seconds: SECONDS, sustained, peak, batched, zeroLoss: { acked, stored, delivered, expected, drainSeconds: drain }, baseline, storm: { ...storm, history, count, signals: after.dispatched.signals - before.dispatched.signals } };
    for (const r of [report.sustained, report.peak, report.batched, report.baseline, report.storm]) r.caseIds = r.caseIds.slice(0, 3);
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    const tag = process.env.BENCH_TAG ? `-${process.env.BENCH_TAG}` : '';
    const file = path.join(root, 'bench/results', `ingest-${report.date.slice(0, 10)}${databaseUrl ? '-postgresql' : ''}${tag}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nfull results: ${path.relative(root, file)}`);
  } finally {
    await stack.stop(processes);
    await postgres?.stop();
    if (postgres) fs.rmSync(postgres.dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
