// An approval tells people where they are: Slack (with Approve / Reject buttons), a Teams card,
// e-mail through a real SMTP server on loopback; PagerDuty is paged when nobody answers in time —
// all through one playbook on the real dev server. Slack, Teams and PagerDuty through nock, from
// their documented shapes.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { c2Alert, playbookInput } from '../helpers/alerts.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startPlaybookHarness, type PlaybookHarness } from '../helpers/playbooks.ts';
import { waitFor } from '../helpers/wait.ts';

const SLACK = 'https://slack.notify.test';
const TEAMS = 'https://teams.notify.test/workflows/riposte?sig=secret-signature';
const PD = 'https://events.notify.test';

describe('approvals tell every configured channel, and page when nobody answers', () => {
  let smtp: SMTPServer;
  let port = 0;
  const mail: string[] = [];
  let pb: PlaybookHarness;

  before(async () => {
    setupNock();
    smtp = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _s, cb) {
        let data = '';
        stream.on('data', (d: Buffer) => (data += d.toString('utf8')));
        stream.on('end', () => (mail.push(data), cb()));
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    port = (smtp.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => smtp.close(() => r())));
  afterEach(async () => {
    await pb?.stop();
    checkNock();
  });

  const env = () => ({
    SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-notify0123456789',
    SLACK_CHANNEL: 'C0SOC',
    SLACK_BASE_URL: SLACK,
    TEAMS_WEBHOOK_URL: TEAMS,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(port),
    SMTP_FROM: 'Riposte <riposte@corp.test>',
    SMTP_TO: 'soc@corp.test',
    PAGERDUTY_ROUTING_KEY: 'pd-routing-key-0123456789abcdef',
    PAGERDUTY_BASE_URL: PD,
    RIPOSTE_PUBLIC_URL: 'https://riposte.corp.test',
  });

  function slackPosts(): Array<Record<string, any>> {
    const posts: Array<Record<string, any>> = [];
    nock(SLACK).get('/api/conversations.history').query(true).reply(200, { ok: true, messages: [], has_more: false }).persist();
    nock(SLACK)
      .post('/api/chat.postMessage', (b) => posts.push(b) > 0)
      .reply(200, { ok: true, channel: 'C0SOC', ts: '1796140000.000100' })
      .persist();
    return posts;
  }

  it('asking an approval posts Approve / Reject buttons to Slack, a card to Teams and an e-mail — each once', async () => {
    const posts = slackPosts();
    const cards: Array<Record<string, any>> = [];
    nock('https://teams.notify.test').post('/workflows/riposte', (b) => cards.push(b) > 0).query(true).reply(202, '');
    pb = await startPlaybookHarness('notify', { env: env() });
    const input = playbookInput(c2Alert({ remoteIp: '203.0.113.7', severity_id: 4 }));
    const h = await pb.start('suspectedC2Playbook', input);
    await pb.awaitingApproval(h);
    const waiting = await waitFor(() => pb.view(h), (v) => v.approvals[0]?.notified !== undefined, 15_000, 'the channels told');
    assert.deepEqual(waiting.approvals[0]?.notified?.sort(), ['email', 'slack', 'teams']);

    assert.equal(posts.length, 1);
    const buttons = posts[0]?.blocks[1].elements;
    assert.deepEqual(buttons.map((b: { action_id: string }) => b.action_id), ['riposte_approve', 'riposte_reject']);
    assert.deepEqual(JSON.parse(buttons[0].value), { caseId: input.caseId, approvalId: 'contain-egress', decision: 'approve' });
    assert.match(posts[0]?.text, /block egress from 10\.20\.0\.5 to 203\.0\.113\.7/);
    assert.match(posts[0]?.text, new RegExp(`https://riposte\\.corp\\.test/v1/cases/${input.caseId}`));

    assert.equal(cards.length, 1);
    const card = cards[0]?.attachments[0].content;
    assert.match(card.body[0].text, /Approval needed/);
    assert.deepEqual(card.actions[0].url, `https://riposte.corp.test/v1/cases/${input.caseId}`);

    assert.equal(mail.length, 1);
    // The subject is MIME-encoded (it has an em dash); the body quoted-printable (soft breaks unfolded here).
    assert.match(mail[0] ?? '', /Subject: =\?UTF-8\?Q\?=5BRiposte=5D_Approval_needed/);
    assert.match((mail[0] ?? '').replace(/=\r\n/g, ''), /block egress from 10\.20\.0\.5 to 203\.0\.113\.7/);

    await pb.decide(h, 'contain-egress', 'reject');
    await pb.result(h);
    nock.cleanAll();
  });

  it('when nobody answers, PagerDuty is paged (one incident per unanswered approval) before the playbook follows its default', async () => {
    slackPosts();
    nock('https://teams.notify.test').post('/workflows/riposte').query(true).reply(202, '').persist();
    const pages: Array<Record<string, any>> = [];
    nock(PD).post('/v2/enqueue', (b) => pages.push(b) > 0).reply(202, { status: 'success', message: 'Event processed', dedup_key: 'x' });
    pb = await startPlaybookHarness('notify', { env: env() });
    const input = playbookInput(c2Alert({ remoteIp: '203.0.113.7', severity_id: 4 }), { approvalTimeout: '2s', onApprovalTimeout: 'none' });
    const done = await pb.result(await pb.start('suspectedC2Playbook', input));
    assert.equal(done.approvals[0]?.status, 'timed_out');
    assert.equal(pages.length, 1);
    assert.equal(pages[0]?.event_action, 'trigger');
    assert.match(pages[0]?.dedup_key, new RegExp(`^riposte-${input.caseId}-[0-9a-f]{16}$`));
    assert.match(pages[0]?.payload.summary, /Unanswered approval/);
    assert.ok(done.timeline.some((t) => t.step === 'page' && /pagerduty/.test(t.message)));
    nock.cleanAll();
  });

  it('a channel that refuses (Teams 404) is recorded; the others are told and the approval waits as usual', async () => {
    slackPosts();
    nock('https://teams.notify.test').post('/workflows/riposte').query(true).reply(404, { error: 'not found' });
    pb = await startPlaybookHarness('notify', { env: env() });
    const h = await pb.start('suspectedC2Playbook', playbookInput(c2Alert({ remoteIp: '203.0.113.7', severity_id: 4 })));
    await pb.awaitingApproval(h);
    const waiting = await waitFor(() => pb.view(h), (v) => v.approvals[0]?.notified !== undefined, 15_000, 'the channels told');
    assert.deepEqual(waiting.approvals[0]?.notified?.sort(), ['email', 'slack']);
    const told = waiting.timeline.find((t) => t.step === 'notify');
    assert.match(told?.message ?? '', /not sent: teams \(teams: the webhook does not exist/);
    assert.ok(!JSON.stringify(waiting).includes('secret-signature'), 'the webhook URL (a secret) is nowhere in the case');
    await pb.decide(h, 'contain-egress', 'reject');
    await pb.result(h);
    nock.cleanAll();
  });
});
