// What the browser tests of the console share: where Chromium is, a fresh profile at the console
// with what it requested and what went wrong recorded, signing in, and axe-core's checks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../config/index.ts';
import { createLogger } from '../../telemetry/logger.ts';
import { buildActivityDeps } from '../../worker/deps.ts';
import { startApi, type TestApi } from '../helpers/api.ts';
import { startWorker, testClient, uniqueQueue } from '../helpers/temporal.ts';

export const CHROMIUM = process.env.RIPOSTE_CHROMIUM ?? '/usr/bin/chromium';
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/** axe-core's WCAG 2.1 A/AA checks on the page as it is: the serious and critical violations. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

export interface OpenConsole {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Script errors, and answers of 400 or more but the two 401s a signed-out page expects. */
  errors: string[];
}

/**
 * A fresh browser profile at the console (`bypassCSP` lets axe-core's script in), with every
 * request recorded; `consoleErrors` also records what the page logs as an error.
 */
export async function openConsole(browser: Browser, url: string, o: { bypassCSP?: boolean; consoleErrors?: boolean } = {}): Promise<OpenConsole> {
  const context = await browser.newContext(o.bypassCSP ? { bypassCSP: true } : {});
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  // Every answer the page gets is a success, but the two 401s a signed-out page expects:
  // "who am I?" before signing in, and a token that is not valid.
  page.on('response', (r) => {
    const expected = r.status() === 401 && /\/v1\/auth\/(session|sign-in)$/.test(new URL(r.url()).pathname);
    if (r.status() >= 400 && !expected) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  // Chromium logs every failed answer too ("Failed to load resource"): those are judged above.
  if (o.consoleErrors) page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(`console: ${m.text()}`));
  await page.goto(`${url}/`);
  return { page, requests, errors };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Personal token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** What a console test runs against: the API, a real worker (log-only, as `npm start` by default) and Chromium. */
export interface ConsoleStack {
  api: TestApi;
  browser: Browser;
  close(): Promise<void>;
}

export async function startConsoleStack(name: string): Promise<ConsoleStack> {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: node scripts/setup.mjs test installs Debian's chromium`);
  const { client, close: closeClient } = await testClient();
  const taskQueue = uniqueQueue(name);
  // DNS kept on loopback.
  const env = { RIPOSTE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `riposte-${name}-`)), RIPOSTE_DNS_SERVERS: '127.0.0.1:9', RIPOSTE_DNS_TIMEOUT_MS: '200' };
  const { deps } = buildActivityDeps(loadConfig(env), createLogger('silent', `${name}-test`), env);
  const worker = await startWorker({ taskQueue, deps });
  const api = await startApi({ client, taskQueue, record: deps.caseRecord });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  return {
    api,
    browser,
    close: async () => {
      await browser.close();
      await api.close();
      await worker.stop();
      await closeClient();
    },
  };
}
