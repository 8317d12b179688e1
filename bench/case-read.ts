// What reading a case costs: `npm run bench:case-read`. The stack as `npm start` runs it; N
// suspected-C2 cases each waiting at its approval; then R reads of GET /v1/cases/{id} round-robin,
// one at a time: latency p50/p90 and the CPU seconds of the API, the worker and Temporal per read.
// Run it on two commits to compare (the figures in docs/PERFORMANCE.md were taken so).
import os from 'node:os';
import { c2Finding } from '../test/helpers/alerts.ts';
import { cpuSeconds, percentile, startStack } from './stack.ts';

const CASES = Number(process.env.BENCH_CASES ?? 20);
const READS = Number(process.env.BENCH_READS ?? 1000);
const SOURCE = 'bench-source-token-0123456789';
const ANALYST = 'bench-analyst-token-0123456789';

async function call(base: string, method: string, p: string, token: string, body?: unknown): Promise<{ status: number; body: { caseId?: string; status?: string } | undefined }> {
  const res = await fetch(`${base}${p}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as { caseId?: string; status?: string } | undefined };
}

const pct = (xs: number[], p: number) => percentile(xs, p) ?? 0;

async function main(): Promise<void> {
  const stack = await startStack({
    name: 'bench-read',
    env: { RIPOSTE_TOKENS: `${SOURCE}:source,${ANALYST}:analyst`, RIPOSTE_TASK_QUEUE: 'bench-read', RIPOSTE_SWEEP_EVERY: 'off', RIPOSTE_DNS_SERVERS: '127.0.0.1:9', RIPOSTE_DNS_TIMEOUT_MS: '200', RIPOSTE_API_RATE_LIMIT: '0' },
  });
  try {
    const cases: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const posted = await call(stack.base, 'POST', '/v1/alerts', SOURCE, c2Finding({ hostname: `read-${i}.corp.test`, hostIp: `10.44.${i >> 8}.${i & 255}`, remoteIp: `198.51.100.${i % 250}` }));
      if (!posted.body?.caseId) throw new Error(JSON.stringify(posted));
      cases.push(posted.body.caseId);
    }
    for (const id of cases) {
      for (;;) {
        if ((await call(stack.base, 'GET', `/v1/cases/${id}`, ANALYST)).body?.status === 'awaiting_approval') break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await new Promise((r) => setTimeout(r, 3000));
    const pids = { api: stack.api.pid, worker: stack.worker.pid, temporal: stack.server.process.pid };
    const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const ms: number[] = [];
    for (let i = 0; i < READS; i++) {
      const t0 = performance.now();
      const r = await call(stack.base, 'GET', `/v1/cases/${cases[i % cases.length]}`, ANALYST);
      if (r.status !== 200) throw new Error(`read ${i}: ${r.status}`);
      ms.push(performance.now() - t0);
    }
    const per = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, +(((cpuSeconds(pid) - (cpu0[k] ?? 0)) / READS) * 1000).toFixed(3)]));
    const out = { date: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, cases: CASES, reads: READS, latencyMs: { p50: +pct(ms, 0.5).toFixed(2), p90: +pct(ms, 0.9).toFixed(2), max: +Math.max(...ms).toFixed(2) }, cpuMsPerRead: per };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
