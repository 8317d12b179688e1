// Notification integrations: Slack and PagerDuty against the vendors' documented request and
// response shapes (nock); e-mail against a real SMTP server on loopback.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SMTPServer } from 'smtp-server';
import { createEmailActivities, emailFromEnv } from '../../activities/email/index.ts';
import { createTeamsActivities, teamsFromEnv } from '../../activities/teams/index.ts';
import { PagerDutyClient } from '../../activities/pagerduty/client.ts';
import { createPagerDutyActivities } from '../../activities/pagerduty/index.ts';
import { escalationKey } from '../../activities/notification/index.ts';
import { SlackClient } from '../../activities/slack/client.ts';
import { createSlackActivities, METADATA_EVENT } from '../../activities/slack/index.ts';
import { Secret } from '../../config/secret.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const env = new MockActivityEnvironment(undefined, { logger: silentLogger });

describe('pagerduty (Events API v2)', () => {
  before(setupNock);
  afterEach(checkNock);
  const PD = 'https://events.pagerduty.com';
  const KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
  const acts = createPagerDutyActivities({ client: new PagerDutyClient({ baseUrl: PD, routingKey: new Secret(KEY), timeoutMs: 500 }) });

  it('triggers with the routing key, the case as dedup key, a payload and a link back', async () => {
    nock(PD)
      .post('/v2/enqueue', {
        routing_key: KEY,
        event_action: 'trigger',
        dedup_key: 'cs_123',
        payload: { summary: 'Suspected C2 from web-1 to 203.0.113.7', source: 'web-1', severity: 'critical', component: 'riposte', custom_details: { score: 90 } },
        links: [{ href: 'https://riposte.corp.test/cases/cs_123', text: 'Case cs_123' }],
      })
      .reply(202, { status: 'success', message: 'Event processed', dedup_key: 'cs_123' });
    const out = await runActivity(env, acts.pagerdutySendEvent, {
      action: 'trigger',
      dedupKey: 'cs_123',
      summary: 'Suspected C2 from web-1 to 203.0.113.7',
      severity: 'critical',
      source: 'web-1',
      link: { href: 'https://riposte.corp.test/cases/cs_123', text: 'Case cs_123' },
      details: { score: 90 },
    });
    assert.deepEqual(out, { status: 'ok', dedupKey: 'cs_123', action: 'trigger' });
  });

  it('resolves by dedup key alone; 400 is not retried; 429 waits for Retry-After; the key never shows', async () => {
    nock(PD).post('/v2/enqueue', { routing_key: KEY, event_action: 'resolve', dedup_key: 'cs_123' }).reply(202, { status: 'success', message: 'Event processed', dedup_key: 'cs_123' });
    assert.equal((await runActivity(env, acts.pagerdutySendEvent, { action: 'resolve', dedupKey: 'cs_123' })).status, 'ok');
    nock(PD).post('/v2/enqueue').reply(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Length of summary is invalid'] });
    const bad = await rejection(() => runActivity(env, acts.pagerdutySendEvent, { action: 'trigger', dedupKey: 'cs_1', summary: 'x' }));
    assert.equal(bad.type, 'IntegrationRequestError');
    assert.doesNotMatch(bad.message, new RegExp(KEY));
    nock(PD).post('/v2/enqueue').reply(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' }, { 'Retry-After': '20' });
    assert.equal((await rejection(() => runActivity(env, acts.pagerdutySendEvent, { action: 'acknowledge', dedupKey: 'cs_1' }))).nextRetryDelay, 20_000);
    assert.equal((await rejection(() => runActivity(env, acts.pagerdutySendEvent, { action: 'trigger', dedupKey: 'cs_1' }))).type, 'InvalidObservableError');
    assert.equal((await runActivity(env, createPagerDutyActivities({}).pagerdutySendEvent, { action: 'resolve', dedupKey: 'cs_1' })).status, 'skipped');
  });
});

describe('escalation dedup keys', () => {
  it('one PagerDuty incident per escalation: the same escalation retried folds in, another approval of the case pages anew', () => {
    const first = escalationKey('cs_00000000000000aa', 'suspected-c2-cs_00000000000000aa:notify:escalation:contain-egress');
    assert.equal(first, escalationKey('cs_00000000000000aa', 'suspected-c2-cs_00000000000000aa:notify:escalation:contain-egress'));
    assert.notEqual(first, escalationKey('cs_00000000000000aa', 'suspected-c2-cs_00000000000000aa:notify:escalation:contain-egress-2'));
    assert.match(first, /^riposte-cs_00000000000000aa-[0-9a-f]{16}$/);
  });
});

describe('slack (chat.postMessage)', () => {
  before(setupNock);
  afterEach(checkNock);
  const SLACK = 'https://slack.com';
  const TOKEN = 'xoxb-0000000000-0000000000000-test0123456789abcdef';
  const acts = createSlackActivities({ client: new SlackClient({ baseUrl: SLACK, botToken: new Secret(TOKEN), timeoutMs: 500 }), channel: 'C0SOC' });
  const history = (messages: unknown[] = []) =>
    nock(SLACK).get('/api/conversations.history').query({ channel: 'C0SOC', limit: '100', include_all_metadata: 'true' }).matchHeader('authorization', `Bearer ${TOKEN}`).reply(200, { ok: true, messages, has_more: false });

  it('posts an approval request with Approve / Reject buttons and its key as message metadata', async () => {
    history();
    nock(SLACK)
      .post('/api/chat.postMessage', (body) => {
        assert.equal(body.channel, 'C0SOC');
        assert.deepEqual(body.metadata, { event_type: METADATA_EVENT, event_payload: { idempotency_key: 'wf-1:ask-slack' } });
        const buttons = body.blocks[1].elements;
        assert.deepEqual(buttons.map((b: { action_id: string }) => b.action_id), ['riposte_approve', 'riposte_reject']);
        assert.deepEqual(JSON.parse(buttons[0].value), { caseId: 'cs_1', approvalId: 'contain-egress', decision: 'approve' });
        return true;
      })
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(200, { ok: true, channel: 'C0SOC', ts: '1795830000.000100', message: { text: 'Contain web-1?' } });
    const out = await runActivity(env, acts.slackPostMessage, { text: 'Contain web-1?', approval: { caseId: 'cs_1', approvalId: 'contain-egress' }, idempotencyKey: 'wf-1:ask-slack' });
    assert.deepEqual(out, { status: 'ok', channel: 'C0SOC', ts: '1795830000.000100', alreadySent: false });
  });

  it('a retry finds the message it already sent and does not post twice', async () => {
    history([{ type: 'message', ts: '1795830000.000100', text: 'Contain web-1?', metadata: { event_type: METADATA_EVENT, event_payload: { idempotency_key: 'wf-1:ask-slack' } } }]);
    const out = await runActivity(env, acts.slackPostMessage, { text: 'Contain web-1?', idempotencyKey: 'wf-1:ask-slack' });
    assert.deepEqual(out, { status: 'ok', channel: 'C0SOC', ts: '1795830000.000100', alreadySent: true });
  });

  it('maps Slack\u2019s ok:false errors: invalid_auth is an auth failure, channel_not_found a request error, internal_error retryable', async () => {
    nock(SLACK).get('/api/conversations.history').query(true).reply(200, { ok: false, error: 'invalid_auth' });
    const auth = await rejection(() => runActivity(env, acts.slackPostMessage, { text: 'x', idempotencyKey: 'k1' }));
    assert.equal(auth.type, 'IntegrationAuthError');
    assert.doesNotMatch(auth.message, /xoxb/);
    history();
    nock(SLACK).post('/api/chat.postMessage').reply(200, { ok: false, error: 'channel_not_found' });
    assert.equal((await rejection(() => runActivity(env, acts.slackPostMessage, { text: 'x', idempotencyKey: 'k2' }))).type, 'IntegrationRequestError');
    history();
    nock(SLACK).post('/api/chat.postMessage').reply(200, { ok: false, error: 'internal_error' });
    const transient = await rejection(() => runActivity(env, acts.slackPostMessage, { text: 'x', idempotencyKey: 'k3' }));
    assert.equal(transient.type, 'IntegrationUnavailableError');
    assert.equal(transient.nonRetryable, false);
    history();
    nock(SLACK).post('/api/chat.postMessage').reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '3' });
    assert.equal((await rejection(() => runActivity(env, acts.slackPostMessage, { text: 'x', idempotencyKey: 'k4' }))).nextRetryDelay, 3000);
    assert.equal((await runActivity(env, createSlackActivities({}).slackPostMessage, { text: 'x', idempotencyKey: 'k5' })).status, 'skipped');
  });
});

describe('email over SMTP against a real SMTP server on loopback', () => {
  let server: SMTPServer;
  let port = 0;
  const received: Array<{ from: string; to: string[]; data: string; user?: string }> = [];
  before(async () => {
    server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: false,
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'riposte' && auth.password === 'smtp-password-0123456789') return cb(null, { user: auth.username });
        cb(new Error('Invalid username or password'));
      },
      onRcptTo(address, _session, cb) {
        if (address.address.endsWith('@blocked.test')) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        cb();
      },
      onData(stream, session, cb) {
        let data = '';
        stream.on('data', (d: Buffer) => (data += d.toString('utf8')));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? (session.envelope.mailFrom as { address: string }).address : '', to: session.envelope.rcptTo.map((r) => r.address), data, user: session.user as string | undefined });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const smtpEnv = (password = 'smtp-password-0123456789') => ({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_FROM: 'Riposte <riposte@corp.test>', SMTP_USER: 'riposte', SMTP_PASSWORD: password, SMTP_TO: 'soc@corp.test' });

  it('delivers with login, to the default recipients, with a Message-ID from the key', async () => {
    const { emailSend } = createEmailActivities({ email: emailFromEnv(smtpEnv()) });
    const out = await runActivity(env, emailSend, { subject: 'Case cs_1 contained', text: 'web-1 is isolated.', idempotencyKey: 'wf-1:mail' });
    assert.ok(out.status === 'ok');
    assert.deepEqual(out.accepted, ['soc@corp.test']);
    const mail = received.at(-1)!;
    assert.equal(mail.user, 'riposte');
    assert.equal(mail.from, 'riposte@corp.test');
    assert.deepEqual(mail.to, ['soc@corp.test']);
    assert.match(mail.data, /Subject: Case cs_1 contained/);
    assert.match(mail.data, new RegExp(`Message-ID: ${out.messageId.replace(/[<>]/g, '.')}`, 'i'));
    const again = await runActivity(env, emailSend, { subject: 'Case cs_1 contained', text: 'web-1 is isolated.', idempotencyKey: 'wf-1:mail' });
    assert.ok(again.status === 'ok' && again.messageId === out.messageId, 'a retry carries the same Message-ID');
  });

  it('a refused login is a non-retryable auth failure that does not show the password', async () => {
    const { emailSend } = createEmailActivities({ email: emailFromEnv(smtpEnv('wrong-password-0123456789')) });
    const err = await rejection(() => runActivity(env, emailSend, { subject: 's', text: 't', idempotencyKey: 'k' }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.equal(err.nonRetryable, true);
    assert.doesNotMatch(err.message, /wrong-password/);
  });

  it('a recipient the server refuses permanently is not retried; junk addresses never leave', async () => {
    const { emailSend } = createEmailActivities({ email: emailFromEnv(smtpEnv()) });
    const err = await rejection(() => runActivity(env, emailSend, { to: ['ciso@blocked.test'], subject: 's', text: 't', idempotencyKey: 'k2' }));
    assert.equal(err.type, 'IntegrationRequestError');
    assert.equal((await rejection(() => runActivity(env, emailSend, { to: ['not an address'], subject: 's', text: 't', idempotencyKey: 'k3' }))).type, 'InvalidObservableError');
    assert.equal((await runActivity(env, createEmailActivities({}).emailSend, { subject: 's', text: 't', idempotencyKey: 'k4' })).status, 'skipped');
  });
});

describe('teams (Workflows webhook, Adaptive Card)', () => {
  before(setupNock);
  afterEach(checkNock);
  const HOOK = 'https://prod-12.westeurope.logic.azure.com';
  const PATH = '/workflows/0f1e2d3c/triggers/manual/paths/invoke';
  const url = `${HOOK}${PATH}?api-version=2016-06-01&sig=secret-signature-0123456789`;

  it('posts an Adaptive Card with facts and a link; the signed URL never shows in errors', async () => {
    const { teamsPostMessage } = createTeamsActivities({ teams: teamsFromEnv({ TEAMS_WEBHOOK_URL: url }) });
    nock(HOOK)
      .post(PATH, (b) => {
        const card = b.attachments[0];
        assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
        assert.equal(card.content.type, 'AdaptiveCard');
        assert.deepEqual(card.content.body[2].facts, [{ title: 'Case', value: 'cs_1' }, { title: 'Host', value: 'web-1' }]);
        assert.equal(card.content.actions[0].url, 'https://riposte.corp.test/cases/cs_1');
        return true;
      })
      .query({ 'api-version': '2016-06-01', sig: 'secret-signature-0123456789' })
      .reply(202);
    const input = { title: 'Contained web-1', text: 'Egress to 203.0.113.7 blocked.', facts: { Case: 'cs_1', Host: 'web-1' }, link: { title: 'Open case', url: 'https://riposte.corp.test/cases/cs_1' } };
    assert.deepEqual(await runActivity(env, teamsPostMessage, input), { status: 'ok' });
    nock(HOOK).post(PATH).query(true).reply(400, { error: { code: 'InvalidRequestContent', message: 'The request content is not valid' } });
    const err = await rejection(() => runActivity(env, teamsPostMessage, input));
    assert.equal(err.type, 'IntegrationRequestError');
    assert.doesNotMatch(err.message, /secret-signature/);
    nock(HOOK).post(PATH).query(true).reply(404, '');
    assert.equal((await rejection(() => runActivity(env, teamsPostMessage, input))).nonRetryable, true);
    assert.equal((await runActivity(env, createTeamsActivities({}).teamsPostMessage, input)).status, 'skipped');
  });
});
