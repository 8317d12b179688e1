// Approving from Slack: a signed interaction callback decides a real playbook's approval, in
// the name of the Slack user; forged, stale or unauthorized clicks change nothing.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { approvalBlocks } from '../../activities/slack/index.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

const SIGNING = 'slack-signing-secret-0123456789abcdef';
const ALICE = 'U0ALICE';

function slackRequest(payload: unknown, opts: { secret?: string; t?: number } = {}) {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const t = opts.t ?? Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', opts.secret ?? SIGNING).update(`v0:${t}:${body}`).digest('hex')}`;
  return { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(t), 'x-slack-signature': sig } };
}

function click(caseId: string, userId: string, which: 0 | 1 = 0) {
  const button = (approvalBlocks('Contain?', { caseId, approvalId: 'contain-egress' })[1] as { elements: Array<{ action_id: string; value: string }> }).elements[which]!;
  return { type: 'block_actions', user: { id: userId, username: userId === ALICE ? 'alice' : 'mallory' }, actions: [{ action_id: button.action_id, value: button.value }], response_url: 'https://hooks.slack.com/actions/T0/1/abc' };
}

describe('Slack approval buttons (POST /v1/integrations/slack/interactions)', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;
  let caseId: string;
  before(async () => {
    setupNock();
    ({ client, close: closeClient } = await testClient());
    const taskQueue = uniqueQueue('slack');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    api = await startApi({ client, taskQueue, env: { SLACK_SIGNING_SECRET: SIGNING, SLACK_APPROVERS: `${ALICE},U0BOB` } });
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding() });
    caseId = posted.body.caseId;
    await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'awaiting_approval', 20_000, 'awaiting_approval');
  });
  afterEach(checkNock);
  after(async () => {
    await api?.close();
    await worker?.stop();
    await closeClient?.();
  });

  const pending = async () => (await api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst })).body.approvals[0];

  it('refuses a forged or stale signature with 401 and decides nothing', async () => {
    assert.equal((await api.request('POST', '/v1/integrations/slack/interactions', slackRequest(click(caseId, ALICE), { secret: 'not-the-secret-0123456789' }))).status, 401);
    assert.equal((await api.request('POST', '/v1/integrations/slack/interactions', slackRequest(click(caseId, ALICE), { t: Math.floor(Date.now() / 1000) - 600 }))).status, 401);
    const tampered = slackRequest(click(caseId, ALICE));
    tampered.raw = tampered.raw.replace('riposte_approve', 'riposte_reject');
    assert.equal((await api.request('POST', '/v1/integrations/slack/interactions', tampered)).status, 401);
    assert.equal((await pending()).status, 'pending');
  });

  it('a user who is not an approver is told so in Slack, and nothing is decided', async () => {
    const told = nock('https://hooks.slack.com').post('/actions/T0/1/abc', (b) => b.response_type === 'ephemeral' && /not allowed/.test(b.text)).reply(200, 'ok');
    assert.equal((await api.request('POST', '/v1/integrations/slack/interactions', slackRequest(click(caseId, 'U0MALLORY')))).status, 200);
    await waitFor(async () => told.isDone(), Boolean, 5000, 'the ephemeral answer');
    assert.equal((await pending()).status, 'pending');
  });

  it('an approver\u2019s click approves in their name, and the message says so', async () => {
    const updated = nock('https://hooks.slack.com').post('/actions/T0/1/abc', (b) => b.replace_original === true && /Approved by <@U0ALICE>/.test(b.text)).reply(200, 'ok');
    assert.equal((await api.request('POST', '/v1/integrations/slack/interactions', slackRequest(click(caseId, ALICE)))).status, 200);
    await waitFor(async () => updated.isDone(), Boolean, 10_000, 'the message update');
    const decided = await pending();
    assert.equal(decided.status, 'approved');
    assert.equal(decided.decidedBy, `slack:${ALICE}`, 'recorded by Slack user id, not by a name its owner can change');
  });

  it('a second click on a decided approval is refused in Slack and changes nothing', async () => {
    const told = nock('https://hooks.slack.com').post('/actions/T0/1/abc', (b) => b.response_type === 'ephemeral' && /already/.test(b.text)).reply(200, 'ok');
    assert.equal((await api.request('POST', '/v1/integrations/slack/interactions', slackRequest(click(caseId, 'U0BOB', 1)))).status, 200);
    await waitFor(async () => told.isDone(), Boolean, 10_000, 'the refusal');
    assert.equal((await pending()).decidedBy, `slack:${ALICE}`);
  });
});
