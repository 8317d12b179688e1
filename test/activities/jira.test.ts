import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { JiraClient } from '../../activities/jira/client.ts';
import { idempotencyLabel, jiraTicketSystem } from '../../activities/jira/index.ts';
import { createTicketingActivities } from '../../activities/ticketing/index.ts';
import { Secret } from '../../config/secret.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const BASE = 'https://acme.atlassian.net';
const TOKEN = 'jira-api-token-0123456789';
const BASIC = `Basic ${Buffer.from(`soc@acme.test:${TOKEN}`).toString('base64')}`;
const ticket = { system: 'jira', key: 'SEC-42' };

describe('jira ticketing (Cloud REST v3, nock from the documented shapes)', () => {
  before(setupNock);
  afterEach(checkNock);

  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const client = new JiraClient({ baseUrl: BASE, email: 'soc@acme.test', apiToken: new Secret(TOKEN), timeoutMs: 500 });
  const acts = createTicketingActivities({ system: jiraTicketSystem(client, { projectKey: 'SEC', issueType: 'Task' }) });
  const open = { idempotencyKey: 'suspected-c2-cs_1:ticket:open', caseId: 'cs_1', title: 'Suspected C2', description: 'Found:\n- a\n\nDone', severity_id: 4 };

  it('opens an issue once: searches its idempotency label, then creates it with that label', async () => {
    const label = idempotencyLabel(open.idempotencyKey);
    let created: Record<string, any> | undefined;
    nock(BASE)
      .post('/rest/api/3/search/jql', (b) => b.jql === `labels = "${label}"` && b.maxResults === 1)
      .matchHeader('authorization', BASIC)
      .reply(200, { issues: [], isLast: true })
      .post('/rest/api/3/issue', (b) => ((created = b), true))
      .matchHeader('authorization', BASIC)
      .reply(201, { id: '10042', key: 'SEC-42', self: `${BASE}/rest/api/3/issue/10042` });
    const out = await runActivity(env, acts.ticketingOpenTicket, open);
    assert.deepEqual(out, { status: 'ok', ticket: { system: 'jira', key: 'SEC-42', url: `${BASE}/browse/SEC-42` }, existed: false });
    assert.equal(created?.fields.project.key, 'SEC');
    assert.equal(created?.fields.issuetype.name, 'Task');
    assert.ok(created?.fields.labels.includes(label));
    assert.equal(created?.fields.description.type, 'doc');
    assert.deepEqual(created?.fields.description.content[0].content, [{ type: 'text', text: 'Found:' }, { type: 'hardBreak' }, { type: 'text', text: '- a' }]);
  });

  it('a retried open finds the issue it already created and creates nothing', async () => {
    nock(BASE).post('/rest/api/3/search/jql').reply(200, { issues: [{ id: '10042', key: 'SEC-42' }], isLast: true });
    const out = await runActivity(env, acts.ticketingOpenTicket, open);
    assert.ok(out.status === 'ok');
    assert.equal(out.existed, true);
    assert.equal(out.ticket.key, 'SEC-42');
  });

  it('adds a note as a comment carrying its idempotency key as an entity property', async () => {
    let posted: Record<string, any> | undefined;
    nock(BASE)
      .get('/rest/api/3/issue/SEC-42/comment')
      .query({ startAt: '0', maxResults: '100' })
      .reply(200, { startAt: 0, maxResults: 100, total: 1, comments: [{ id: '900' }] })
      .post('/rest/api/3/comment/list', { ids: [900] })
      .query({ expand: 'properties' })
      .reply(200, { values: [{ id: '900', properties: [{ key: 'riposte', value: { idempotencyKey: 'other' } }] }], isLast: true })
      .post('/rest/api/3/issue/SEC-42/comment', (b) => ((posted = b), true))
      .reply(201, { id: '901' });
    const out = await runActivity(env, acts.ticketingAddNote, { ticket, idempotencyKey: 'k:containment', text: 'Contained.' });
    assert.deepEqual(out, { status: 'ok', noteId: '901', existed: false });
    assert.deepEqual(posted?.properties, [{ key: 'riposte', value: { idempotencyKey: 'k:containment' } }]);
    assert.equal(posted?.body.content[0].content[0].text, 'Contained.');
  });

  it('a retried note finds its comment and posts nothing', async () => {
    nock(BASE)
      .get('/rest/api/3/issue/SEC-42/comment')
      .query(true)
      .reply(200, { startAt: 0, maxResults: 100, total: 1, comments: [{ id: '901' }] })
      .post('/rest/api/3/comment/list')
      .query({ expand: 'properties' })
      .reply(200, { values: [{ id: '901', properties: [{ key: 'riposte', value: { idempotencyKey: 'k:containment' } }] }] });
    const out = await runActivity(env, acts.ticketingAddNote, { ticket, idempotencyKey: 'k:containment', text: 'Contained.' });
    assert.deepEqual(out, { status: 'ok', noteId: '901', existed: true });
  });

  it('fails 403 as a non-retryable IntegrationAuthError without the token', async () => {
    nock(BASE).post('/rest/api/3/search/jql').reply(403, { errorMessages: ['You do not have permission to create issues in this project.'], errors: {} });
    const err = await rejection(() => runActivity(env, acts.ticketingOpenTicket, open));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /permission/);
    assert.doesNotMatch(err.message, new RegExp(TOKEN));
  });

  it('fails 400 (e.g. unknown issue type) as non-retryable', async () => {
    nock(BASE)
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(400, { errorMessages: [], errors: { issuetype: 'Specify a valid issue type' } });
    const err = await rejection(() => runActivity(env, acts.ticketingOpenTicket, open));
    assert.equal(err.type, 'IntegrationRequestError');
  });

  it('fails 429 retryably after Retry-After, and 5xx retryably', async () => {
    nock(BASE).post('/rest/api/3/search/jql').reply(429, '', { 'Retry-After': '5' });
    const limited = await rejection(() => runActivity(env, acts.ticketingOpenTicket, open));
    assert.equal(limited.type, 'RateLimitedError');
    assert.equal(limited.nextRetryDelay, 5000);
    nock(BASE).post('/rest/api/3/search/jql').reply(502, '<html>bad gateway</html>');
    const down = await rejection(() => runActivity(env, acts.ticketingOpenTicket, open));
    assert.equal(down.type, 'IntegrationUnavailableError');
  });

  it('records a skip when no ticket system is configured', async () => {
    const out = await runActivity(env, createTicketingActivities({}).ticketingOpenTicket, open);
    assert.equal(out.status, 'skipped');
  });
});

describe('jira: closing a ticket with the outcome', () => {
  before(setupNock);
  afterEach(checkNock);
  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const client = new JiraClient({ baseUrl: BASE, email: 'soc@acme.test', apiToken: new Secret(TOKEN), timeoutMs: 500 });
  const acts = createTicketingActivities({ system: jiraTicketSystem(client, { projectKey: 'SEC', issueType: 'Task' }) });
  const close = { ticket, idempotencyKey: 'suspected-c2-cs_1:ticket:close', outcome: 'true_positive' as const, summary: 'Contained web-1.' };

  it('comments the outcome, then takes the transition that leads to a Done status', async () => {
    let comment: any;
    nock(BASE)
      .get('/rest/api/3/issue/SEC-42')
      .query({ fields: 'status' })
      .reply(200, { key: 'SEC-42', fields: { status: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } } })
      .get('/rest/api/3/issue/SEC-42/comment')
      .query(true)
      .reply(200, { startAt: 0, maxResults: 100, total: 0, comments: [] })
      .post('/rest/api/3/issue/SEC-42/comment', (b) => ((comment = b), true))
      .reply(201, { id: '20001' })
      .get('/rest/api/3/issue/SEC-42/transitions')
      .reply(200, { transitions: [{ id: '21', name: 'Start', to: { statusCategory: { key: 'indeterminate' } } }, { id: '31', name: 'Resolve', to: { statusCategory: { key: 'done' } } }] })
      .post('/rest/api/3/issue/SEC-42/transitions', { transition: { id: '31' } })
      .matchHeader('authorization', BASIC)
      .reply(204);
    assert.deepEqual(await runActivity(env, acts.ticketingCloseTicket, close), { status: 'ok', alreadyClosed: false });
    assert.match(JSON.stringify(comment.body), /Outcome: true positive/);
  });

  it('leaves a ticket already Done alone, and refuses when no transition leads to Done', async () => {
    nock(BASE).get('/rest/api/3/issue/SEC-42').query({ fields: 'status' }).reply(200, { fields: { status: { statusCategory: { key: 'done' } } } });
    assert.deepEqual(await runActivity(env, acts.ticketingCloseTicket, close), { status: 'ok', alreadyClosed: true });
    nock(BASE)
      .get('/rest/api/3/issue/SEC-42')
      .query({ fields: 'status' })
      .reply(200, { fields: { status: { statusCategory: { key: 'new' } } } })
      .get('/rest/api/3/issue/SEC-42/comment')
      .query(true)
      .reply(200, { total: 0, comments: [] })
      .post('/rest/api/3/issue/SEC-42/comment')
      .reply(201, { id: '20002' })
      .get('/rest/api/3/issue/SEC-42/transitions')
      .reply(200, { transitions: [{ id: '21', name: 'Start', to: { statusCategory: { key: 'indeterminate' } } }] });
    const err = await rejection(() => runActivity(env, acts.ticketingCloseTicket, close));
    assert.equal(err.type, 'IntegrationRequestError');
    assert.equal(err.nonRetryable, true);
  });
});
