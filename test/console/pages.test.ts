// The console's other pages in a real browser (Debian's Chromium, playwright-core) against the API
// on loopback, a real worker and Temporal's dev server: alerts, suppressions, playbooks,
// integrations, metrics and admin — what an analyst does there, what a viewer and an analyst may
// not, and that each page passes axe-core's WCAG 2.1 A/AA checks with no failed request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { c2Finding } from '../helpers/alerts.ts';
import { TOKENS, type TestApi } from '../helpers/api.ts';
import { accessibilityProblems, openConsole, signIn, startConsoleStack, type ConsoleStack, type OpenConsole } from './harness.ts';

describe('the console pages in Chromium', () => {
  let api: TestApi;
  let browser: Browser;
  let n = 0;
  /** A name no other test (or run) uses. */
  const unique = (what: string) => `${what}-${Date.now().toString(36)}-${++n}`;

  let stack: ConsoleStack;
  before(async () => {
    stack = await startConsoleStack('console-pages');
    ({ api, browser } = stack);
  });
  after(() => stack?.close());

  /** Signed in as `token`, at `#<hash>`; every failed request and console error recorded. */
  async function at(hash: string, token: string, o: { bypassCSP?: boolean } = {}): Promise<OpenConsole> {
    const c = await openConsole(browser, api.url, { consoleErrors: true, ...o });
    await signIn(c.page, token);
    await c.page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await c.page.goto(`${api.url}/#${hash}`);
    return c;
  }

  async function postAlert(o: { uid: string; hostname: string; hostIp: string; remoteIp: string; severity_id?: number }) {
    const res = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding(o) });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body as { alertId: string; caseId: string | null; outcome: string; suppressedBy?: string };
  }

  /** A false-positive verdict on a new case of `hostname`: the rule it suggests. */
  async function suggestion(hostname: string): Promise<{ ruleId: string; caseId: string; alert: { uid: string; hostname: string; hostIp: string; remoteIp: string } }> {
    // Addresses of its own, so it opens a case of its own.
    const alert = { uid: unique('fp'), hostname, hostIp: `10.78.0.${n}`, remoteIp: `198.51.100.${100 + n}` };
    const { caseId } = await postAlert(alert);
    assert.ok(caseId, 'the first alert opens a case');
    const verdict = await api.request('POST', `/v1/cases/${caseId}/verdict`, { token: TOKENS.analyst, body: { verdict: 'false_positive', comment: 'the backup job beacons home' } });
    assert.equal(verdict.status, 200, JSON.stringify(verdict.body));
    const rule = (verdict.body.suggestedSuppressions as Array<{ id: string; match: { host?: string } }>).find((r) => r.match.host === hostname);
    assert.ok(rule, `the verdict suggests a rule for ${hostname}: ${JSON.stringify(verdict.body.suggestedSuppressions)}`);
    return { ruleId: rule.id, caseId, alert };
  }

  const text = (page: Page, selector: string) => page.locator(selector).innerText();

  it('activate a suggested suppression and see the next identical alert suppressed', async () => {
    const host = unique('pages-backup');
    const { ruleId, caseId, alert } = await suggestion(host);

    const { page, errors } = await at('/suppressions', TOKENS.analyst);
    const card = page.locator(`.suggestion[data-rule-id="${ruleId}"]`);
    await card.waitFor();
    const evidence = await card.innerText();
    assert.match(evidence, new RegExp(`Rule “Periodic beacon” on host ${host}`), 'the suggestion says what it would match');
    assert.match(evidence, new RegExp(`case ${caseId}`), 'and names the case whose verdict suggested it');
    assert.match(evidence, /the backup job beacons home/, 'with the analyst’s reason');
    assert.match(await card.getByTestId('evidence').innerText(), new RegExp(`1 alert of rule "Periodic beacon" on ${host} in the last 7 days`), 'its evidence: the alerts it would have held back');
    // From the keyboard: the button takes the focus and Enter presses it.
    await card.getByRole('button', { name: 'Activate' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `Rule ${ruleId} is active` }).waitFor();
    const row = page.locator(`tr[data-rule-id="${ruleId}"]`);
    assert.match(await row.innerText(), /active \(activated by alice\)/, 'the rule is listed as active, with who activated it');
    assert.equal(await card.count(), 0, 'it no longer waits for review');

    // The same alert again (a new occurrence: its own id) is held back by that rule.
    const againUid = unique('fp-again');
    const again = await postAlert({ ...alert, uid: againUid });
    assert.deepEqual([again.outcome, again.suppressedBy, again.caseId], ['suppressed', ruleId, null], 'the identical alert is suppressed by the activated rule and opens no case');

    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.getByLabel('Suppression').selectOption('true');
    const line = page.locator(`tr[data-alert-id="${again.alertId}"]`);
    await line.waitFor();
    const outcome = await line.locator('td.outcome').innerText();
    assert.match(outcome, new RegExp(`Suppressed by ${ruleId}`), 'the alerts page says it was suppressed, and by which rule');
    assert.match(outcome, /false positive on case/, 'and why (the rule’s reason)');
    await line.getByRole('button', { name: 'Raw payload' }).focus();
    await page.keyboard.press('Space');
    assert.match(await text(page, 'pre.raw'), new RegExp(againUid), 'the raw payload as the source sent it, on demand');

    // From the alert to its rule: the rule is found and shown.
    await line.getByRole('link', { name: ruleId }).click();
    await page.locator(`tr[data-rule-id="${ruleId}"].selected`).waitFor();
    assert.equal(await page.locator(`tr[data-rule-id="${ruleId}"]`).getByRole('link', { name: '1', exact: true }).count(), 1, 'its hit is counted, linked to the alerts it held back');
    assert.deepEqual(errors, [], 'no failed request, no console error');
    await page.context().close();
  });

  it('filters the alerts page by text and shows each alert’s case', async () => {
    const host = unique('pages-search');
    const posted = await postAlert({ uid: unique('search'), hostname: host, hostIp: '10.78.1.1', remoteIp: '198.51.100.81' });
    const other = await postAlert({ uid: unique('search'), hostname: unique('pages-other'), hostIp: '10.78.1.2', remoteIp: '198.51.100.82' });
    const { page, errors } = await at('/alerts', TOKENS.viewer);
    await page.locator(`tr[data-alert-id="${other.alertId}"]`).waitFor();
    await page.getByLabel('Text').fill(host);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`tr[data-alert-id="${other.alertId}"]`).waitFor({ state: 'detached' });
    const rows = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-alert-id')));
    assert.deepEqual(rows, [posted.alertId], 'only the alert naming that host');
    await page.getByRole('link', { name: `Case ${posted.caseId ?? ''}` }).click();
    await page.waitForURL(`**/#/cases/${posted.caseId ?? ''}`);
    await page.locator('#case-title').waitFor();
    await page.goBack();
    await page.getByLabel('Text').waitFor();
    assert.equal(await page.getByLabel('Text').inputValue(), host, 'the search is kept in the address');
    await page.getByLabel('Text').fill(unique('nothing-like-it'));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No alert matches.').waitFor();
    assert.deepEqual(errors, [], 'no failed request, no console error');
    await page.context().close();
  });

  it('adds a suppression through the form once its impact is shown, and revokes it', async () => {
    const address = `192.0.2.${10 + (Date.now() % 200)}`;
    await postAlert({ uid: unique('ip'), hostname: unique('pages-ip'), hostIp: '10.78.2.1', remoteIp: address });
    const { page, errors } = await at('/suppressions', TOKENS.analyst);
    await page.getByRole('heading', { name: 'Add a rule' }).waitFor();
    await page.getByLabel('Suppress', { exact: true }).selectOption('ip');
    await page.getByLabel('Address or CIDR').fill(`${address}/32`);
    await page.getByLabel('Reason').fill('our vulnerability scanner');
    const add = page.getByRole('button', { name: 'Add rule' });
    assert.ok(await add.isDisabled(), 'a rule cannot be added before its impact is seen');
    await page.locator('form.new-rule').getByRole('button', { name: 'Preview impact' }).click();
    const impact = page.locator('form.new-rule [data-testid="impact"]');
    await impact.waitFor();
    assert.match(await impact.innerText(), /would have held back 1 of \d+ alert/, 'the preview counts the alert to that address');
    assert.ok(await add.isEnabled(), 'once seen, it can be added');
    await add.click();
    const added = page.getByRole('status').filter({ hasText: /Rule sup-[0-9a-f]+ added: Address/ });
    await added.waitFor();
    const ruleId = /Rule (sup-[0-9a-f]+)/.exec(await added.innerText())?.[1] ?? '';
    const row = page.locator(`tr[data-rule-id="${ruleId}"]`);
    assert.match(await row.innerText(), new RegExp(`Address ${address.replace(/\./g, '\\.')}/32[\\s\\S]*active[\\s\\S]*added here[\\s\\S]*alice[\\s\\S]*our vulnerability scanner`), 'the new rule is listed: match, status, origin, author, reason');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('status').filter({ hasText: `Rule ${ruleId} is revoked.` }).waitFor();
    assert.match(await row.innerText(), /revoked by alice/, 'the row says who revoked it');
    assert.equal(await row.getByRole('button', { name: 'Revoke' }).count(), 0, 'a revoked rule has nothing more to revoke');
    const stored = (await api.request('GET', '/v1/suppressions', { token: TOKENS.viewer })).body.rules.find((r: { id: string }) => r.id === ruleId);
    assert.deepEqual([stored?.status, stored?.revokedBy], ['revoked', 'alice'], 'the API says the same');
    assert.deepEqual(errors, [], 'no failed request, no console error');
    await page.context().close();
  });

  it('shows a viewer the rules and no way to change them; offers Admin to admins only, and the API refuses an analyst', async () => {
    const { ruleId } = await suggestion(unique('pages-viewer'));
    const viewer = await at('/suppressions', TOKENS.viewer);
    await viewer.page.locator(`.suggestion[data-rule-id="${ruleId}"]`).waitFor();
    await viewer.page.locator('tr[data-rule-id]').first().waitFor();
    for (const name of ['Activate', 'Revoke', 'Preview impact', 'Add rule']) {
      assert.equal(await viewer.page.getByRole('button', { name }).count(), 0, `no ${name} button for a viewer`);
    }
    assert.equal(await viewer.page.getByRole('heading', { name: 'Add a rule' }).count(), 0, 'no form to add a rule');
    assert.match(await text(viewer.page, 'main'), /Your role reads the rules/, 'the page says why');
    assert.equal(await viewer.page.getByRole('link', { name: 'Admin' }).count(), 0, 'no Admin page for a viewer');
    assert.deepEqual(viewer.errors, [], 'no failed request, no console error');
    await viewer.page.context().close();

    const analyst = await at('/admin', TOKENS.analyst);
    assert.equal(await analyst.page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Admin' }).count(), 0, 'no Admin link for an analyst');
    await analyst.page.getByText('Only admins manage people and read the audit trail.').waitFor();
    assert.deepEqual(analyst.errors, [], 'the page asked the API nothing it would refuse');
    const forced = await analyst.page.evaluate<number[]>(`Promise.all(['/v1/users', '/v1/audit'].map((p) => fetch(p, { credentials: 'same-origin' }).then((r) => r.status)))`);
    assert.deepEqual(forced, [403, 403], 'the API refuses an analyst the people and the audit trail');
    await analyst.page.context().close();
  });

  it('lets an admin add a person (the token shown once), change their role, and read it in the audit trail', async () => {
    const name = unique('pat');
    const { page, errors } = await at('/admin', TOKENS.admin);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Admin' }).waitFor();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    await page.getByLabel('New person').fill(name);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const token = await page.getByTestId('new-token').innerText();
    assert.ok(token.length >= 20, `the new token is shown: ${token.length} characters`);
    const who = await api.request('GET', '/v1/auth/session', { token });
    assert.deepEqual([who.status, who.body.name, who.body.role], [200, name, 'viewer'], 'the token shown is theirs');

    await page.getByLabel(`Role of ${name}`).selectOption('analyst');
    await page.getByRole('status').filter({ hasText: `${name} is now an analyst.` }).waitFor();
    const listed = (await api.request('GET', '/v1/users', { token: TOKENS.admin })).body.users.find((u: { name: string }) => u.name === name);
    assert.equal(listed?.role, 'analyst', 'the role changed');

    await page.getByLabel('Who').fill('ada');
    await page.getByLabel('Action').fill('setUserRole');
    await page.getByRole('button', { name: 'Filter' }).click();
    const entry = page.locator('table.audit tbody tr').first();
    await entry.filter({ hasText: 'setUserRole' }).waitFor();
    assert.match(await entry.innerText(), /ada[\s\S]*setUserRole[\s\S]*ok/, 'the audit trail names who changed the role, and that it worked');
    assert.ok(await page.getByRole('button', { name: 'Newer entries' }).isDisabled(), 'the first page has nothing newer');
    assert.deepEqual(errors, [], 'no failed request, no console error');
    await page.context().close();
  });

  it('dry-runs a playbook from the Playbooks page and shows its steps', async () => {
    const { page, errors } = await at('/playbooks', TOKENS.analyst);
    const c2 = page.locator('li[data-playbook="suspected-c2"]');
    await c2.waitFor({ timeout: 15_000 });
    assert.match(await c2.innerText(), /Suspected command-and-control[\s\S]*contain-egress/, 'the catalog shows the playbook and the approval it may ask');
    await page.getByLabel('Playbook', { exact: true }).selectOption('suspected-c2');
    await page.getByLabel('Answer every approval with').selectOption('approve');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByTestId('dry-run-status').waitFor({ timeout: 60_000 });
    const steps = page.locator('ol.steps li');
    assert.ok((await steps.count()) > 0, 'the dry run lists its steps');
    assert.match(await page.locator('.dry-run-result').innerText(), /contain-egress|egress/i, 'the steps include the containment it would ask for');

    await page.getByLabel('Alert (JSON, as its source would post it)').fill('{ not json');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('alert').filter({ hasText: 'The alert is not JSON' }).waitFor();
    assert.deepEqual(errors, [], 'no failed request, no console error');
    await page.context().close();
  });

  it('shows the integrations, and the metrics as charts with their figures in words', async () => {
    await postAlert({ uid: unique('metrics'), hostname: unique('pages-metrics'), hostIp: '10.78.3.1', remoteIp: '198.51.100.83' });
    const { page, errors } = await at('/integrations', TOKENS.viewer);
    const vt = page.locator('tr[data-integration="virustotal"]');
    await vt.waitFor();
    assert.match(await vt.locator('td.configured').innerText(), /No — set VIRUSTOTAL_API_KEY/, 'an integration without its key says what to set');
    assert.ok((await page.locator('tr[data-integration]').count()) > 5, 'the whole catalog is listed');
    await page.getByLabel('Show').selectOption('configured');
    assert.equal(await vt.count(), 0, 'filtered to the configured ones');

    await page.getByRole('link', { name: 'Metrics' }).click();
    const volume = page.locator('figure#alert-volume');
    await volume.locator('canvas').waitFor();
    assert.match(await volume.locator('figcaption').innerText(), /Alert volume by source/, 'the chart has a caption');
    assert.match(await volume.locator('[role="img"]').getAttribute('aria-label') ?? '', /the table below gives the figures/, 'the canvas is described');
    const ocsf = volume.locator('table.summary tr').filter({ hasText: 'ocsf' });
    assert.ok(Number(await ocsf.locator('td').first().innerText()) >= 1, 'the table gives the alerts counted');
    await page.locator('figure#outcomes').waitFor();
    await page.locator('figure#sla').waitFor();
    await page.getByLabel('Period').selectOption('2d');
    await volume.locator('canvas').waitFor();
    assert.deepEqual(errors, [], 'no failed request, no console error');
    await page.context().close();
  });

  it('passes automated accessibility checks (axe-core) on every new page', async () => {
    await suggestion(unique('pages-a11y'));
    const { page, errors } = await at('/alerts', TOKENS.admin, { bypassCSP: true });
    const problems: Record<string, string[]> = {};
    const pages: Array<[string, string]> = [
      ['/alerts', 'tr[data-alert-id]'],
      ['/suppressions', '.suggestion'],
      ['/playbooks', 'li[data-playbook]'],
      ['/integrations', 'tr[data-integration]'],
      ['/metrics', 'figure#alert-volume canvas'],
      ['/admin', 'table.audit'],
    ];
    for (const [hash, ready] of pages) {
      await page.goto(`${api.url}/#${hash}`);
      await page.locator(ready).first().waitFor({ timeout: 15_000 });
      problems[hash] = await accessibilityProblems(page);
    }
    assert.deepEqual(problems, Object.fromEntries(pages.map(([hash]) => [hash, []])), 'no serious or critical accessibility violations');
    assert.deepEqual(errors, [], 'no failed request, no console error');
    await page.context().close();
  });
});
