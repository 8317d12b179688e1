// Is the console responsive on real volumes? `npm run bench:console`. It fills an alert store with
// BENCH_CASES cases (default 10,000; one triaged alert each, spread over 30 days) and one case of
// BENCH_CASE_ALERTS alerts (default 5,000), all marked as dispatched. Then it starts the stack as
// `npm start` does on that data directory, and measures, over BENCH_RUNS runs each:
// - the API: the inbox's first page (GET /v1/cases?sort=priority&limit=100), its 20th page
//   (followed by cursor), and the big case (GET /v1/cases/{id});
// - Chromium, signed in (playwright-core): the inbox until its 100 rows show; "Show 100 more"
//   until 200 show; the big case's page until its alerts table shows. Also how many rows the page
//   holds, which stays bounded (paged) whatever the store holds.
// The figures are in docs/PERFORMANCE.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../config/index.ts';
import { SqliteAlertStore } from '../store/sqlite.ts';
import type { IngestItem, TriageAssessment } from '../store/types.ts';
import { c2Alert } from '../test/helpers/alerts.ts';
import { percentile, startStack } from './stack.ts';

const CASES = Number(process.env.BENCH_CASES ?? 10_000);
const CASE_ALERTS = Number(process.env.BENCH_CASE_ALERTS ?? 5_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const CHROMIUM = process.env.RIPOSTE_CHROMIUM ?? '/usr/bin/chromium';
const ANALYST = 'bench-analyst-token-0123456789';
const DAY = 86_400_000;

const triage = (priority: number): TriageAssessment => ({ priority, fpLikelihood: 1 - priority / 100, fpBasis: 'bench', unusual: priority > 90, novel: false, critical: [], reasons: [`bench priority ${priority}`, 'High severity'] });

/** The store as weeks of work leave it: every case dispatched long ago. */
async function fill(dataDir: string): Promise<{ bigCase: string; cases: number }> {
  const store = new SqliteAlertStore(loadConfig({ RIPOSTE_DATA_DIR: dataDir }).ingest.storeFile, { synchronous: 'normal' });
  const start = Date.now() - 30 * DAY;
  const caseIds = new Set<string>();
  const policy = (at: number) => ({ now: new Date(at), dedupWindowMs: 60_000, correlationWindowMs: 60_000 });
  for (let i = 0; i < CASES; i += 500) {
    const items: IngestItem[] = [];
    for (let j = i; j < Math.min(CASES, i + 500); j++) {
      const alert = c2Alert({ hostname: `inbox-${j}.corp.test`, hostIp: `10.${60 + (j >> 16)}.${(j >> 8) & 255}.${j & 255}`, remoteIp: `198.${18 + (j >> 16)}.${(j >> 8) & 255}.${j & 255}`, severity_id: 1 + (j % 5) });
      items.push({ alert, raw: '{}', rawTruncated: false, triage: triage((j * 37) % 101) });
    }
    // No two share an entity: each opens its case.
    for (const r of (await store.ingest(items, policy(start + (i / CASES) * 30 * DAY))).results) if (r.caseId) caseIds.add(r.caseId);
  }
  let bigCase = '';
  for (let i = 0; i < CASE_ALERTS; i += 500) {
    const items: IngestItem[] = [];
    for (let j = i; j < Math.min(CASE_ALERTS, i + 500); j++) {
      const alert = c2Alert({ hostname: 'noisy.corp.test', hostIp: '10.99.0.1', remoteIp: `203.0.${113 + (j >> 8)}.${j & 255}` });
      items.push({ alert, raw: JSON.stringify({ n: j }), rawTruncated: false, triage: triage(50) });
    }
    // Half a second apart: within the correlation window, so all join the first one's case.
    const { results } = await store.ingest(items, policy(Date.now() - DAY + i));
    bigCase ||= results[0]?.caseId ?? '';
    for (const r of results) if (r.caseId) caseIds.add(r.caseId);
  }
  for (;;) {
    const pending = await store.pendingCases();
    if (!pending.length) break;
    for (const c of pending) await store.markDispatched((await store.pendingForCase(c, 10_000)).map((r) => r.seq));
  }
  await store.close();
  return { bigCase, cases: caseIds.size };
}

const stats = (ms: number[]) => ({ p50: +(percentile(ms, 0.5) ?? 0).toFixed(1), p90: +(percentile(ms, 0.9) ?? 0).toFixed(1), max: +Math.max(...ms).toFixed(1) });

async function timed(runs: number, fn: () => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: node scripts/setup.mjs test installs it`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-bench-console-'));
  const t0 = performance.now();
  const { bigCase, cases } = await fill(dataDir);
  const fillSeconds = (performance.now() - t0) / 1000;
  const stack = await startStack({ name: 'bench-console', env: { RIPOSTE_DATA_DIR: dataDir, RIPOSTE_TOKENS: `${ANALYST}:analyst`, RIPOSTE_SWEEP_EVERY: 'off', RIPOSTE_API_RATE_LIMIT: '0', RIPOSTE_TASK_QUEUE: 'bench-console' } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const get = async (p: string) => {
      const res = await fetch(`${stack.base}${p}`, { headers: { authorization: `Bearer ${ANALYST}` } });
      if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { cases: unknown[]; next?: string; alerts?: unknown[]; alertCount?: number };
    };
    // The API: the first page, the 20th page by cursor, the big case.
    const firstPage = await timed(RUNS, async () => void (await get('/v1/cases?sort=priority&limit=100')));
    let cursor: string | undefined;
    for (let page = 0; page < 19; page++) cursor = (await get(`/v1/cases?sort=priority&limit=100${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`)).next;
    const deepPage = await timed(RUNS, async () => void (await get(`/v1/cases?sort=priority&limit=100&before=${encodeURIComponent(cursor as string)}`)));
    const big = await get(`/v1/cases/${bigCase}`);
    const bigRead = await timed(RUNS, async () => void (await get(`/v1/cases/${bigCase}`)));

    // Chromium: one signed-in profile, pages loaded afresh each run.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.base}/`);
    await page.getByLabel('Personal token').fill(ANALYST);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The page holds the rows it shows: a page of 100, then 200 (read through the cursor).
    const rows = page.locator('table.cases tbody tr');
    await rows.first().waitFor();
    const inbox = await timed(RUNS, async () => {
      await page.goto(`${stack.base}/?run=${Math.random()}#/`);
      await rows.nth(99).waitFor();
    });
    const more = await timed(RUNS, async () => {
      await page.goto(`${stack.base}/?run=${Math.random()}#/`);
      await rows.nth(99).waitFor();
      await page.getByRole('button', { name: 'Show 100 more' }).click();
      await rows.nth(199).waitFor();
    });
    const casePage = await timed(RUNS, async () => {
      await page.goto(`${stack.base}/?run=${Math.random()}#/cases/${bigCase}`);
      await page.getByRole('heading', { name: 'Alerts' }).waitFor();
      await page.locator('[data-alert-id]').first().waitFor();
    });
    const rowsShown = await page.locator('[data-alert-id]').count();
    const out = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, Chromium ${browser.version()}`,
      store: { cases, bigCaseAlerts: big.alertCount, fillSeconds: +fillSeconds.toFixed(1) },
      apiMs: { inboxFirstPage: stats(firstPage), inboxPage20: stats(deepPage), bigCase: stats(bigRead) },
      browserMs: { inboxTo100Rows: stats(inbox), inboxLoadAndShowMore: stats(more), bigCasePage: stats(casePage) },
      bigCaseAlertsShown: { api: big.alerts?.length, page: rowsShown },
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await browser.close();
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
