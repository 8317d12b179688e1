import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { AbuseIpDbClient } from '../../activities/abuseipdb/client.ts';
import type { ActivityDeps } from '../../activities/index.ts';
import { VirusTotalClient } from '../../activities/virustotal/client.ts';
import type { PlaybookView } from '../../core/case.ts';
import { Secret } from '../../config/secret.ts';
import { approvalUpdate, playbookViewQuery, playbookWorkflowId, type PlaybookInput } from '../../workflows/definitions.ts';
import { c2Alert, playbookInput } from '../helpers/alerts.ts';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { fixture } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

const VT = 'https://www.virustotal.com/api/v3';
const ABUSE = 'https://api.abuseipdb.com/api/v2';
const VT_KEY = 'vt-secret-key-must-not-leak-123';

describe('suspected-c2 playbook on a real Temporal dev server', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let tickets: RecordingTickets;
  let egress: RecordingEgress;
  let dns: Dnsmasq;

  before(async () => {
    setupNock();
    dns = await startDnsmasq({ 'c2-never-seen.test': '203.0.113.7' });
    ({ client, close: closeClient } = await testClient());
  });
  after(async () => {
    await closeClient?.();
    await dns.stop();
  });
  afterEach(async () => {
    await worker?.stop();
    checkNock();
  });

  async function run(input: PlaybookInput, deps: Partial<ActivityDeps> = {}) {
    tickets = new RecordingTickets();
    egress = new RecordingEgress();
    const taskQueue = uniqueQueue('c2');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: [dns.server], timeoutMs: 1000 }, tickets, egress, ...deps } });
    return client.workflow.start('suspectedC2Playbook', {
      taskQueue,
      workflowId: `${playbookWorkflowId('suspected-c2', input.caseId)}-${taskQueue}`,
      args: [input],
    });
  }
  const view = (h: { query: (q: typeof playbookViewQuery) => Promise<PlaybookView> }) => h.query(playbookViewQuery);
  const pending = (h: Parameters<typeof view>[0]) => waitFor(() => view(h), (v) => v.status === 'awaiting_approval', 20_000, 'awaiting_approval');

  it('when an analyst approves, it blocks egress to the C2 address and notes every step on the ticket', async () => {
    const h = await run(playbookInput(c2Alert({ remoteIp: '203.0.113.7' })));
    const waiting = await pending(h);
    assert.equal(waiting.approvals[0]?.id, 'contain-egress');
    assert.match(waiting.approvals[0]?.action ?? '', /block egress from 10\.20\.0\.5 to 203\.0\.113\.7/);
    await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'approve', comment: 'confirmed beacon', actor: 'alice' }] });
    const done = (await h.result()) as PlaybookView;
    assert.equal(done.status, 'contained');
    assert.equal(done.containment?.driver, 'recording');
    assert.deepEqual(egress.blocks.map((b) => [b.hostIp, b.addresses]), [['10.20.0.5', ['203.0.113.7']]]);
    assert.equal(done.approvals[0]?.decidedBy, 'alice');
    assert.equal(tickets.opened.length, 1);
    assert.deepEqual(tickets.noteKeys(), ['approval-requested', 'approval-decided', 'containment', 'report']);
    const report = tickets.notes.at(-1)?.text ?? '';
    assert.match(report, /approved by alice/);
    assert.match(report, /containment by recording/);
    assert.match(report, /Timings:/);
  });

  it('when the analyst rejects, nothing is blocked and the case closes', async () => {
    const h = await run(playbookInput(c2Alert()));
    await pending(h);
    await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'reject', actor: 'bob' }] });
    const done = (await h.result()) as PlaybookView;
    assert.equal(done.status, 'closed');
    assert.equal(egress.blocks.length, 0);
    assert.equal(done.approvals[0]?.status, 'rejected');
  });

  it('when the approval times out, it escalates and by default does not contain', async () => {
    const h = await run(playbookInput(c2Alert(), { approvalTimeout: '2s', onApprovalTimeout: 'none' }));
    const done = (await h.result()) as PlaybookView;
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals[0]?.status, 'timed_out');
    assert.ok(done.timeline.some((t) => t.step === 'escalate' && /nobody decided within 2s/.test(t.message)));
    assert.ok(tickets.noteKeys().includes('escalation'));
    assert.equal(egress.blocks.length, 0);
  });

  it('when the approval times out and the playbook default is to contain, it contains', async () => {
    const h = await run(playbookInput(c2Alert(), { approvalTimeout: '2s', onApprovalTimeout: 'contain' }));
    const done = (await h.result()) as PlaybookView;
    assert.equal(done.status, 'contained');
    assert.equal(egress.blocks.length, 1);
  });

  it('a below-High alert with no reputation sources configured closes without asking', async () => {
    const h = await run(playbookInput(c2Alert({ severity_id: 3 })));
    const done = (await h.result()) as PlaybookView;
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals.length, 0);
    assert.equal(done.assessment?.conclusive, false);
    assert.ok(done.enrichment.every((e) => e.source === 'dns' || e.status === 'skipped'), 'unconfigured sources are recorded as skipped');
  });

  it('a Low alert still asks when VirusTotal calls the domain malicious; the API key stays out of history', async () => {
    nock(VT).get('/domains/c2-never-seen.test').matchHeader('x-apikey', VT_KEY).reply(200, fixture('virustotal/domain-malicious.json'));
    const vt = new VirusTotalClient({ baseUrl: VT, apiKey: new Secret(VT_KEY) });
    const h = await run(playbookInput(c2Alert({ severity_id: 2, domain: 'c2-never-seen.test' })), { virustotal: vt });
    const waiting = await pending(h);
    assert.equal(waiting.assessment?.level, 'malicious');
    assert.match(waiting.approvals[0]?.action ?? '', /to 203\.0\.113\.7$/, 'it blocks what the domain resolves to');
    const history = JSON.stringify(await h.fetchHistory());
    assert.ok(!history.includes(VT_KEY), 'the VirusTotal key is not in workflow history');
    await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'reject', actor: 'carol' }] }).catch(() => undefined);
    await h.result();
  });

  it('when AbuseIPDB vouches for the address, it closes without asking', async () => {
    nock(ABUSE).get('/check').query(true).reply(200, fixture('abuseipdb/check-whitelisted.json'));
    const abuse = new AbuseIpDbClient({ baseUrl: ABUSE, apiKey: new Secret('k'.repeat(20)), maxAgeInDays: 90 });
    const h = await run(playbookInput(c2Alert({ severity_id: 5, remoteIp: '198.51.100.20' })), { abuseipdb: abuse });
    const done = (await h.result()) as PlaybookView;
    assert.equal(done.assessment?.level, 'safe');
    assert.equal(done.approvals.length, 0);
    assert.equal(done.status, 'closed');
  });

  it('a failing reputation source is recorded and the response goes on', async () => {
    nock(ABUSE).get('/check').query(true).reply(401, fixture('abuseipdb/error-auth.json'));
    const abuse = new AbuseIpDbClient({ baseUrl: ABUSE, apiKey: new Secret('k'.repeat(20)), maxAgeInDays: 90 });
    const h = await run(playbookInput(c2Alert()), { abuseipdb: abuse });
    const waiting = await pending(h);
    const failed = waiting.enrichment.find((e) => e.source === 'abuseipdb');
    assert.equal(failed?.status, 'failed');
    assert.ok(failed?.status === 'failed' && failed.errorType === 'IntegrationAuthError');
    await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'approve', actor: 'dan' }] });
    assert.equal(((await h.result()) as PlaybookView).status, 'contained');
  });

  it('refuses decisions on unknown or already-decided approvals before they reach history', async () => {
    const h = await run(playbookInput(c2Alert()));
    await pending(h);
    const unknown = await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'nope', decision: 'approve', actor: 'eve' }] }).catch((e: unknown) => e);
    assert.ok(unknown instanceof WorkflowUpdateFailedError);
    assert.equal((unknown.cause as { type?: string }).type, 'ApprovalNotFoundError');
    await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'reject', actor: 'eve' }] });
    const again = await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'approve', actor: 'mallory' }] }).catch((e: unknown) => e);
    assert.ok(again instanceof WorkflowUpdateFailedError);
    assert.equal((again.cause as { type?: string }).type, 'ApprovalNotPendingError');
    const done = (await h.result()) as PlaybookView;
    assert.equal(done.approvals[0]?.decidedBy, 'eve', 'the refused decision changed nothing');
    const accepted = (await h.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    assert.equal(accepted.length, 1, 'only the valid decision entered history');
  });
});
