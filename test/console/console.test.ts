// The analyst console in a real browser: Debian's Chromium, driven by playwright-core, against
// the API on loopback (its case list read from the real store; Temporal's dev server behind it).
// What an analyst does first: sign in with a token, see cases arrive, sign out — and what must
// not work: a bad token, a write without the CSRF token, the session cookie read by a script.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';
import { accessibilityProblems, openConsole as openConsoleAt, signIn, startConsoleStack, type ConsoleStack } from './harness.ts';

describe('the console in Chromium', () => {
  let api: TestApi;
  let browser: Browser;

  let stack: ConsoleStack;
  before(async () => {
    stack = await startConsoleStack('console');
    ({ api, browser } = stack);
  });
  after(() => stack?.close());

  /** A fresh browser profile at the console, with every request it makes recorded. */
  const openConsole = (): Promise<{ page: Page; requests: string[]; errors: string[] }> => openConsoleAt(browser, api.url);

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
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: { ...c2Finding({ uid: `console-${Date.now()}`, hostname: 'console-host', hostIp: '10.77.0.1', remoteIp: '198.51.100.11' }), finding_info: { uid: `console-${Date.now()}`, title } } });
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const row = page.locator(`tr[data-case-id="${posted.body.caseId as string}"]`);
    await row.waitFor({ timeout: 5_000 }); // live: the page reads again only every 30 s by itself
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

  it('lets an analyst approve a containment and undo it, and a viewer neither (no button; 403 if they try)', async () => {
    const uid = `console-approve-${Date.now()}`;
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid, hostname: 'console-web-1', hostIp: '10.77.0.2', remoteIp: '198.51.100.22', severity_id: 4 }) });
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const caseId = posted.body.caseId as string;

    const analyst = await openConsole();
    await signIn(analyst.page, TOKENS.analyst);
    await analyst.page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await analyst.page.locator(`tr[data-case-id="${caseId}"] a`).click({ timeout: 15_000 });
    const approval = analyst.page.locator('.approval');
    await approval.waitFor({ timeout: 30_000 }); // the playbook asks
    assert.match(await analyst.page.getByTestId('case-status').innerText(), /Awaiting approval/);

    // A viewer sees what waits, and no way to decide it; the API refuses them all the same.
    const viewer = await openConsole();
    await signIn(viewer.page, TOKENS.viewer);
    await viewer.page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await viewer.page.goto(`${api.url}/#/cases/${caseId}`);
    await viewer.page.locator('.approval').waitFor();
    assert.equal(await viewer.page.getByRole('button', { name: 'Approve' }).count(), 0, 'no Approve button for a viewer');
    assert.match(await viewer.page.locator('.approval').innerText(), /Your role cannot decide approvals/);
    const approvalId = await viewer.page.locator('.approval').getAttribute('data-approval-id');
    const forced = await viewer.page.evaluate<number>(`(async () => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('riposte_csrf=')).slice('riposte_csrf='.length);
      const r = await fetch('/v1/cases/${caseId}/approvals/${approvalId ?? ''}', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) }, body: JSON.stringify({ decision: 'approve' }) });
      return r.status;
    })()`);
    assert.equal(forced, 403, 'the API refuses a viewer’s approval');
    await viewer.page.context().close();

    await analyst.page.getByLabel('Comment').first().fill('seen the beacon; block it');
    await analyst.page.getByRole('button', { name: 'Approve' }).click();
    await analyst.page.getByTestId('case-status').filter({ hasText: 'Contained' }).waitFor({ timeout: 30_000 });
    const action = analyst.page.locator('ul.actions li').first();
    await action.filter({ hasText: 'simulated: nothing changed' }).waitFor({ timeout: 15_000 });
    assert.match(await analyst.page.locator('.decided').first().innerText(), /approved by alice/);

    await action.getByRole('button', { name: 'Undo' }).click();
    await analyst.page.locator('ul.actions li').first().filter({ hasText: 'undone' }).waitFor({ timeout: 30_000 });
    const record = await api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst });
    assert.deepEqual(record.body.actions.map((a: { status: string; undone?: { by: string } }) => [a.status, a.undone?.by]), [['undone', 'alice']], 'the API says the same: undone by alice');

    // Take it, say why, read the alert as the source sent it, and the report.
    await analyst.page.getByRole('button', { name: 'Assign to me' }).click();
    await analyst.page.getByTestId('case-assignee').filter({ hasText: 'alice' }).waitFor();
    await analyst.page.getByLabel('New comment').fill('beacon every 60 s since 09:12');
    await analyst.page.getByRole('button', { name: 'Add comment' }).click();
    await analyst.page.locator('ul.comments li').filter({ hasText: 'beacon every 60 s since 09:12' }).waitFor();
    await analyst.page.getByRole('button', { name: 'Raw payload' }).first().click();
    assert.match(await analyst.page.locator('pre.raw').innerText(), new RegExp(uid), 'the raw payload, as the source sent it');
    const report = await analyst.page.context().request.get(`${api.url}/v1/cases/${caseId}/report?format=markdown`);
    assert.equal(report.status(), 200, 'the report link works with the session');
    assert.match(await report.text(), /alice/, 'the report names who approved');

    // The verdict: a false positive closes the case.
    await analyst.page.getByRole('combobox', { name: 'Verdict' }).selectOption('false_positive');
    await analyst.page.getByRole('button', { name: 'Record verdict' }).click();
    await analyst.page.getByTestId('case-status').filter({ hasText: 'Closed' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(analyst.errors, [], 'no script errors, no failed requests');
    await analyst.page.context().close();
  });

  it('filters the inbox as the API does, and opens a case from the keyboard', async () => {
    const post = async (n: number) =>
      (await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `console-kbd-${n}-${Date.now()}`, hostname: `console-kbd-${n}`, hostIp: `10.77.1.${n}`, remoteIp: `198.51.100.${100 + n}`, severity_id: n === 1 ? 2 : 5 }) })).body.caseId as string;
    const low = await post(1);
    const critical = await post(2);
    const { page, errors } = await openConsole();
    await signIn(page, TOKENS.analyst);
    await page.locator(`tr[data-case-id="${critical}"]`).waitFor({ timeout: 15_000 });

    await page.getByLabel('Host, user or address').fill('host:console-kbd-1');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`tr[data-case-id="${critical}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id'))), [low], 'only the case naming that host');

    await page.getByLabel('Host, user or address').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Severity at least').selectOption('5');
    await page.locator(`tr[data-case-id="${low}"]`).waitFor({ state: 'detached' });
    assert.equal(await page.locator(`tr[data-case-id="${critical}"]`).count(), 1, 'the critical case stays');
    await page.getByLabel('Status').selectOption('closed');
    await page.getByText('No case matches.').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Severity at least').selectOption('');

    // From the keyboard: the first row is selected; k stays there, j moves down, Enter opens.
    await page.locator(`tr[data-case-id="${low}"]`).waitFor();
    await page.locator('h1').click();
    const ids = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')));
    assert.ok(ids.length >= 2, `both cases listed: ${JSON.stringify(ids)}`);
    await page.keyboard.press('k');
    assert.equal(await page.locator('tr[aria-current="true"]').getAttribute('data-case-id'), ids[0]);
    await page.keyboard.press('j');
    assert.equal(await page.locator('tr[aria-current="true"]').getAttribute('data-case-id'), ids[1]);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/#/cases/${ids[1] ?? ''}`);
    await page.locator('#case-title').waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('orders the inbox by triage priority, each case saying why; newest first on demand', async () => {
    const post = async (n: number, severity_id: number) =>
      (await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `console-tri-${n}-${Date.now()}`, hostname: `console-tri-${n}`, hostIp: `10.77.2.${n}`, remoteIp: `198.51.100.${150 + n}`, severity_id }) })).body.caseId as string;
    const critical = await post(1, 5);
    const low = await post(2, 2);
    const { page, errors } = await openConsole();
    await signIn(page, TOKENS.analyst);
    await page.locator(`tr[data-case-id="${low}"]`).waitFor({ timeout: 15_000 });
    const order = () => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')));
    let ids = await order();
    assert.ok(ids.indexOf(critical) < ids.indexOf(low), `by priority: the critical case first, though older (${JSON.stringify(ids)})`);
    const listed = (await api.request('GET', `/v1/cases/${critical}`, { token: TOKENS.analyst })).body;
    const row = page.locator(`tr[data-case-id="${critical}"]`);
    assert.equal(await row.locator('.priority').textContent(), String(listed.priority), 'the row shows the priority the API gives');
    assert.match((await row.locator('.why').textContent()) ?? '', /Critical severity/, 'and why');

    await page.getByLabel('Order').selectOption('newest');
    for (let i = 0; i < 50 && (ids = await order()).indexOf(low) > ids.indexOf(critical); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ids.indexOf(low) < ids.indexOf(critical), `newest first: the low case first (${JSON.stringify(ids)})`);

    await page.locator(`tr[data-case-id="${critical}"] a.title`).click();
    const triage = page.getByRole('region', { name: 'Triage' });
    await triage.waitFor();
    assert.match((await triage.textContent()) ?? '', new RegExp(`Priority ${listed.priority} of 100.*False-positive likelihood \\d+%`), 'the case page shows the priority and the likelihood');
    assert.ok((await triage.locator('ol.reasons li').count()) >= 2, 'with every reason');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('lets an analyst tag, hand over, close and reopen a case, with its service levels in view', async () => {
    const caseId = (await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `console-mgmt-${Date.now()}`, hostname: 'console-mgmt', hostIp: '10.77.3.1', remoteIp: '198.51.100.171', severity_id: 5 }) })).body.caseId as string;
    const read = async () => (await api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst })).body;
    const { page, errors } = await openConsole();
    await signIn(page, TOKENS.analyst);
    await page.goto(`${api.url}/#/cases/${caseId}`);
    await page.locator('#case-title').waitFor();
    assert.match((await page.getByTestId('sla-acknowledge').textContent()) ?? '', /^due in \d+ min$/, 'a critical case is due to be acknowledged within minutes');

    await page.getByLabel('Add tag').fill('beaconing');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: 'Remove tag beaconing' }).waitFor();
    assert.deepEqual((await read()).tags, ['beaconing']);
    await page.getByRole('button', { name: 'Remove tag beaconing' }).click();
    await page.getByRole('button', { name: 'Remove tag beaconing' }).waitFor({ state: 'detached' });
    assert.deepEqual((await read()).tags, []);

    await page.getByLabel('Assign to').fill('bob');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByTestId('case-assignee').getByText('bob').waitFor();
    assert.equal((await read()).assignee, 'bob');
    assert.match((await page.getByTestId('sla-acknowledge').textContent()) ?? '', /^met$/, 'handing it over acknowledged it');

    await page.getByLabel('Resolution').fill('lab host, reimaged');
    await page.getByRole('button', { name: 'Close the case' }).click();
    await page.getByTestId('case-resolution').waitFor();
    assert.match((await page.getByTestId('case-resolution').textContent()) ?? '', /^Closed by alice .*: lab host, reimaged/);
    assert.equal((await read()).resolution.text, 'lab host, reimaged');
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByLabel('Resolution').waitFor();
    assert.equal((await read()).resolution, undefined);
    assert.ok(await page.getByRole('heading', { name: 'Hunt sightings' }).isVisible(), 'the sightings section');
    assert.ok(await page.getByRole('heading', { name: 'Evidence' }).isVisible(), 'the evidence section');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('passes automated accessibility checks (axe-core) on every page', async () => {
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `console-a11y-${Date.now()}`, hostname: 'console-a11y', hostIp: '10.77.0.3', remoteIp: '198.51.100.33', severity_id: 4 }) });
    const caseId = posted.body.caseId as string;
    // axe is injected as a script: this browser profile lets it past the console's CSP.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${api.url}/`);
    await page.getByLabel('Personal token').waitFor();
    const problems: Record<string, string[]> = { 'sign-in': await accessibilityProblems(page) };
    await signIn(page, TOKENS.analyst);
    await page.locator(`tr[data-case-id="${caseId}"]`).waitFor({ timeout: 15_000 });
    problems.inbox = await accessibilityProblems(page);
    await page.goto(`${api.url}/#/cases/${caseId}`);
    await page.locator('.approval').waitFor({ timeout: 30_000 });
    problems.case = await accessibilityProblems(page);
    assert.deepEqual(problems, { 'sign-in': [], inbox: [], case: [] }, 'no serious or critical accessibility violations');
    await context.close();
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
