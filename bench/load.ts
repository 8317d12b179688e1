// The load generator, run as its own process so it does not share an event loop with what it
// measures. Sends signed OCSF alerts over loopback keep-alive connections and reports, as one
// JSON line on stdout: requests, acknowledged, errors, rate, and acknowledgement latency.
//   open loop:   {"mode":"rate","rate":2000,"seconds":30}   — a fixed offered rate
//   closed loop: {"mode":"peak","concurrency":64,"seconds":15} — as fast as answers come
//   storm:       {"mode":"storm","count":10000,"concurrency":64} — one detection, repeated
// With "batch": n, each request carries n alerts (a JSON array to /v1/alerts/ocsf).
import { createHmac } from 'node:crypto';
import http from 'node:http';

interface Options {
  url: string;
  mode: 'rate' | 'peak' | 'storm';
  rate?: number;
  seconds?: number;
  concurrency?: number;
  count?: number;
  hosts?: number;
  batch?: number;
  secret?: string;
  token?: string;
  run: string;
}

const o = JSON.parse(process.argv[2] as string) as Options;
const target = new URL(o.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency ?? 256 });
const latencies: number[] = [];
const statuses: Record<number, number> = {};
const alertIds = new Set<string>();
const caseIds = new Set<string>();
let errors = 0;
let sent = 0;
let alertsAcked = 0;
const batch = o.batch ?? 1;

function body(i: number): string {
  if (batch > 1) return `[${Array.from({ length: batch }, (_, k) => finding(i * batch + k)).join(',')}]`;
  return finding(i);
}

function finding(i: number): string {
  // A storm is one detection on one host of its own; otherwise alerts spread over `hosts` hosts.
  const host = o.mode === 'storm' ? 4095 : i % (o.hosts ?? 50);
  return JSON.stringify({
    class_uid: 2004,
    time: Date.now(),
    severity_id: 1,
    finding_info: { uid: `${o.run}-${i}`, title: 'Bench: outbound connection', analytic: { name: 'bench-rule' } },
    evidences: [
      {
        src_endpoint: { ip: `10.200.${host >> 8}.${host & 255}`, hostname: `bench-${host}` },
        ...(o.mode === 'storm' ? {} : { actor: { user: { name: `${o.run}-user-${i}` } } }),
      },
    ],
  });
}

function send(i: number): Promise<void> {
  const payload = body(i);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) };
  if (o.secret) {
    const t = Math.floor(Date.now() / 1000);
    headers['x-riposte-signature'] = `t=${t},v1=${createHmac('sha256', o.secret).update(`${t}.${payload}`).digest('hex')}`;
  } else if (o.token) headers.authorization = `Bearer ${o.token}`;
  const started = process.hrtime.bigint();
  sent += 1;
  return new Promise((resolve) => {
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
        if (res.statusCode === 202) {
          const b = JSON.parse(text) as { alertId: string; caseId: string | null; results?: Array<{ alertId?: string; caseId?: string | null }> };
          for (const r of b.results ?? [b]) {
            if (!r.alertId) continue;
            alertsAcked += 1;
            alertIds.add(r.alertId);
            if (r.caseId) caseIds.add(r.caseId);
          }
        }
        resolve();
      });
    });
    req.on('error', () => {
      errors += 1;
      resolve();
    });
    req.end(payload);
  });
}

async function closedLoop(concurrency: number, until: (i: number) => boolean): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (!until(i)) return;
        await send(i);
      }
    })
  );
}

async function openLoop(rate: number, seconds: number): Promise<void> {
  const start = Date.now();
  const inflight = new Set<Promise<void>>();
  let i = 0;
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * rate);
    while (i < due && inflight.size < 2048) {
      const p = send(i++).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
}

const started = Date.now();
if (o.mode === 'rate') await openLoop(o.rate ?? 2000, o.seconds ?? 30);
else if (o.mode === 'peak') await closedLoop(o.concurrency ?? 64, () => Date.now() - started < (o.seconds ?? 15) * 1000);
else await closedLoop(o.concurrency ?? 64, (i) => i < (o.count ?? 10_000));
const elapsed = (Date.now() - started) / 1000;

latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
const acked = statuses[202] ?? 0;
console.log(
  JSON.stringify({
    mode: o.mode,
    seconds: elapsed,
    requests: sent,
    acked,
    statuses,
    errors,
    ackedPerSecond: acked / elapsed,
    alertsAcked,
    alertsPerSecond: alertsAcked / elapsed,
    requestsPerSecond: latencies.length / elapsed,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: latencies.at(-1),
    alertIds: alertIds.size,
    caseIds: [...caseIds],
  })
);
agent.destroy();
