// The suspected-C2 playbook on a real Temporal dev server: real DNS (dnsmasq), a real log store
// (SQLite FTS5 fed a squid access log), Riposte's own stand-ins for tickets and egress, and
// vendors (VirusTotal, AbuseIPDB, Elastic Defend) through nock from their documented shapes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { AbuseIpDbClient } from '../../activities/abuseipdb/client.ts';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { OpenTicketInput } from '../../activities/ticketing/types.ts';
import type { BlockEgressInput } from '../../activities/containment/types.ts';
import { ActsThenFailsEgress, RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { importFile } from '../../activities/logstore/importers.ts';
import { LogStore } from '../../activities/logstore/store.ts';
import { RateLimiter } from '../../activities/shared/rate-limit.ts';
import { VirusTotalClient } from '../../activities/virustotal/client.ts';
import { Secret } from '../../config/secret.ts';
import { approvalUpdate, playbookAlertsSignal } from '../../workflows/definitions.ts';
import { c2Alert, playbookInput } from '../helpers/alerts.ts';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';
import { fixture } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startPlaybookHarness, type HarnessOptions, type PlaybookHarness } from '../helpers/playbooks.ts';

const VT = 'https://www.virustotal.com/api/v3';
const ABUSE = 'https://api.abuseipdb.com/api/v2';
const KIBANA = 'https://kibana.test:5601';
const VT_KEY = 'vt-secret-key-must-not-leak-123';
const PLAYBOOK = 'suspectedC2Playbook';

describe('suspected-c2 playbook on a real Temporal dev server', () => {
  let dns: Dnsmasq;
  let pb: PlaybookHarness;

  before(async () => {
    setupNock();
    dns = await startDnsmasq({ 'c2-never-seen.test': '203.0.113.7', 'c2-second.test': '203.0.113.8' });
  });
  after(() => dns.stop());
  afterEach(async () => {
    await pb?.stop();
    checkNock();
  });

  const harness = async (o: HarnessOptions = {}) => (pb = await startPlaybookHarness('c2', { dns: { servers: [dns.server], timeoutMs: 1000 }, ...o }));
  const vt = () => new VirusTotalClient({ baseUrl: VT, apiKey: new Secret(VT_KEY) });

  it('when an analyst approves, it blocks egress to the C2 address and notes every step on the ticket', async () => {
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ remoteIp: '203.0.113.7' })));
    const waiting = await pb.awaitingApproval(h);
    assert.equal(waiting.approvals[0]?.id, 'contain-egress');
    assert.match(waiting.approvals[0]?.action ?? '', /block egress from 10\.20\.0\.5 to 203\.0\.113\.7/);
    assert.deepEqual(waiting.approvals[0]?.targets, ['block egress from 10.20.0.5 to 203.0.113.7 — recording']);
    await pb.decide(h, 'contain-egress', 'approve', 'alice', 'confirmed beacon');
    const done = await pb.result(h);
    assert.equal(done.status, 'contained');
    assert.equal(done.containment?.simulated, false);
    assert.deepEqual(pb.egress.blocks.map((b) => [b.hostIp, b.addresses]), [['10.20.0.5', ['203.0.113.7']]]);
    assert.deepEqual(done.actions?.map((a) => [a.id, a.op, a.driver, a.simulated, a.approvedBy, a.undo?.op]), [['suspected-c2-block-egress-1', 'block-egress', 'recording', false, 'alice', 'unblock-egress']]);
    assert.equal(done.approvals[0]?.decidedBy, 'alice');
    assert.equal(pb.tickets.opened.length, 1);
    assert.deepEqual(pb.tickets.noteKeys(), ['approval-requested', 'approval-decided', 'containment-suspected-c2-block-egress-1', 'report']);
    const report = pb.tickets.notes.at(-1)?.text ?? '';
    assert.match(report, /approved by alice/);
    assert.match(report, /blocked 203\.0\.113\.7 — recording, action suspected-c2-block-egress-1 \(undo available\)/);
    assert.match(report, /Timings:/);
    assert.equal(done.report, report);
  });

  it('when the analyst rejects, nothing is blocked and the case closes', async () => {
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert()));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'contain-egress', 'reject', 'bob');
    const done = await pb.result(h);
    assert.equal(done.status, 'closed');
    assert.equal(pb.egress.blocks.length, 0);
    assert.equal(done.approvals[0]?.status, 'rejected');
    assert.deepEqual(done.actions, []);
  });

  it('when the approval times out, it escalates and by default does not contain', async () => {
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert(), { approvalTimeout: '2s', onApprovalTimeout: 'none' }));
    const done = await pb.result(h);
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals[0]?.status, 'timed_out');
    assert.ok(done.timeline.some((t) => t.step === 'escalate' && /nobody decided within 2s/.test(t.message)));
    assert.ok(pb.tickets.noteKeys().includes('escalation'));
    assert.ok(done.skipped?.some((s) => s.step === 'page' && s.enableWith.includes('PAGERDUTY_ROUTING_KEY')), 'nobody to page is said, with what would enable it');
    assert.equal(pb.egress.blocks.length, 0);
  });

  it('when the approval times out and the playbook default is to contain, it contains', async () => {
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert(), { approvalTimeout: '2s', onApprovalTimeout: 'contain' }));
    const done = await pb.result(h);
    assert.equal(done.status, 'contained');
    assert.equal(pb.egress.blocks.length, 1);
  });

  it('a below-High alert with no reputation source configured closes without asking, and says what would enable the sources', async () => {
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ severity_id: 3 })));
    const done = await pb.result(h);
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals.length, 0);
    assert.equal(done.assessment?.conclusive, false);
    const ip = done.skipped?.find((s) => s.step === 'enrich.ip');
    assert.ok(ip?.enableWith.includes('VIRUSTOTAL_API_KEY') && ip.enableWith.includes('ABUSEIPDB_API_KEY'), JSON.stringify(done.skipped));
    assert.ok(done.skipped?.some((s) => s.step === 'ticket') === false, 'the recording ticket system is configured');
  });

  it('a Low alert still asks when VirusTotal calls the domain malicious; the API key stays out of history', async () => {
    nock(VT).get('/domains/c2-never-seen.test').matchHeader('x-apikey', VT_KEY).reply(200, fixture('virustotal/domain-malicious.json'));
    nock(VT).get('/ip_addresses/203.0.113.7').matchHeader('x-apikey', VT_KEY).reply(404, { error: { code: 'NotFoundError', message: 'not found' } }).persist();
    await harness({ deps: { virustotal: vt() } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ severity_id: 2, domain: 'c2-never-seen.test' })));
    const waiting = await pb.awaitingApproval(h);
    assert.equal(waiting.assessment?.level, 'malicious');
    assert.match(waiting.approvals[0]?.action ?? '', /to 203\.0\.113\.7$/, 'it blocks what the domain resolves to');
    const history = JSON.stringify(await h.fetchHistory());
    assert.ok(!history.includes(VT_KEY), 'the VirusTotal key is not in workflow history');
    await pb.decide(h, 'contain-egress', 'reject', 'carol');
    await h.result();
    nock.cleanAll();
  });

  it('when AbuseIPDB vouches for the address, it closes without asking', async () => {
    nock(ABUSE).get('/check').query(true).reply(200, fixture('abuseipdb/check-whitelisted.json'));
    await harness({ deps: { abuseipdb: new AbuseIpDbClient({ baseUrl: ABUSE, apiKey: new Secret('k'.repeat(20)), maxAgeInDays: 90 }) } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ severity_id: 5, remoteIp: '198.51.100.20' })));
    const done = await pb.result(h);
    assert.equal(done.assessment?.level, 'safe');
    assert.equal(done.approvals.length, 0);
    assert.equal(done.status, 'closed');
  });

  it('a failing reputation source is recorded and the response goes on', async () => {
    nock(ABUSE).get('/check').query(true).reply(401, fixture('abuseipdb/error-auth.json'));
    await harness({ deps: { abuseipdb: new AbuseIpDbClient({ baseUrl: ABUSE, apiKey: new Secret('k'.repeat(20)), maxAgeInDays: 90 }) } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert()));
    const waiting = await pb.awaitingApproval(h);
    const failed = waiting.enrichment.find((e) => e.source === 'abuseipdb');
    assert.equal(failed?.status, 'failed');
    assert.ok(failed?.status === 'failed' && failed.errorType === 'IntegrationAuthError');
    await pb.decide(h, 'contain-egress', 'approve', 'dan');
    assert.equal((await pb.result(h)).status, 'contained');
  });

  it('refuses decisions on unknown or already-decided approvals before they reach history', async () => {
    // The block takes a few seconds, so the run is still going when the second decision comes.
    const egress = new (class extends RecordingEgress {
      override async block(input: BlockEgressInput) {
        await new Promise((r) => setTimeout(r, 3000));
        return super.block(input);
      }
    })();
    await harness({ deps: { egress } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert()));
    await pb.awaitingApproval(h);
    const unknown = await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'nope', decision: 'approve', actor: 'eve' }] }).catch((e: unknown) => e);
    assert.ok(unknown instanceof WorkflowUpdateFailedError);
    assert.equal((unknown.cause as { type?: string }).type, 'ApprovalNotFoundError');
    await pb.decide(h, 'contain-egress', 'approve', 'eve');
    const again = await h.executeUpdate(approvalUpdate, { args: [{ approvalId: 'contain-egress', decision: 'approve', actor: 'mallory' }] }).catch((e: unknown) => e);
    assert.ok(again instanceof WorkflowUpdateFailedError);
    assert.equal((again.cause as { type?: string }).type, 'ApprovalNotPendingError');
    const done = await pb.result(h);
    assert.equal(done.approvals[0]?.decidedBy, 'eve', 'the refused decision changed nothing');
    const accepted = (await h.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    assert.equal(accepted.length, 1, 'only the valid decision entered history');
  });

  it('hunts the C2 address in the proxy logs: another host that talked to it joins the case, and the block covers it too', async () => {
    await harness();
    const log = path.join(pb.dataDir, 'access.log');
    const now = Date.now() / 1000;
    const line = (t: number, client: string, url: string, peer: string) => `${t.toFixed(3)}    120 ${client} TCP_MISS/200 5120 GET ${url} - HIER_DIRECT/${peer} text/html\n`;
    fs.writeFileSync(log, line(now - 600, '10.20.0.9', 'http://203.0.113.7/beacon', '203.0.113.7') + line(now - 500, '10.20.0.11', 'http://cdn.test/app.js', '203.0.113.70'));
    const store = new LogStore(path.join(pb.dataDir, 'logs.db'));
    importFile(store, 'squid', log);
    store.close();

    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ remoteIp: '203.0.113.7' })));
    const waiting = await pb.awaitingApproval(h);
    const joined = waiting.scope?.find((s) => s.value === '10.20.0.9');
    assert.equal(joined?.joinedBy, 'hunt');
    assert.match(joined?.reason ?? '', /203\.0\.113\.7/);
    assert.ok(!waiting.scope?.some((s) => s.value === '10.20.0.11'), 'a host that reached a different address (203.0.113.70) is not in scope');
    assert.equal(waiting.sightings?.[0]?.host, '10.20.0.9');
    assert.match(waiting.approvals[0]?.action ?? '', /from 10\.20\.0\.5, 10\.20\.0\.9 to 203\.0\.113\.7/);
    await pb.decide(h, 'contain-egress', 'approve');
    const done = await pb.result(h);
    assert.deepEqual(pb.egress.blocks.map((b) => b.hostIp).sort(), ['10.20.0.5', '10.20.0.9']);
    assert.equal(done.actions?.length, 2);
    assert.match(done.report ?? '', /host 10\.20\.0\.9: hunt — seen with 203\.0\.113\.7/);
  });

  it('a domain this estate has never seen raises the score: a Medium alert asks the first time, not the second', async () => {
    await harness();
    const first = await pb.start(PLAYBOOK, playbookInput(c2Alert({ severity_id: 3, domain: 'c2-never-seen.test', uid: 'fs-1' })));
    const waiting = await pb.awaitingApproval(first);
    assert.equal(waiting.assessment?.level, 'suspicious');
    assert.equal(waiting.assessment?.score, 30);
    assert.ok(waiting.assessment?.reasons.some((r) => /c2-never-seen\.test was never seen before in this estate/.test(r)));
    await pb.decide(first, 'contain-egress', 'reject');
    await first.result();
    const second = await pb.start(PLAYBOOK, playbookInput(c2Alert({ severity_id: 3, domain: 'c2-never-seen.test', uid: 'fs-2' })));
    const done = await pb.result(second);
    assert.equal(done.approvals.length, 0, 'seen before: the Medium alert alone does not ask');
    assert.match(done.enrichment.find((e) => e.source === 'first-seen' && e.status === 'ok')?.status === 'ok' ? JSON.stringify(done.enrichment) : '', /first seen/);
  });

  it('never asks to block an address on the never-contain list, and records the refusal', async () => {
    await harness({ env: { RIPOSTE_NEVER_CONTAIN: '203.0.113.0/24, dc1.corp.test' } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ remoteIp: '203.0.113.7' })));
    const done = await pb.result(h);
    assert.equal(done.approvals.length, 0);
    assert.ok(done.timeline.some((t) => t.step === 'contain' && /refused block-egress on 203\.0\.113\.7: .*203\.0\.113\.0\/24 \(RIPOSTE_NEVER_CONTAIN\)/.test(t.message)));
    assert.ok(done.timeline.some((t) => /every target is on the never-contain list/.test(t.message)));
    assert.equal(pb.egress.blocks.length, 0);
  });

  it('with the egress driver not allowed to act (log-only), the case says plainly that nothing was blocked', async () => {
    await harness({ deps: { containment: { live: [] } } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ remoteIp: '203.0.113.7' })));
    const waiting = await pb.awaitingApproval(h);
    assert.match(waiting.approvals[0]?.targets?.[0] ?? '', /simulated \(recording\)/);
    await pb.decide(h, 'contain-egress', 'approve');
    const done = await pb.result(h);
    assert.equal(pb.egress.blocks.length, 0, 'nothing was blocked');
    assert.equal(done.status, 'contained');
    assert.equal(done.containment?.simulated, true);
    assert.equal(done.actions?.[0]?.simulated, true);
    assert.ok(done.timeline.some((t) => t.step === 'contain' && t.message.startsWith('simulated: block egress')));
    assert.match(done.report ?? '', /SIMULATED \(nothing changed\): block egress/);
    assert.ok(done.timeline.some((t) => t.step === 'report' && /simulated: nothing was changed/.test(t.message)));
  });

  it('a block retried after the driver acted (a worker lost mid-call) acts once', async () => {
    const flaky = new ActsThenFailsEgress();
    await harness({ deps: { egress: flaky } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert()));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'contain-egress', 'approve');
    const done = await pb.result(h);
    assert.equal(flaky.calls, 2, 'the driver was called again after the failure');
    assert.equal(flaky.rules.size, 1, 'one rule, under one idempotency key');
    assert.equal(done.actions?.length, 1);
    assert.match(done.timeline.find((t) => t.step === 'contain')?.message ?? '', /already so/);
  });

  it('captures memory of the host before the block when a collector is configured (Elastic Defend)', async () => {
    const dump = Buffer.from('LiME memory image '.repeat(100));
    nock(KIBANA)
      .get('/api/endpoint/metadata')
      .query((q) => String(q.kuery).includes('web-1.corp.test'))
      .reply(200, { data: [{ metadata: { agent: { id: 'agent-web-1' } } }], total: 1 })
      .post('/api/endpoint/action/memory_dump', (b) => b.endpoint_ids[0] === 'agent-web-1')
      .reply(200, { data: { id: 'ra-9', isCompleted: false } })
      .get('/api/endpoint/action/ra-9')
      .reply(200, { data: { id: 'ra-9', isCompleted: true, wasSuccessful: true } })
      .get('/api/endpoint/action/ra-9/file/ra-9.agent-web-1/download')
      .reply(200, dump);
    await harness({ env: { KIBANA_URL: KIBANA, KIBANA_AUTHORIZATION: 'ApiKey a2liYW5hLWtleQ==' } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ remoteIp: '203.0.113.7' })));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'contain-egress', 'approve');
    const done = await pb.result(h);
    assert.equal(done.evidence?.length, 1);
    assert.equal(done.evidence?.[0]?.kind, 'memory-dump');
    assert.match(done.evidence?.[0]?.source ?? '', /web-1\.corp\.test \(agent-web-1\)/);
    const steps = done.timeline.map((t) => t.step);
    assert.ok(steps.indexOf('collect') < steps.indexOf('contain'), `memory before the block: ${steps.join(', ')}`);
    assert.match(done.report ?? '', /memory-dump of web-1\.corp\.test .*sha256 [0-9a-f]{64}/);
  });

  it('a later alert with a new C2 address joins the running response: a second round asks for it', async () => {
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ remoteIp: '203.0.113.7', uid: 'round-1' })));
    await pb.awaitingApproval(h);
    await h.signal(playbookAlertsSignal, { alerts: [c2Alert({ remoteIp: '203.0.113.99', uid: 'round-2' }), c2Alert({ remoteIp: '203.0.113.7', uid: 'round-2-repeat' })] });
    await pb.decide(h, 'contain-egress', 'approve');
    const second = await pb.awaitingApproval(h);
    const next = second.approvals.find((a) => a.status === 'pending');
    assert.equal(next?.id, 'contain-egress-2');
    assert.match(next?.action ?? '', /to 203\.0\.113\.99$/, 'only the new address');
    await pb.decide(h, 'contain-egress-2', 'approve');
    const done = await pb.result(h);
    assert.deepEqual(pb.egress.blocks.map((b) => b.addresses[0]), ['203.0.113.7', '203.0.113.99']);
    assert.deepEqual(done.indicators?.filter((i) => i.value.startsWith('203.')).map((i) => i.value).sort(), ['203.0.113.7', '203.0.113.99']);
    assert.equal(done.alertIds.length, 3);
  });

  it('a later alert from another host talking to the same C2 address asks to block that host too, and only it', async () => {
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ remoteIp: '203.0.113.7', uid: 'host-1' })));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'contain-egress', 'approve');
    await h.signal(playbookAlertsSignal, { alerts: [c2Alert({ remoteIp: '203.0.113.7', hostIp: '10.20.0.6', hostname: 'web-2.corp.test', uid: 'host-2' })] });
    const second = await pb.awaitingApproval(h);
    const next = second.approvals.find((a) => a.status === 'pending');
    assert.equal(next?.action, 'block egress from 10.20.0.6 to 203.0.113.7');
    assert.ok(second.scope?.some((s) => s.value === 'web-2.corp.test' && s.joinedBy === 'alert'));
    await pb.decide(h, next?.id as string, 'approve');
    await pb.result(h);
    assert.deepEqual(pb.egress.blocks.map((b) => b.hostIp), ['10.20.0.5', '10.20.0.6']);
  });

  it('a lookup queued behind VirusTotal\u2019s rate limit waits its turn (longer than a lookup used to be allowed) instead of failing', async () => {
    // One lookup per 35 s: the second VirusTotal lookup of this alert waits ~35 s, past the 30 s a
    // lookup activity was once allowed; it heartbeats while it waits and completes.
    const limited = new VirusTotalClient({ baseUrl: VT, apiKey: new Secret(VT_KEY), limiter: new RateLimiter({ limit: 1, intervalMs: 35_000 }) });
    nock(VT).get('/domains/c2-never-seen.test').reply(200, fixture('virustotal/domain-malicious.json'));
    nock(VT).get('/ip_addresses/203.0.113.7').reply(200, fixture('virustotal/ip-clean.json'));
    await harness({ deps: { virustotal: limited } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ domain: 'c2-never-seen.test', remoteIp: '203.0.113.7', severity_id: 2 })));
    const waiting = await pb.awaitingApproval(h, 90_000);
    const vtOutcomes = waiting.enrichment.filter((e) => e.source === 'virustotal');
    assert.deepEqual(vtOutcomes.map((e) => e.status), ['ok', 'ok'], JSON.stringify(vtOutcomes));
    // The quick lookup (a local activity) asked what it could at once; only the lookup that had to
    // wait went to a regular, heartbeating activity, which asked that one source for that one value.
    const scheduled = await activitiesScheduled(h);
    assert.deepEqual(
      scheduled.filter((a) => a.type === 'enrichmentLookup').map((a) => (a.input as { only?: unknown }).only),
      [[{ source: 'virustotal', value: '203.0.113.7' }]]
    );
    await pb.decide(h, 'contain-egress', 'reject');
    await pb.result(h);
  });

  it('lookups, the hunt and ticket updates are quick calls in the workflow task; one that fails there is made again by a regular activity, once', async () => {
    // The ticket system is down for the first call: the local attempt fails, a regular activity
    // (retried with backoff) opens the ticket. Its idempotency key keeps it to one ticket.
    const tickets = new (class extends RecordingTickets {
      attempts = 0;
      override async open(input: OpenTicketInput) {
        if (++this.attempts === 1) throw ApplicationFailure.retryable('ticket system unavailable (test)', 'IntegrationUnavailableError');
        return super.open(input);
      }
    })();
    nock(VT).get('/domains/c2-never-seen.test').reply(200, fixture('virustotal/domain-malicious.json'));
    nock(VT).get('/ip_addresses/203.0.113.7').reply(200, fixture('virustotal/ip-clean.json'));
    await harness({ deps: { virustotal: vt(), tickets } });
    const h = await pb.start(PLAYBOOK, playbookInput(c2Alert({ domain: 'c2-never-seen.test', remoteIp: '203.0.113.7', severity_id: 2 })));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'contain-egress', 'reject');
    const done = await pb.result(h);
    assert.equal(tickets.attempts, 2, 'the local attempt, then the regular activity');
    assert.equal(tickets.opened.length, 1);
    assert.equal(done.ticket?.key, 'REC-1');
    assert.deepEqual(done.enrichment.filter((e) => e.source === 'virustotal').map((e) => e.status), ['ok', 'ok'], JSON.stringify(done.enrichment));
    const scheduled = (await activitiesScheduled(h)).map((a) => a.type);
    assert.deepEqual(scheduled, ['ticketingOpenTicket'], 'only the failed quick call became a regular activity');
    const locals = await localActivitiesRecorded(h);
    for (const type of ['enrichmentLookup', 'huntingSearch', 'ticketingOpenTicket', 'ticketingAddNote']) assert.ok(locals.includes(type), `${type} ran as a local activity (${locals.join(', ')})`);
  });

  it('an alert naming more indicators than a round takes acts on the first 25 and names the rest (for a new run: test/workflows/case.test.ts)', async () => {
    await harness();
    const many = { ...c2Alert({ remoteIp: '198.51.100.1', severity_id: 3 }) };
    many.observables = [...many.observables, ...Array.from({ length: 39 }, (_, i) => ({ type: 'ip' as const, value: `198.51.100.${i + 2}`, role: 'dst' as const }))];
    const done = await pb.result(await pb.start(PLAYBOOK, playbookInput(many)));
    assert.equal(done.indicators?.length, 25);
    assert.deepEqual(done.enrichment.length, 0, 'no reputation source configured: nothing looked up');
    assert.ok(done.timeline.some((t) => /41 indicators; this round takes the first 25, a new run the rest \(198\.51\.100\.26, /.test(t.message)), JSON.stringify(done.timeline.slice(0, 3)));
  });

  it('a dry run takes no side effect and says what it would have done', async () => {
    await harness();
    const input = { ...playbookInput(c2Alert({ remoteIp: '203.0.113.7' })), dryRun: { approvals: 'approve' as const } };
    const done = await pb.result(await pb.start(PLAYBOOK, input));
    assert.equal(done.dryRun, true);
    assert.equal(pb.egress.blocks.length, 0);
    assert.equal(pb.tickets.opened.length, 0);
    assert.equal(pb.tickets.notes.length, 0);
    assert.equal(done.approvals[0]?.status, 'approved');
    assert.equal(done.actions?.[0]?.simulated, true);
    assert.ok(done.timeline.some((t) => /^dry run: would open a recording ticket/.test(t.message)));
    assert.match(done.report ?? '', /DRY RUN/);
  });
});

/** The regular activities a run scheduled, with their inputs. */
async function activitiesScheduled(h: WorkflowHandle): Promise<Array<{ type: string; input: unknown }>> {
  const { events } = await h.fetchHistory();
  return (events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    if (!a) return [];
    const payload = a.input?.payloads?.[0];
    return [{ type: a.activityType?.name ?? '', input: payload ? defaultPayloadConverter.fromPayload(payload) : undefined }];
  });
}

/** The activity types a run's local-activity markers name. */
async function localActivitiesRecorded(h: WorkflowHandle): Promise<string[]> {
  const { events } = await h.fetchHistory();
  return (events ?? []).flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_local_activity') return [];
    const data = m.details?.data?.payloads?.[0];
    const meta = data ? (defaultPayloadConverter.fromPayload(data) as { activity_type?: string }) : undefined;
    return meta?.activity_type ? [meta.activity_type] : [];
  });
}
