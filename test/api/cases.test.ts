// Case management as analysts use it, through the HTTP API with a real worker behind it:
// assign, tag, comment, filter the list, close with a resolution and reopen; a false-positive
// verdict cancels what waits and closes the case; the list's cursor skips nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { assertMatchesDocument } from '../helpers/openapi.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';
import { parseSla, type SlaPolicy } from '../../core/sla.ts';

const testStart = new Date(Date.now() - 1000).toISOString();

describe('case management', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;
  let doc: any;
  const as = (token: string) => ({
    get: (p: string) => api.request('GET', p, { token }),
    post: (p: string, body: unknown = {}) => api.request('POST', p, { token, body }),
  });
  const alice = as(TOKENS.analyst);

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    const taskQueue = uniqueQueue('cases');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    api = await startApi({ client, taskQueue });
    doc = (await api.request('GET', '/v1/openapi.json')).body;
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await closeClient?.();
  });

  async function waitingCase(hostname: string, remoteIp: string): Promise<string> {
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname, hostIp: `10.98.${remoteIp.split('.')[3]}.5`, remoteIp }) });
    assert.equal(posted.status, 202);
    await waitFor(() => alice.get(`/v1/cases/${posted.body.caseId}`), (r) => r.body?.status === 'awaiting_approval', 20_000, 'awaiting_approval');
    return posted.body.caseId;
  }

  it('assign, tag and comment: each in the case and its timeline under the person, and each a filter of the list', async () => {
    const caseId = await waitingCase('mgmt-1.corp.test', '198.51.100.21');
    const assigned = await alice.post(`/v1/cases/${caseId}/assign`);
    assert.equal(assigned.status, 200);
    assert.equal(assigned.body.assignee, 'alice', 'no assignee given: yourself');
    assert.ok(assigned.body.acknowledgedAt, 'a person acted: the case is acknowledged');
    assert.equal((await alice.post(`/v1/cases/${caseId}/tags`, { add: ['c2', 'mgmt-test'] })).body.tags.join(','), 'c2,mgmt-test');
    const commented = await alice.post(`/v1/cases/${caseId}/comments`, { text: 'beacon every 60 s; checking the proxy' });
    assert.equal(commented.status, 201);
    assert.deepEqual(commented.body.comments.map((c: { by: string; text: string }) => [c.by, c.text]), [['alice', 'beacon every 60 s; checking the proxy']]);
    assert.ok(commented.body.timeline.some((t: { step: string; actor?: string }) => t.step === 'comment' && t.actor === 'alice'));
    assertMatchesDocument(doc, 'POST', '/v1/cases/{caseId}/comments', 201, commented.body);
    assert.equal((await as(TOKENS.viewer).post(`/v1/cases/${caseId}/comments`, { text: 'x' })).status, 403, 'a viewer only reads');
    assert.equal((await alice.post(`/v1/cases/${caseId}/tags`, { add: ['bad tag!'] })).status, 400);

    const ids = async (query: string) => ((await alice.get(`/v1/cases?${query}`)).body.cases as Array<{ caseId: string }>).map((c) => c.caseId);
    for (const query of ['status=awaiting_approval', 'assignee=alice', 'tag=mgmt-test', 'playbook=suspected-c2', 'entity=mgmt-1.corp.test', 'entity=ip:198.51.100.21', 'q=MGMT-1', 'source=ocsf', 'severity=3', 'verdict=none']) {
      assert.ok((await ids(query)).includes(caseId), `listed for ${query}`);
    }
    for (const query of ['status=closed', 'assignee=none', 'tag=other', 'playbook=never-seen-domain', 'entity=nowhere.test', 'q=no-such-text', 'source=guardduty', 'verdict=benign']) {
      assert.ok(!(await ids(query)).includes(caseId), `not listed for ${query}`);
    }
    const listed = await alice.get('/v1/cases?assignee=alice');
    assertMatchesDocument(doc, 'GET', '/v1/cases', 200, listed.body);
    const row = listed.body.cases.find((c: { caseId: string }) => c.caseId === caseId);
    assert.deepEqual([row.status, row.assignee, row.pendingApprovals, row.playbooks], ['awaiting_approval', 'alice', 1, ['suspected-c2']]);
  });

  it('a false-positive verdict rejects the waiting approval (saying why), offers the undo of what was done, and closes the case; reopen and close again', async () => {
    const caseId = await waitingCase('mgmt-2.corp.test', '198.51.100.22');
    const verdict = await alice.post(`/v1/cases/${caseId}/verdict`, { verdict: 'false_positive', comment: 'backup agent' });
    assert.equal(verdict.status, 200, JSON.stringify(verdict.body));
    assert.deepEqual(verdict.body.cancelledApprovals, ['contain-egress']);
    assert.equal(verdict.body.closed, true);
    const closed = await waitFor(() => alice.get(`/v1/cases/${caseId}`), (r) => r.body.approvals[0]?.status === 'rejected', 10_000, 'the approval rejected');
    assert.equal(closed.body.status, 'closed');
    assert.match(closed.body.resolution.text, /judged false positive by alice: backup agent/);
    assert.equal(closed.body.approvals[0].decidedBy, 'alice');
    assert.match(closed.body.approvals[0].comment, /cancelled — judged false positive/);
    assert.equal(closed.body.pendingApprovals.length, 0);
    // The run went on from the rejection and blocked nothing.
    await waitFor(() => client.workflow.getHandle(closed.body.playbooks[0].workflowId).describe(), (d) => d.status.name === 'COMPLETED', 10_000, 'the run to end');
    assert.deepEqual((await alice.get(`/v1/cases/${caseId}`)).body.actions, []);

    assert.equal((await alice.post(`/v1/cases/${caseId}/close`, { resolution: 'again' })).status, 409, 'already closed');
    const reopened = await alice.post(`/v1/cases/${caseId}/reopen`, { comment: 'it beaconed again' });
    assert.equal(reopened.status, 200);
    assert.equal(reopened.body.status, 'open', 'its response has ended; the case is open again');
    assert.equal(reopened.body.resolution, undefined);
    assert.equal((await alice.post(`/v1/cases/${caseId}/reopen`, {})).status, 409, 'not closed');
    const again = await alice.post(`/v1/cases/${caseId}/close`, { resolution: 'confirmed backup agent' });
    assert.equal(again.status, 200);
    assert.deepEqual([again.body.status, again.body.resolution.text, again.body.resolution.by], ['closed', 'confirmed backup agent', 'alice']);
    assert.ok(['verdict', 'close', 'reopen', 'close'].every((step) => again.body.timeline.some((t: { step: string }) => t.step === step)));
    assert.equal((await alice.post('/v1/cases/cs_0000000000000000/close', { resolution: 'x' })).status, 404);

    // Every one of these is in the audit trail, with the person.
    const trail = (await api.audit.list({ caseId, limit: 100 })).map((e) => `${e.action}:${e.actor}:${e.status}`);
    assert.ok(['setCaseVerdict:alice:200', 'closeCase:alice:409', 'reopenCase:alice:200', 'closeCase:alice:200'].every((e) => trail.includes(e)), trail.join(' '));
  });

  it('times each case — detect, acknowledge, contain, resolve — and sums the timings up by group', async () => {
    const caseId = await waitingCase('mgmt-3.corp.test', '198.51.100.23');
    const approval = (await alice.get(`/v1/cases/${caseId}`)).body.pendingApprovals[0];
    assert.equal((await alice.post(`/v1/cases/${caseId}/approvals/${approval.id}`, { decision: 'approve' })).status, 200);
    const contained = await waitFor(() => alice.get(`/v1/cases/${caseId}`), (r) => r.body.status === 'contained', 20_000, 'contained');
    const t = contained.body.timings;
    assert.ok(t.detectMs >= 0 && t.acknowledgeMs >= 0 && t.containMs >= t.acknowledgeMs, JSON.stringify(t));
    assert.equal(t.resolveMs, undefined, 'not closed yet');
    const action = contained.body.actions[0];
    assert.equal(t.containMs, Date.parse(action.at) - Date.parse(contained.body.createdAt), 'contained when the block was in place');
    await alice.post(`/v1/cases/${caseId}/close`, { resolution: 'blocked; host reimaged' });
    const resolved = (await alice.get(`/v1/cases/${caseId}`)).body.timings;
    assert.ok(resolved.resolveMs >= resolved.containMs);

    // The incident report, in the three forms a review uses; what people wrote is escaped in HTML.
    await alice.post(`/v1/cases/${caseId}/comments`, { text: 'proxy logs attached <script>alert(1)</script> | ok' });
    const md = await api.request('GET', `/v1/cases/${caseId}/report`, { token: TOKENS.viewer });
    assert.equal(md.status, 200);
    assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
    for (const heading of ['## Summary', '## What happened', '## What was found', '## Who decided what', '## What was done and undone', '## Timings', '## Timeline']) assert.ok(md.body.includes(heading), heading);
    assert.match(md.body, /approval "[^"]+": approved/);
    assert.match(md.body, /\| alice \|/, 'who decided is named');
    assert.ok(md.body.includes(action.description), 'what was done');
    assert.match(md.body, /closed .*blocked; host reimaged|blocked; host reimaged/);
    const html = await api.request('GET', `/v1/cases/${caseId}/report`, { token: TOKENS.viewer, headers: { accept: 'text/html' } });
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(html.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;') && !html.body.includes('<script>alert(1)'), 'escaped');
    assert.match(html.body, /@media print/);
    const json = await alice.get(`/v1/cases/${caseId}/report?format=json`);
    assert.deepEqual(json.body.sections.map((x: { heading: string }) => x.heading).slice(0, 2), ['Summary', 'What happened']);
    assert.equal((await alice.get('/v1/cases/cs_0000000000000000/report')).status, 404);

    const summary = await alice.get(`/v1/metrics/summary?groupBy=playbook&since=${encodeURIComponent(contained.body.createdAt)}`);
    assert.equal(summary.status, 200, JSON.stringify(summary.body));
    assertMatchesDocument(doc, 'GET', '/v1/metrics/summary', 200, summary.body);
    const c2 = summary.body.groups.find((g: { key: string }) => g.key === 'suspected-c2');
    assert.ok(c2.cases >= 1 && c2.contain.n >= 1 && c2.resolve.n >= 1 && c2.contain.p50 <= c2.contain.p90, JSON.stringify(c2));
    assert.equal((await alice.get('/v1/metrics/summary?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z')).status, 422);
    assert.equal((await alice.get('/v1/metrics/summary?groupBy=colour')).status, 400);
  });

  it('one false-positive verdict closes many cases at once, each as if alone; an unknown case is named, not fatal', async () => {
    const a = await waitingCase('bulk-1.corp.test', '198.51.100.31');
    const b = await waitingCase('bulk-2.corp.test', '198.51.100.32');
    const res = await alice.post('/v1/cases/verdicts', { caseIds: [a, b, 'cs_0000000000000000'], verdict: 'false_positive', comment: 'scanner burst' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertMatchesDocument(doc, 'POST', '/v1/cases/verdicts', 200, res.body);
    assert.deepEqual(res.body.results.map((r: { caseId: string; status: number; closed?: boolean }) => [r.caseId, r.status, r.closed ?? null]), [[a, 200, true], [b, 200, true], ['cs_0000000000000000', 404, null]]);
    for (const id of [a, b]) {
      const c = await waitFor(() => alice.get(`/v1/cases/${id}`), (r) => r.body.approvals[0]?.status === 'rejected', 10_000, 'rejected');
      assert.deepEqual([c.body.status, c.body.verdict.verdict, c.body.verdict.by], ['closed', 'false_positive', 'alice']);
    }
    assert.equal((await alice.post('/v1/cases/verdicts', { caseIds: [], verdict: 'benign' })).status, 400);
  });

  it('triage: each case says its priority and why; verdicts teach it; the list sorts by it', async () => {
    const post = async (hostname: string, last: number, severity_id = 4) => {
      const r = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname, hostIp: `10.97.0.${last}`, remoteIp: `198.51.100.${last}`, severity_id }) });
      assert.equal(r.status, 202);
      return r.body.caseId as string;
    };
    const before = (await alice.get(`/v1/cases/${await post('triage-1.corp.test', 1)}`)).body;
    assert.ok(before.triage, 'a new case is triaged');
    assert.equal(before.priority, before.triage.priority);
    assert.ok(before.triage.reasons.some((r: string) => r.startsWith('High severity')), `the reasons name the severity: ${before.triage.reasons.join(' | ')}`);
    assert.ok(before.triage.reasons.some((r: string) => r.startsWith('false-positive likelihood')), 'and the false-positive likelihood');

    // An analyst's false positive on this rule on triage-2: the next alert there (it joins the
    // closed case) is judged more likely benign, and says why.
    const first = await post('triage-2.corp.test', 2);
    const v = await alice.post(`/v1/cases/${first}/verdict`, { verdict: 'false_positive', comment: 'backup agent' });
    assert.equal(v.status, 200, JSON.stringify(v.body));
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname: 'triage-2.corp.test', hostIp: '10.97.0.3', remoteIp: '198.51.100.3' }) });
    const again = (await alice.get(`/v1/alerts/${posted.body.alertId}`)).body;
    assert.equal(again.triage.fpBasis, 'the one case of rule "Periodic beacon" on host:triage-2.corp.test was a false positive');
    assert.ok(again.triage.fpLikelihood > before.triage.fpLikelihood, `the verdict raised the likelihood (${before.triage.fpLikelihood} → ${again.triage.fpLikelihood})`);
    assert.ok(again.triage.priority < before.triage.priority, `and lowered the priority (${before.triage.priority} → ${again.triage.priority})`);

    const critical = await post('triage-3.corp.test', 5, 5);
    const list = await alice.get('/v1/cases?sort=priority&limit=100');
    assert.equal(list.status, 200);
    assertMatchesDocument(doc, 'GET', '/v1/cases', 200, list.body);
    const priorities = list.body.cases.map((c: { priority: number }) => c.priority);
    assert.deepEqual(priorities, [...priorities].sort((a, b) => b - a), 'highest priority first');
    const order = list.body.cases.map((c: { caseId: string }) => c.caseId);
    assert.ok(order.indexOf(critical) >= 0 && order.indexOf(critical) < order.indexOf(first), 'the critical alert before the false positive');
    assert.ok(list.body.cases.every((c: { triage?: { reasons: string[] } }) => !c.triage || c.triage.reasons.length > 0), 'every triaged case says why');
  });

  it('the list cursor skips nothing, even for cases created in the same millisecond', async () => {
    // One request, three alerts naming three unrelated hosts: three cases, one commit, one timestamp.
    const items = [1, 2, 3].map((n) => ({ ...c2Finding({ hostname: `same-ms-${n}.corp.test`, hostIp: `10.99.0.${n}`, remoteIp: `192.0.2.${60 + n}` }) }));
    const posted = await api.request('POST', '/v1/alerts/ocsf', { token: TOKENS.source, body: items });
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const made = new Set(posted.body.results.map((r: { caseId: string }) => r.caseId));
    assert.equal(made.size, 3);
    const created = new Set(await Promise.all([...made].map(async (id) => (await alice.get(`/v1/cases/${id}`)).body.createdAt)));
    assert.equal(created.size, 1, 'all three created at the same instant');
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await alice.get(`/v1/cases?limit=1&q=same-ms-${next ? `&before=${encodeURIComponent(next)}` : ''}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...page.body.cases.map((c: { caseId: string }) => c.caseId));
      next = page.body.next;
    } while (next);
    assert.deepEqual([...seen].sort(), [...made].sort());
  });

  it('the period report sums up what came in, what became of it, how fast, and what was noise', async () => {
    const r = await alice.get(`/v1/reports/summary?since=${encodeURIComponent(testStart)}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.alerts.alerts >= 8 && r.body.cases.opened >= 8, JSON.stringify(r.body));
    assert.deepEqual(r.body.alerts.bySource.map((s: { source: string }) => s.source), ['ocsf']);
    assert.ok(r.body.cases.byVerdict.false_positive >= 1, JSON.stringify(r.body.cases));
    assert.ok(r.body.cases.falsePositiveRate > 0 && r.body.cases.falsePositiveRate <= 1, JSON.stringify(r.body.cases));
    assert.ok(r.body.cases.byStatus.closed >= 2, JSON.stringify(r.body.cases.byStatus));
    assert.equal(r.body.alerts.topRules[0].rule, 'Periodic beacon');
    // The most frequent entities first, ties by name (the same on SQLite and PostgreSQL).
    const top = r.body.alerts.topEntities as Array<{ entity: string; alerts: number }>;
    assert.ok(top.length > 0 && top.length <= 10, JSON.stringify(top));
    assert.deepEqual(top, [...top].sort((a, b) => b.alerts - a.alerts || (a.entity < b.entity ? -1 : 1)), 'ordered');
    assert.ok(top.every((e) => /^(hostname|ip|domain):/.test(e.entity) && e.alerts >= 1), JSON.stringify(top));
    assert.ok(r.body.timings.contain.n >= 1 && r.body.timings.resolve.n >= 2, JSON.stringify(r.body.timings));
    assert.deepEqual(Object.keys(r.body.suppression), ['suppressed', 'share', 'byRule']);
    const md = await api.request('GET', `/v1/reports/summary?since=${encodeURIComponent(testStart)}&format=markdown`, { token: TOKENS.viewer });
    assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
    for (const h of ['## Volumes', '## Outcomes', '## Timings', '## Top rules', '## Top entities', '## Suppression']) assert.ok(md.body.includes(h), h);
    assert.equal((await alice.get('/v1/reports/summary?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z')).status, 422);
  });
});

describe('service levels', () => {
  it('a case not acknowledged in time is flagged, listed as breached, counted and escalated once; a case acknowledged in time is not', async () => {
    const { client, close } = await testClient();
    const taskQueue = uniqueQueue('sla');
    const worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    const api = await startApi({ client, taskQueue, sla: (parseSla('high:1s/1h') as { policy: SlaPolicy }).policy });
    try {
      const post = (n: number) => api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname: `sla-${n}.corp.test`, hostIp: `10.55.0.${n}`, remoteIp: `198.51.100.${150 + n}` }) });
      const late = (await post(1)).body.caseId;
      const onTime = (await post(2)).body.caseId;
      assert.equal((await api.request('POST', `/v1/cases/${onTime}/assign`, { token: TOKENS.analyst, body: {} })).status, 200, 'acknowledged at once');
      const before = (await api.request('GET', `/v1/cases/${late}`, { token: TOKENS.analyst })).body;
      assert.deepEqual(before.sla.breached, []);
      assert.equal(Date.parse(before.sla.acknowledgeBy) - Date.parse(before.createdAt), 1000);
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(await api.slaWatch.tick(), 1, 'one new breach');
      assert.equal(await api.slaWatch.tick(), 0, 'and only once');
      const after = (await api.request('GET', `/v1/cases/${late}`, { token: TOKENS.analyst })).body;
      assert.deepEqual(after.sla.breached, ['acknowledge']);
      assert.ok(after.timeline.some((t: { step: string; message: string }) => t.step === 'sla' && /not acknowledged by/.test(t.message)));
      assert.deepEqual((await api.request('GET', `/v1/cases/${onTime}`, { token: TOKENS.analyst })).body.sla.breached, []);
      const listed = (await api.request('GET', '/v1/cases?breached=true', { token: TOKENS.analyst })).body.cases.map((c: { caseId: string }) => c.caseId);
      assert.ok(listed.includes(late) && !listed.includes(onTime));
      const escalation = await client.workflow.getHandle(`sla-${late}-acknowledge`).result();
      assert.deepEqual(escalation, { told: [], skipped: 'no notification channel or pager is configured' });
      assert.match(await api.metrics.registry.metrics(), /riposte_sla_breaches_total\{kind="acknowledge",severity="High"\} 1/);
      // Temporal drops the escalation's workflow (its retention ends): the record still says it happened, and nobody is paged again.
      await client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: `sla-${late}-acknowledge` } });
      await waitFor(() => client.workflow.getHandle(`sla-${late}-acknowledge`).describe().then(() => false, () => true), (gone) => gone, 60_000, 'escalation deleted');
      assert.equal(await api.slaWatch.tick(), 0);
      await assert.rejects(client.workflow.getHandle(`sla-${late}-acknowledge`).describe(), /not found/i, 'no second escalation');
    } finally {
      await api.close();
      await worker.stop();
      await close();
    }
  });
});
