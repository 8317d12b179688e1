// End to end, the first-seen domain source and its playbook: dnsmasq answers real lookups and
// writes its query log; `npm run logs:import` (the real script, as a process) records the domains
// in the first-seen store and posts an alert for each new one to the real API over HTTP; the case
// runs never-seen-domain on real Temporal, the analyst approves over HTTP, and the case is read
// over HTTP. VirusTotal is nock (documented shapes); tickets and egress are Riposte's recorders.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { FirstSeenStore } from '../../activities/dns/first-seen.ts';
import { VirusTotalClient } from '../../activities/virustotal/client.ts';
import { alertIdFor } from '../../domain/entities.ts';
import { Secret } from '../../config/secret.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startPlaybookHarness, type PlaybookHarness } from '../helpers/playbooks.ts';
import { waitFor } from '../helpers/wait.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VT = 'https://www.virustotal.com/api/v3';
const DAY = 86_400;

/** A VirusTotal v3 domain object (GET /domains/{domain}), shaped as documented: unflagged, registered `days` ago. */
const vtDomain = (domain: string, days: number) => ({
  data: {
    id: domain,
    type: 'domain',
    attributes: {
      last_analysis_stats: { harmless: 60, malicious: 0, suspicious: 0, undetected: 25, timeout: 0 },
      reputation: 0,
      tags: [],
      creation_date: Math.floor(Date.now() / 1000) - days * DAY,
    },
  },
});

/** The alert id the API gives a domain's first-seen alert (source ocsf, deterministic uid). */
const alertIdOf = (domain: string) => alertIdFor('ocsf', `riposte:first-seen-domain:${domain}`);

describe('first-seen domains, end to end: dnsmasq log → logs:import --alert → HTTP API → never-seen-domain → HTTP approval', () => {
  let dns: Dnsmasq;
  let pb: PlaybookHarness;
  let api: TestApi;

  before(async () => {
    setupNock();
    dns = await startDnsmasq({ 'new-c2.test': '203.0.113.77', 'intranet.test': '198.51.100.10' });
    pb = await startPlaybookHarness('nsd-e2e', {
      dns: { servers: [dns.server], timeoutMs: 1000 },
      deps: { virustotal: new VirusTotalClient({ baseUrl: VT, apiKey: new Secret('vt-key-e2e-0123456789') }) },
    });
    api = await startApi({ client: pb.client, taskQueue: pb.worker.taskQueue });
  });
  after(async () => {
    await api?.close();
    await pb?.stop();
    await dns?.stop();
    checkNock();
  });

  /** The importer's environment: the worker's data directory (log store, first-seen store) and the API. */
  const importerEnv = () => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RIPOSTE_'))),
    RIPOSTE_DATA_DIR: pb.dataDir,
    RIPOSTE_API_URL: api.url,
    RIPOSTE_SOURCE_TOKEN: TOKENS.source,
  });

  /** `npm run logs:import -- --kind dnsmasq <dnsmasq's log> …`, as a process. */
  function importer(...args: string[]): Promise<{ code: number | null; out: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import-logs.ts', '--kind', 'dnsmasq', dns.logFile, ...args], { cwd: root, env: importerEnv() });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
  }

  /** Real lookups through dnsmasq from a loopback address standing for an estate host. */
  async function lookup(client: string, ...names: string[]): Promise<void> {
    const r = new Resolver({ timeout: 1000, tries: 1 });
    r.setServers([dns.server]);
    r.setLocalAddress(client);
    for (const n of names) await r.resolve4(n);
    await waitFor(async () => dns.queries(), (q) => names.every((n) => q.includes(n)), 5000, 'the lookups in the query log');
  }

  const getAlert = (domain: string) => api.request('GET', `/v1/alerts/${alertIdOf(domain)}`, { token: TOKENS.analyst });

  it('the importer refuses --alert before a baseline, posts nothing for the baseline, posts a new domain once, and a re-run posts nothing', async () => {
    await lookup('127.0.0.5', 'intranet.test', 'wiki.intranet.test');

    const refused = await importer('--alert');
    assert.equal(refused.code, 2, refused.out);
    assert.match(refused.out, /no baseline yet: import the estate's history once with --baseline/);

    const baseline = await importer('--baseline');
    assert.equal(baseline.code, 0, baseline.out);
    // Three: the two lookups, and the name startDnsmasq asks for to see that it answers.
    assert.match(baseline.out, /3 domains seen for the first time \(baseline, no alerts\)/);
    assert.equal((await getAlert('intranet.test')).status, 404, 'the baseline posts nothing');

    nock(VT).get('/domains/new-c2.test').reply(200, vtDomain('new-c2.test', 2));
    await lookup('127.0.0.5', 'new-c2.test', 'intranet.test');
    await lookup('127.0.0.9', 'new-c2.test');
    const first = await importer('--alert');
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /1 domain seen for the first time \(alerts queued\)/);
    assert.match(first.out, /alerts: 1 posted/);

    const stored = await getAlert('new-c2.test');
    assert.equal(stored.status, 200);
    assert.equal(stored.body.severity_id, 1);
    assert.deepEqual(stored.body.rule, { name: 'First-seen domain', uid: 'riposte:first-seen-domain' });
    assert.deepEqual(stored.body.observables, [
      { type: 'ip', value: '127.0.0.5', role: 'src' },
      { type: 'domain', value: 'new-c2.test', role: 'dst' },
    ]);
    assert.equal((await getAlert('intranet.test')).status, 404, 'a domain in the baseline is not new');

    const again = await importer('--alert');
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /alerts: 0 posted/);
    assert.equal((await getAlert('new-c2.test')).body.count, 1, 'the re-run posted nothing');
  });

  it('the alert becomes a case: the hosts that queried the domain join it, an analyst approves over HTTP, and both hosts are blocked', async () => {
    const { caseId } = (await getAlert('new-c2.test')).body;
    assert.match(caseId, /^cs_/);
    const waiting = await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'awaiting_approval', 30_000, 'the approval request');
    const approval = waiting.body.pendingApprovals[0];
    assert.equal(approval.id, 'block-domain');
    assert.equal(approval.action, 'block egress from 127.0.0.5 to 203.0.113.77; block egress from 127.0.0.9 to 203.0.113.77', 'resolved through real DNS; the second host came from the hunt');
    assert.ok(waiting.body.scope.some((s: { value: string; joinedBy: string }) => s.value === '127.0.0.9' && s.joinedBy === 'hunt'));
    assert.ok(waiting.body.assessment.reasons.some((r: string) => /new-c2\.test was registered 2 days ago/.test(r)));

    const decided = await api.request('POST', `/v1/cases/${caseId}/approvals/${approval.id}`, { token: TOKENS.analyst, body: { decision: 'approve', comment: 'two days old, two hosts' } });
    assert.equal(decided.status, 200);

    const done = await waitFor(
      () => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }),
      (r) => r.body?.status === 'contained' && r.body?.timeline.some((t: { step: string }) => t.step === 'report'),
      30_000,
      'the block'
    );
    assert.deepEqual(done.body.actions.map((a: { target: string; approvedBy: string }) => [a.target, a.approvedBy]), [
      ['127.0.0.5 → 203.0.113.77', 'alice'],
      ['127.0.0.9 → 203.0.113.77', 'alice'],
    ]);
    assert.deepEqual(pb.egress.blocks.map((b) => [b.hostIp, b.addresses]), [['127.0.0.5', ['203.0.113.77']], ['127.0.0.9', ['203.0.113.77']]]);
    assert.equal(pb.tickets.opened.length, 1);
    assert.equal(done.body.ticket.key, 'REC-1');
  });

  it('following the query log (--follow), a later first lookup becomes an alert within seconds; a benign domain closes quietly and is remembered', async () => {
    nock(VT).get('/domains/docs.intranet.test').reply(200, vtDomain('docs.intranet.test', 5000));
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import-logs.ts', '--kind', 'dnsmasq', dns.logFile, '--alert', '--follow', '--interval', '1'], { cwd: root, env: importerEnv() });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => out, (o) => o.includes('following'), 15_000, 'the importer to start following');
      await lookup('127.0.0.23', 'docs.intranet.test');
      const alert = await waitFor(() => getAlert('docs.intranet.test'), (r) => r.status === 200, 15_000, 'the alert');
      const closed = await waitFor(
        () => api.request('GET', `/v1/cases/${alert.body.caseId}`, { token: TOKENS.analyst }),
        // The case itself stays open (running) until its idle timeout; its playbook run has closed.
        (r) => r.body?.playbooks?.[0]?.status === 'closed' && r.body?.timeline.some((t: { step: string }) => t.step === 'report'),
        30_000,
        'the quiet close'
      );
      assert.equal(closed.body.ticket, null, 'no ticket');
      assert.ok(closed.body.timeline.some((t: { step: string; message: string }) => t.step === 'close' && /closed quietly/.test(t.message)));
      assert.deepEqual(closed.body.approvals, []);
      const store = new FirstSeenStore(path.join(pb.dataDir, 'first-seen.db'));
      const remembered = store.verdictOf('docs.intranet.test');
      store.close();
      assert.equal(remembered?.verdict, 'benign');
      assert.equal(remembered?.caseId, alert.body.caseId);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, out);
  });
});
