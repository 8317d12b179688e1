// The analyst console in a real browser: Debian's Chromium, driven by playwright-core, against
// the API on loopback (its case list read from the real store; Temporal's dev server behind it).
// What an analyst does first: sign in with a token, see cases arrive, sign out — and what must
// not work: a bad token, a write without the CSRF token, the session cookie read by a script.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

const CHROMIUM = process.env.RIPOSTE_CHROMIUM ?? '/usr/bin/chromium';

describe('the console in Chromium', () => {
  let api: TestApi;
  let browser: Browser;
  let closeClient: () => Promise<void>;

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: node scripts/setup.mjs test installs Debian's chromium`);
    const { client, close } = await testClient();
    closeClient = close;
    api = await startApi({ client, taskQueue: uniqueQueue('console') });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    await closeClient?.();
  });

  /** A fresh browser profile at the console, with every request it makes recorded. */
  async function openConsole(): Promise<{ page: Page; requests: string[]; errors: string[] }> {
    const context = await browser.newContext();
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
    await page.goto(`${api.url}/`);
    return { page, requests, errors };
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.getByLabel('Personal token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in with a token, shows a new case without a reload, and signs out', async () => {
    const { page, requests, errors } = await openConsole();
    await signIn(page, 'not-a-token-at-all-0123456789');
    await page.getByRole('alert').filter({ hasText: 'That token is not valid.' }).waitFor();

    await signIn(page, TOKENS.analyst);
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    assert.match(await page.locator('.who').innerText(), /alice\s+\(analyst\)/, 'the bar names who is signed in, and their role');

    // The session is an HttpOnly cookie: the page's scripts see only the CSRF token, never the session or the token.
    // (Page code as strings: this project's types are Node's, not the DOM's.)
    const visible = await page.evaluate<string>('document.cookie');
    assert.match(visible, /riposte_csrf=/, 'the CSRF cookie is readable, to repeat on writes');
    assert.doesNotMatch(visible, /riposte_session/, 'the session cookie is HttpOnly');
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })');
    assert.ok(!stored.includes(TOKENS.analyst), 'the token is kept nowhere in the page');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'riposte_session');
    assert.ok(session?.httpOnly && session.sameSite === 'Lax', `the session cookie is HttpOnly and SameSite=Lax: ${JSON.stringify(session)}`);

    // An alert arrives while the inbox is open: its case shows up by itself.
    const title = `Beacon from console-host-${Date.now()}`;
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: { ...c2Finding({ uid: `console-${Date.now()}`, hostname: 'console-host' }), finding_info: { uid: `console-${Date.now()}`, title } } });
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const row = page.locator(`tr[data-case-id="${posted.body.caseId as string}"]`);
    await row.waitFor({ timeout: 15_000 });
    assert.match(await row.innerText(), /High/, 'the row shows the severity by name');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Personal token').waitFor();
    await page.reload();
    await page.getByLabel('Personal token').waitFor(); // the session ended on the server, not only in the page

    assert.deepEqual(errors, [], 'no script errors');
    const elsewhere = requests.filter((u) => !u.startsWith(api.url));
    assert.deepEqual(elsewhere, [], 'everything the console loads comes from the API (no CDN)');
    await page.context().close();
  });

  it('refuses a write made with the session cookie but without its CSRF token', async () => {
    const { page } = await openConsole();
    await signIn(page, TOKENS.viewer);
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const attempt = await page.evaluate<{ bare: number; wrong: number; still: number; who: string }>(`(async () => {
      // What a forged request rides on: the cookie alone, or a guessed token.
      const bare = await fetch('/v1/auth/logout', { method: 'POST', credentials: 'same-origin' });
      const wrong = await fetch('/v1/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': 'x'.repeat(32) } });
      const still = await fetch('/v1/auth/session', { credentials: 'same-origin' });
      return { bare: bare.status, wrong: wrong.status, still: still.status, who: (await still.json()).name };
    })()`);
    assert.deepEqual(attempt, { bare: 403, wrong: 403, still: 200, who: 'victor' }, 'both forged writes are refused and the session lives on');
    const refused = await api.audit.list({ actor: 'victor', limit: 10 });
    assert.ok(refused.some((e) => e.action === 'signOut' && e.outcome === 'refused'), `the refusals are in the audit trail: ${JSON.stringify(refused.map((e) => [e.action, e.outcome]))}`);
    await page.context().close();
  });

  it('serves its page with a strict content security policy', async () => {
    const res = await fetch(`${api.url}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/, csp);
    assert.match(csp, /script-src 'self'/, csp);
    assert.match(csp, /frame-ancestors 'none'/, csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, 'no inline script or eval allowed');
  });
});

describe('POST /v1/auth/sign-in', () => {
  let api: TestApi;
  let closeClient: () => Promise<void>;
  before(async () => {
    const { client, close } = await testClient();
    closeClient = close;
    api = await startApi({ client, taskQueue: uniqueQueue('sign-in') });
  });
  after(async () => {
    await api?.close();
    await closeClient?.();
  });

  it('turns a person’s token into a session cookie, audited; refuses sources, nobody and sessions', async () => {
    const res = await api.request('POST', '/v1/auth/sign-in', { token: TOKENS.admin });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.name, 'ada');
    assert.equal(res.body.role, 'admin');
    assert.equal(res.body.token, undefined, 'the session token is only in the HttpOnly cookie');
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('riposte_session='));
    assert.match(session ?? '', /HttpOnly/i);
    assert.match(session ?? '', /SameSite=Lax/i);
    assert.doesNotMatch(session ?? '', /Secure/i, 'plain http on loopback: not Secure');
    const value = /riposte_session=([^;]+)/.exec(session ?? '')?.[1] as string;
    const who = await api.request('GET', '/v1/auth/session', { headers: { cookie: `riposte_session=${value}` } });
    assert.deepEqual([who.status, who.body.name, who.body.kind], [200, 'ada', 'session']);

    const tls = await api.request('POST', '/v1/auth/sign-in', { token: TOKENS.analyst, headers: { 'x-forwarded-proto': 'https' } });
    assert.match(tls.headers.getSetCookie().find((c) => c.startsWith('riposte_session=')) ?? '', /Secure/, 'behind TLS the cookie is Secure');

    assert.equal((await api.request('POST', '/v1/auth/sign-in', { token: TOKENS.source })).status, 403, 'a source token signs nobody in');
    assert.equal((await api.request('POST', '/v1/auth/sign-in')).status, 401);
    assert.equal((await api.request('POST', '/v1/auth/sign-in', { token: value })).status, 409, 'a session does not start another');

    const entries = await api.audit.list({ actor: 'ada', limit: 10 });
    assert.ok(entries.some((e) => e.action === 'signInWithToken' && e.outcome === 'ok'), `the sign-in is audited: ${JSON.stringify(entries.map((e) => e.action))}`);
  });
});
