// The never-seen-domain playbook on a real Temporal dev server: real DNS (dnsmasq, whose query log
// is also the log the hunt searches), the real first-seen store and log store (SQLite), Riposte's
// own stand-ins for tickets and egress, and VirusTotal (and Slack) through nock from their
// documented shapes. The alerts are the ones the first-seen domain source posts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ActsThenFailsEgress } from '../helpers/fakes.ts';
import { FirstSeenStore, type RememberedVerdict } from '../../activities/dns/first-seen.ts';
import { firstSeenFinding } from '../../activities/logstore/first-seen-source.ts';
import { importFile } from '../../activities/logstore/importers.ts';
import { LogStore } from '../../activities/logstore/store.ts';
import { FIRST_SEEN_DOMAIN_RULE as PRODUCER_RULE } from '../../activities/logstore/types.ts';
import { VirusTotalClient } from '../../activities/virustotal/client.ts';
import { normalizeOcsf } from '../../api/sources/ocsf.ts';
import type { NativeAlert } from '../../core/alert.ts';
import type { EnrichmentOutcome } from '../../core/verdict.ts';
import { Secret } from '../../config/secret.ts';
import { FIRST_SEEN_DOMAIN_RULE, assessNeverSeenDomain, isBenign, neverSeenDomain } from '../../workflows/playbooks/never-seen-domain.ts';
import { suspectedC2 } from '../../workflows/playbooks/suspected-c2.ts';
import { playbookAlertsSignal } from '../../workflows/definitions.ts';
import { routesFor } from '../../workflows/routing.ts';
import { playbookInput } from '../helpers/alerts.ts';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';
import { fixture } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startPlaybookHarness, type HarnessOptions, type PlaybookHarness } from '../helpers/playbooks.ts';
import { waitFor } from '../helpers/wait.ts';

const VT = 'https://www.virustotal.com/api/v3';
const VT_KEY = 'vt-secret-key-must-not-leak-456';
const PLAYBOOK = 'neverSeenDomainPlaybook';
const DAY = 86_400;

/** A VirusTotal v3 domain object (GET /domains/{domain}), shaped as documented. */
function vtDomain(domain: string, o: { malicious?: number; suspicious?: number; registeredDaysAgo: number }) {
  return {
    data: {
      id: domain,
      type: 'domain',
      links: { self: `${VT}/domains/${domain}` },
      attributes: {
        last_analysis_date: Math.floor(Date.now() / 1000) - DAY,
        last_analysis_stats: { harmless: 60, malicious: o.malicious ?? 0, suspicious: o.suspicious ?? 0, undetected: 25, timeout: 0 },
        reputation: 0,
        tags: [],
        creation_date: Math.floor(Date.now() / 1000) - o.registeredDaysAgo * DAY,
        categories: {},
        last_dns_records: [],
      },
    },
  };
}

/** The alert the first-seen domain source posts for a domain first queried by `host`. */
function firstSeenAlert(domain: string, host = '127.0.0.5', at = new Date(Date.now() - 60_000).toISOString()): NativeAlert {
  return normalizeOcsf(firstSeenFinding(domain, { at, source: 'dnsmasq /var/log/dnsmasq.log', host }) as never);
}

describe('never-seen-domain playbook on a real Temporal dev server', () => {
  let dns: Dnsmasq;
  let pb: PlaybookHarness;

  before(async () => {
    setupNock();
    dns = await startDnsmasq({ 'fresh.test': '203.0.113.66', 'old.test': '198.51.100.20' });
  });
  after(() => dns.stop());
  afterEach(async () => {
    await pb?.stop();
    checkNock();
  });

  const vt = () => new VirusTotalClient({ baseUrl: VT, apiKey: new Secret(VT_KEY) });
  const harness = async (o: HarnessOptions = {}) =>
    (pb = await startPlaybookHarness('nsd', { dns: { servers: [dns.server], timeoutMs: 1000 }, ...o, deps: { virustotal: vt(), ...o.deps } }));
  const young = (domain: string) => nock(VT).get(`/domains/${domain}`).matchHeader('x-apikey', VT_KEY).reply(200, vtDomain(domain, { registeredDaysAgo: 3 }));
  const established = (domain: string) => nock(VT).get(`/domains/${domain}`).matchHeader('x-apikey', VT_KEY).reply(200, vtDomain(domain, { registeredDaysAgo: 4000 }));
  const verdictOf = (domain: string): RememberedVerdict | undefined => {
    const store = new FirstSeenStore(path.join(pb.dataDir, 'first-seen.db'));
    try {
      return store.verdictOf(domain);
    } finally {
      store.close();
    }
  };

  /** Real lookups through dnsmasq from several loopback addresses, then its query log imported into the harness's log store. */
  async function queriedBy(domain: string, clients: string[]): Promise<void> {
    for (const client of clients) {
      const r = new Resolver({ timeout: 1000, tries: 1 });
      r.setServers([dns.server]);
      r.setLocalAddress(client);
      await r.resolve4(domain);
    }
    await waitFor(async () => dns.queries().filter((q) => q === domain).length, (n) => n >= clients.length, 5000, 'the queries in the dnsmasq log');
    const logs = new LogStore(path.join(pb.dataDir, 'logs.db'));
    importFile(logs, 'dnsmasq', dns.logFile);
    logs.close();
  }

  it('a newly registered domain: a ticket, the hosts that queried it join the case, and once approved egress from each to its address is blocked', async () => {
    const domain = 'happy.fresh.test';
    young(domain);
    await harness();
    await queriedBy(domain, ['127.0.0.5', '127.0.0.9']);
    const h = await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain)));
    const waiting = await pb.awaitingApproval(h);
    assert.equal(waiting.assessment?.level, 'suspicious');
    assert.ok(waiting.assessment?.reasons.some((r) => /happy\.fresh\.test was registered 3 days ago/.test(r)), JSON.stringify(waiting.assessment));
    assert.equal(waiting.scope?.find((s) => s.value === '127.0.0.9')?.joinedBy, 'hunt', 'the other host that queried it joined the case');
    assert.equal(waiting.approvals[0]?.id, 'block-domain');
    assert.equal(waiting.approvals[0]?.action, 'block egress from 127.0.0.5 to 203.0.113.66; block egress from 127.0.0.9 to 203.0.113.66');
    assert.equal(pb.tickets.opened.length, 1, 'the ticket is opened before the approval');
    assert.match(pb.tickets.opened[0]?.title ?? '', /Never-seen domain: happy\.fresh\.test queried by 127\.0\.0\.5/);

    await pb.decide(h, 'block-domain', 'approve', 'alice', 'fresh domain, beacon-like');
    const done = await pb.result(h);
    assert.equal(done.status, 'contained');
    assert.deepEqual(pb.egress.blocks.map((b) => [b.hostIp, b.addresses]), [['127.0.0.5', ['203.0.113.66']], ['127.0.0.9', ['203.0.113.66']]]);
    assert.deepEqual(done.actions?.map((a) => [a.op, a.approvedBy, a.undo?.op]), [['block-egress', 'alice', 'unblock-egress'], ['block-egress', 'alice', 'unblock-egress']]);
    assert.deepEqual(pb.tickets.noteKeys(), ['approval-requested', 'approval-decided', 'containment-never-seen-domain-block-egress-1', 'report']);
    assert.match(done.report ?? '', /approved by alice/);
    assert.equal(verdictOf(domain), undefined, 'a suspicious domain is not remembered as benign');
    assert.ok(!JSON.stringify(await h.fetchHistory()).includes(VT_KEY), 'the VirusTotal key is not in workflow history');
  });

  it('a benign domain (known to VirusTotal, long registered, unflagged) closes quietly — no ticket, no approval, nobody told — and is remembered', async () => {
    const domain = 'quiet.old.test';
    established(domain);
    // Slack is configured: any message to it would be an unexpected request and fail the test.
    await harness({ env: { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_CHANNEL: 'C0SEC' } });
    const h = await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain)));
    const done = await pb.result(h);
    assert.equal(done.status, 'closed');
    assert.equal(done.assessment?.level, 'info');
    assert.equal(done.approvals.length, 0);
    assert.equal(pb.tickets.opened.length, 0);
    assert.equal(pb.egress.blocks.length, 0);
    assert.ok(!done.timeline.some((t) => t.step === 'notify' || t.step === 'ticket'), JSON.stringify(done.timeline));
    assert.ok(done.timeline.some((t) => t.step === 'close' && /closed quietly/.test(t.message)));
    const remembered = verdictOf(domain);
    assert.equal(remembered?.verdict, 'benign');
    assert.equal(remembered?.caseId, done.caseId);
    assert.ok(done.timeline.some((t) => t.step === 'remember' && t.message === `${domain}: remembered as benign (case ${done.caseId}, at ${remembered?.at})`));
  });

  it('when the analyst rejects, nothing is blocked, the case closes, and the domain is not remembered as benign', async () => {
    const domain = 'reject.fresh.test';
    nock(VT).get(`/domains/${domain}`).reply(200, fixture('virustotal/domain-malicious.json'));
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain)));
    const waiting = await pb.awaitingApproval(h);
    assert.equal(waiting.assessment?.level, 'malicious');
    await pb.decide(h, 'block-domain', 'reject', 'bob');
    const done = await pb.result(h);
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals[0]?.status, 'rejected');
    assert.equal(pb.egress.blocks.length, 0);
    assert.deepEqual(done.actions, []);
    assert.deepEqual(pb.tickets.noteKeys(), ['approval-requested', 'approval-decided', 'report']);
    assert.equal(verdictOf(domain), undefined);
  });

  it('when the approval times out, it escalates and by default does not block', async () => {
    const domain = 'timeout.fresh.test';
    young(domain);
    await harness();
    const done = await pb.result(await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain), { approvalTimeout: '2s', onApprovalTimeout: 'none' })));
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals[0]?.status, 'timed_out');
    assert.ok(done.timeline.some((t) => t.step === 'escalate' && /nobody decided within 2s; the playbook default is not to block/.test(t.message)));
    assert.ok(pb.tickets.noteKeys().includes('escalation'));
    assert.ok(done.skipped?.some((s) => s.step === 'page' && s.enableWith.includes('PAGERDUTY_ROUTING_KEY')), 'nobody to page is said, with what would enable it');
    assert.equal(pb.egress.blocks.length, 0);
  });

  it('when the approval times out and the playbook default is to contain, it blocks', async () => {
    const domain = 'timeout-contain.fresh.test';
    young(domain);
    await harness();
    const done = await pb.result(await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain), { approvalTimeout: '2s', onApprovalTimeout: 'contain' })));
    assert.equal(done.status, 'contained');
    assert.deepEqual(pb.egress.blocks.map((b) => [b.hostIp, b.addresses]), [['127.0.0.5', ['203.0.113.66']]]);
    assert.equal(done.actions?.[0]?.approvalId, 'block-domain');
  });

  it('when VirusTotal fails (wrong key), the domain is not judged: it closes without being remembered, or opens a ticket when onInconclusive=ticket', async () => {
    nock(VT).get('/domains/failing.old.test').times(2).reply(401, fixture('virustotal/error-wrong-credentials.json'));
    await harness();
    const closed = await pb.result(await pb.start(PLAYBOOK, playbookInput(firstSeenAlert('failing.old.test', '127.0.0.5', '2026-11-30T10:00:00.000Z'))));
    const failed = closed.enrichment.find((e) => e.source === 'virustotal');
    assert.ok(failed?.status === 'failed' && failed.errorType === 'IntegrationAuthError', JSON.stringify(failed));
    assert.equal(closed.assessment?.level, 'inconclusive');
    assert.ok(closed.assessment?.reasons.some((r) => /virustotal could not be asked about failing\.old\.test/.test(r)));
    assert.equal(closed.status, 'closed');
    assert.equal(pb.tickets.opened.length, 0);
    assert.equal(verdictOf('failing.old.test'), undefined, 'a domain nothing could judge is not remembered as benign');

    const ticketed = await pb.result(
      await pb.start(PLAYBOOK, { ...playbookInput(firstSeenAlert('failing.old.test', '127.0.0.5', '2026-11-30T11:00:00.000Z'), { onInconclusive: 'ticket' }), caseId: 'cs_inconclusive-ticket' })
    );
    assert.equal(ticketed.status, 'closed');
    assert.equal(pb.tickets.opened.length, 1);
    assert.match(pb.tickets.opened[0]?.title ?? '', /not judged: failing\.old\.test/);
    assert.equal(ticketed.approvals.length, 0);
  });

  it('a domain VirusTotal flags but that does not resolve: a ticket says why, and no block is asked', async () => {
    const domain = 'gone.example';
    nock(VT).get(`/domains/${domain}`).reply(200, fixture('virustotal/domain-malicious.json'));
    await harness();
    const done = await pb.result(await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain))));
    assert.equal(done.status, 'closed');
    assert.equal(done.approvals.length, 0);
    assert.ok(done.timeline.some((t) => t.step === 'approval' && /gone\.example does not resolve/.test(t.message)));
    assert.equal(pb.tickets.opened.length, 1);
    assert.deepEqual(pb.tickets.noteKeys(), ['no-address', 'report']);
  });

  it('a block retried after the driver acted (a worker lost mid-call) acts once', async () => {
    const flaky = new ActsThenFailsEgress();
    const domain = 'retry.fresh.test';
    young(domain);
    await harness({ deps: { egress: flaky } });
    const h = await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain)));
    await pb.awaitingApproval(h);
    await pb.decide(h, 'block-domain', 'approve');
    const done = await pb.result(h);
    assert.equal(flaky.calls, 2, 'the driver was called again after the failure');
    assert.equal(flaky.rules.size, 1, 'one rule, under one idempotency key');
    assert.equal(done.actions?.length, 1);
    assert.match(done.timeline.find((t) => t.step === 'contain')?.message ?? '', /already so/);
  });

  it('remembering a benign verdict, retried after the store wrote it, remembers it once', async () => {
    let calls = 0;
    class FlakyStore extends FirstSeenStore {
      override rememberVerdict(key: string, v: RememberedVerdict) {
        calls += 1;
        const answer = super.rememberVerdict(key, v);
        if (calls === 1) throw new Error('disk I/O error after the write');
        return answer;
      }
    }
    const domain = 'remember-retry.old.test';
    established(domain);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-nsd-flaky-'));
    try {
      const file = path.join(dir, 'first-seen.db');
      await harness({ firstSeen: false, dns: { servers: [dns.server], timeoutMs: 1000, firstSeen: new FlakyStore(file) } });
      const done = await pb.result(await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain))));
      assert.equal(calls, 2, 'the activity was retried');
      assert.equal(done.status, 'closed');
      const db = new Database(file, { readonly: true });
      const rows = db.prepare('SELECT verdict, case_id FROM verdicts WHERE domain = ?').all(domain);
      db.close();
      assert.deepEqual(rows, [{ verdict: 'benign', case_id: done.caseId }], 'one verdict, under one idempotency key');
      assert.ok(done.timeline.some((t) => t.step === 'remember' && /remembered as benign/.test(t.message)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a later first-seen alert of the same host joins the running response: each domain is decided on its own', async () => {
    const suspicious = 'round1.fresh.test';
    const benign = 'round2.old.test';
    young(suspicious);
    established(benign);
    await harness();
    const h = await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(suspicious)));
    await pb.awaitingApproval(h);
    await h.signal(playbookAlertsSignal, { alerts: [firstSeenAlert(benign)] });
    await pb.decide(h, 'block-domain', 'approve');
    const done = await pb.result(h);
    assert.equal(done.status, 'contained');
    assert.equal(done.approvals.length, 1, 'the benign domain asks nothing');
    assert.deepEqual(pb.egress.blocks.map((b) => b.addresses), [['203.0.113.66']]);
    assert.deepEqual(done.indicators?.map((i) => i.value), [suspicious, benign]);
    assert.equal(verdictOf(benign)?.verdict, 'benign');
    assert.equal(verdictOf(suspicious), undefined);
    assert.ok(done.timeline.some((t) => t.step === 'round' && t.message.includes(benign)));
  });

  it('a dry run takes no side effect and says what it would have done', async () => {
    const domain = 'dry.fresh.test';
    young(domain);
    await harness();
    const input = { ...playbookInput(firstSeenAlert(domain)), dryRun: { approvals: 'approve' as const } };
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

  it('a dry run of a benign domain says it would remember it, and remembers nothing', async () => {
    const domain = 'dry.old.test';
    established(domain);
    await harness();
    const done = await pb.result(await pb.start(PLAYBOOK, { ...playbookInput(firstSeenAlert(domain)), dryRun: { approvals: 'timeout' as const } }));
    assert.equal(done.status, 'closed');
    assert.ok(done.timeline.some((t) => t.step === 'remember' && t.message === `dry run: would remember ${domain} as benign (case ${done.caseId})`));
    assert.equal(verdictOf(domain), undefined);
    const store = new FirstSeenStore(path.join(pb.dataDir, 'first-seen.db'));
    assert.equal(store.first(domain), null, 'a dry run does not record the sighting either');
    store.close();
  });

  it('with the egress driver not allowed to act (log-only), the case says plainly that nothing was blocked', async () => {
    const domain = 'logonly.fresh.test';
    young(domain);
    await harness({ deps: { containment: { live: [] } } });
    const h = await pb.start(PLAYBOOK, playbookInput(firstSeenAlert(domain)));
    const waiting = await pb.awaitingApproval(h);
    assert.match(waiting.approvals[0]?.targets?.[0] ?? '', /simulated \(recording\)/);
    await pb.decide(h, 'block-domain', 'approve');
    const done = await pb.result(h);
    assert.equal(pb.egress.blocks.length, 0, 'nothing was blocked');
    assert.equal(done.containment?.simulated, true);
    assert.equal(done.actions?.[0]?.simulated, true);
    assert.match(done.report ?? '', /SIMULATED \(nothing changed\): block egress from 127\.0\.0\.5 to 203\.0\.113\.66/);
    assert.ok(done.timeline.some((t) => t.step === 'report' && /simulated: nothing was changed/.test(t.message)));
  });
});

describe('never-seen-domain: route and decision', () => {
  const at = '2026-12-01T12:00:00.000Z';
  const d = { type: 'domain' as const, value: 'x.test' };
  const ok = (source: string, o: { level?: 'safe' | 'info' | 'suspicious' | 'malicious'; found?: boolean; registeredAt?: string } = {}): EnrichmentOutcome => ({
    source,
    observable: d,
    status: 'ok',
    verdict: { source, observable: d, level: o.level ?? 'info', score: o.level === 'malicious' ? 80 : 0, summary: 's', found: o.found ?? true, tags: [], related: [], ...(o.registeredAt ? { registeredAt: o.registeredAt } : {}) },
  });

  it('routes the first-seen domain source\'s alerts here, and only here', () => {
    assert.deepEqual(FIRST_SEEN_DOMAIN_RULE, PRODUCER_RULE, 'the playbook and the producer name the same rule');
    const alert = normalizeOcsf(firstSeenFinding('new.test', { at, source: 'dnsmasq q.log', host: '10.0.0.5' }) as never);
    assert.equal(alert.severity_id, 1);
    assert.equal(neverSeenDomain.route.matches(alert), true);
    assert.equal(suspectedC2.route.matches(alert), false, 'an Informational first sighting does not also start suspected-c2');
    assert.deepEqual(routesFor(alert).map((r) => r.meta.name), ['never-seen-domain']);
    assert.deepEqual(neverSeenDomain.indicators(alert), [{ type: 'domain', value: 'new.test', role: 'dst' }]);
    assert.equal(neverSeenDomain.route.matches({ ...alert, rule: { name: 'Periodic beacon' } }), false);
  });

  it('benign only when a source knows the domain, none flags it, none failed, and it is not newly registered', () => {
    const old = '2010-01-01T00:00:00.000Z';
    assert.equal(isBenign(assessNeverSeenDomain([ok('virustotal', { registeredAt: old })], at)), true);
    assert.equal(assessNeverSeenDomain([ok('virustotal', { registeredAt: '2026-11-20T00:00:00.000Z' })], at).level, 'suspicious');
    assert.equal(assessNeverSeenDomain([ok('virustotal', { level: 'malicious' })], at).askToContain, true);
    const unknown = assessNeverSeenDomain([ok('virustotal', { found: false })], at);
    assert.equal(unknown.level, 'inconclusive');
    assert.ok(unknown.reasons.includes('no reputation source knows x.test; nothing vouches for it'));
    const failing = assessNeverSeenDomain([ok('virustotal', { registeredAt: old }), { source: 'otx', observable: d, status: 'failed', reason: 'HTTP 503' }], at);
    assert.equal(failing.level, 'inconclusive');
    assert.equal(isBenign(failing), false);
    assert.equal(assessNeverSeenDomain([ok('dns'), ok('first-seen')], at).level, 'inconclusive', 'DNS and the first-seen store are context, not reputation');
    assert.equal(isBenign(assessNeverSeenDomain([ok('misp', { level: 'safe' })], at)), true);
  });
});
