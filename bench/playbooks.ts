// `npm run bench:playbooks`: what each playbook costs and how fast it answers, on the real stack
// (a Temporal dev server on a WAL SQLite file, the worker and the API as separate processes, as
// `npm start` runs them; log-only containment; no vendor configured — the embedded default).
//   1. alert → awaiting approval: alerts posted over HTTP one at a time; the case read every 25 ms
//      until its playbook asks (or closes); p50 / p90 / max.
//   2. cost per run: BENCH_RUNS alerts per playbook; once every run waits for its approval, the
//      worker's resident memory per open run; then an analyst reads each case and approves; CPU
//      seconds per run of the worker, Temporal and the API, and the history events of a run.
// Options: BENCH_RUNS (100), BENCH_LATENCY_RUNS (10). Results: bench/results/playbooks-<date>.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PLAYBOOK_ALERTS } from '../test/helpers/playbook-alerts.ts';
import { cpuSeconds, percentile, root, settledRss, startStack, untilQuiet } from './stack.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 10);
const SOURCE = 'bench-source-token-0123456789';
const ANALYST = 'bench-analyst-token-0123456789';

/** The parts of the API's answers the benchmark reads. */
interface Answer {
  caseId?: string;
  results?: Array<{ caseId?: string }>;
  status?: string;
  playbooks?: Array<{ playbook: string }>;
  pendingApprovals?: Array<{ id: string }>;
}

async function api(base: string, method: string, p: string, token: string, body?: unknown): Promise<{ status: number; body: Answer | undefined }> {
  const res = await fetch(`${base}${p}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Answer | undefined };
}

const waiting = (c: Answer | undefined) => c?.status === 'awaiting_approval' || c?.status === 'closed' || c?.status === 'contained' || c?.status === 'failed';

const pct = (xs: number[], p: number) => percentile(xs, p) ?? 0;

async function main(): Promise<void> {
  const stack = await startStack({
    name: 'bench-pb',
    env: {
      RIPOSTE_TOKENS: `${SOURCE}:source,${ANALYST}:analyst`,
      RIPOSTE_TASK_QUEUE: 'bench-playbooks',
      RIPOSTE_SWEEP_EVERY: 'off',
      RIPOSTE_DNS_SERVERS: '127.0.0.1:9',
      RIPOSTE_DNS_TIMEOUT_MS: '200',
      // The benchmark polls cases every 25 ms: no per-client limit.
      RIPOSTE_API_RATE_LIMIT: '0',
    },
  });
  const { base } = stack;
  const connection = await Connection.connect({ address: stack.server.address });
  const client = new Client({ connection });
  const results: Record<string, unknown>[] = [];
  try {
    const pids = { worker: stack.worker.pid, temporal: stack.server.process.pid, api: stack.api.pid };
    let n = 0;
    for (const kind of PLAYBOOK_ALERTS) {
      // 1. Alert → awaiting approval (or closed, for a playbook that decides not to ask).
      const latencies: number[] = [];
      const outcomes: Record<string, number> = {};
      for (let i = 0; i < LATENCY_RUNS; i++) {
        const { path: p, body } = kind.alert(n++);
        const t0 = performance.now();
        const posted = await api(base, 'POST', p, SOURCE, body);
        const caseId = posted.body?.caseId ?? posted.body?.results?.[0]?.caseId;
        if (!caseId) throw new Error(`${kind.playbook}: ${JSON.stringify(posted)}`);
        for (;;) {
          const c = (await api(base, 'GET', `/v1/cases/${caseId}`, ANALYST)).body;
          if (c?.playbooks?.some((pb: { playbook: string }) => pb.playbook === kind.playbook) && waiting(c)) {
            latencies.push(performance.now() - t0);
            outcomes[c.status as string] = (outcomes[c.status as string] ?? 0) + 1;
            break;
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      await untilQuiet(Object.values(pids));

      // 2. Cost per run: N alerts, every run at its approval; memory; then the analyst's read and approval; CPU.
      const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
      const rss0 = await settledRss(pids.worker);
      const cases: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const { path: p, body } = kind.alert(n++);
        const posted = await api(base, 'POST', p, SOURCE, body);
        cases.push((posted.body?.caseId ?? posted.body?.results?.[0]?.caseId) as string);
        await new Promise((r) => setTimeout(r, 100));
      }
      await untilQuiet(Object.values(pids));
      const rssOpen = await settledRss(pids.worker);
      let asked = 0;
      for (const caseId of cases) {
        const c = (await api(base, 'GET', `/v1/cases/${caseId}`, ANALYST)).body;
        for (const a of c?.pendingApprovals ?? []) {
          asked += 1;
          await api(base, 'POST', `/v1/cases/${caseId}/approvals/${a.id}`, ANALYST, { decision: 'approve' });
        }
      }
      await untilQuiet(Object.values(pids));
      const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, +((cpuSeconds(pid) - (cpu0[k] ?? 0)) / RUNS).toFixed(3)]));
      const runs = [];
      for await (const w of client.workflow.list({ query: `WorkflowId STARTS_WITH "${kind.playbook}-cs_"` })) runs.push(w.workflowId);
      const lengths = await Promise.all(runs.slice(-10).map(async (id) => (await client.workflow.getHandle(id).describe()).historyLength));
      const row = {
        playbook: kind.playbook,
        alertToApprovalMs: { p50: +pct(latencies, 0.5).toFixed(0), p90: +pct(latencies, 0.9).toFixed(0), max: +Math.max(...latencies).toFixed(0), outcomes },
        runs: RUNS,
        asked,
        cpuSecondsPerRun: cpu,
        workerMiBPerOpenRun: +((rssOpen - rss0) / RUNS).toFixed(2),
        historyEventsPerRun: lengths.length ? Math.round(lengths.reduce((a, b) => a + b, 0) / lengths.length) : 0,
      };
      results.push(row);
      console.log(
        `${kind.playbook.padEnd(26)} alert→${Object.keys(outcomes).join('/')} p50 ${row.alertToApprovalMs.p50} ms, p90 ${row.alertToApprovalMs.p90} ms | per run: worker ${cpu.worker} CPU-s, Temporal ${cpu.temporal}, API ${cpu.api}; ` +
          `${row.workerMiBPerOpenRun} MiB worker memory per open run; ${row.historyEventsPerRun} history events (${asked}/${RUNS} asked)`
      );
    }
    const report = { date: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, runs: RUNS, latencyRuns: LATENCY_RUNS, results };
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    const file = path.join(root, 'bench/results', `playbooks-${report.date.slice(0, 10)}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nfull results: ${path.relative(root, file)}`);
  } finally {
    await connection.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
