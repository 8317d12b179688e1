// The two reads the console's alerts and metrics pages stand on: GET /v1/alerts (every alert of
// a period, suppressed ones with their rule, narrowed as asked) and GET /v1/metrics/series
// (counts and timings per hour or day), each held to the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { assertMatchesDocument } from '../helpers/openapi.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

describe('GET /v1/alerts and GET /v1/metrics/series', () => {
  let api: TestApi;
  let closeClient: () => Promise<void>;
  let doc: any;
  const ids: Record<string, string> = {};
  let ruleId = '';

  before(async () => {
    const { client, close } = await testClient();
    closeClient = close;
    api = await startApi({ client, taskQueue: uniqueQueue('console-reads') });
    doc = (await api.request('GET', '/v1/openapi.json')).body;
    const rule = await api.request('POST', '/v1/suppressions', { token: TOKENS.analyst, body: { match: { kind: 'ip', value: '192.0.2.99' }, reason: 'the scanner' } });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    ruleId = rule.body.id;
    const post = async (name: string, o: Parameters<typeof c2Finding>[0]) => {
      const res = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `reads-${name}-${Date.now()}`, ...o }) });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      ids[name] = res.body.alertId;
    };
    await post('low', { hostname: 'reads-a', hostIp: '10.79.0.1', remoteIp: '198.51.100.91', severity_id: 2 });
    await post('critical', { hostname: 'reads-b', hostIp: '10.79.0.2', remoteIp: '198.51.100.92', severity_id: 5 });
    await post('scanner', { hostname: 'reads-c', hostIp: '10.79.0.3', remoteIp: '192.0.2.99', severity_id: 3 });
  });
  after(async () => {
    await api?.close();
    await closeClient?.();
  });

  const list = async (query: string) => {
    const res = await api.request('GET', `/v1/alerts?${query}`, { token: TOKENS.viewer });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertMatchesDocument(doc, 'GET', '/v1/alerts', 200, res.body);
    return res.body as { alerts: Array<{ id: string; suppressedBy: string | null; caseId: string | null; raw?: unknown }>; more: boolean; capped: boolean };
  };

  it('lists the alerts newest first, suppressed ones with the rule that held them back, and narrows as asked', async () => {
    const all = await list('');
    assert.deepEqual(all.alerts.map((a) => a.id), [ids.scanner, ids.critical, ids.low], 'every alert, newest first, the suppressed one included');
    const held = all.alerts[0];
    assert.deepEqual([held?.suppressedBy, held?.caseId], [ruleId, null], 'the suppressed alert names its rule and has no case');
    assert.equal(held?.raw, undefined, 'no raw payloads in a list');
    assert.deepEqual((await list('suppressed=true')).alerts.map((a) => a.id), [ids.scanner]);
    assert.deepEqual((await list(`suppressedBy=${ruleId}`)).alerts.map((a) => a.id), [ids.scanner]);
    assert.deepEqual((await list('suppressed=false&severity=4')).alerts.map((a) => a.id), [ids.critical]);
    assert.deepEqual((await list('q=READS-A')).alerts.map((a) => a.id), [ids.low], 'text matches an observable, whatever its case');
    assert.deepEqual((await list('source=guardduty')).alerts, []);
    const one = await list('limit=1');
    assert.deepEqual([one.alerts.length, one.more, one.capped], [1, true, false], 'more says the limit cut the list');
    assert.deepEqual((await list(`until=${new Date(Date.now() - 3_600_000).toISOString()}`)).alerts, [], 'until bounds the period');
    assert.equal((await api.request('GET', '/v1/alerts?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', { token: TOKENS.viewer })).status, 422);
    assert.equal((await api.request('GET', '/v1/alerts?limit=0', { token: TOKENS.viewer })).status, 400);
    assert.equal((await api.request('GET', '/v1/alerts', { token: TOKENS.source })).status, 403);
  });

  it('counts per bucket: alerts by source and suppressed, cases by verdict, false positives by rule', async () => {
    const caseId = (await api.request('GET', `/v1/alerts/${ids.low}`, { token: TOKENS.viewer })).body.caseId as string;
    const verdict = await api.request('POST', `/v1/cases/${caseId}/verdict`, { token: TOKENS.analyst, body: { verdict: 'false_positive' } });
    assert.equal(verdict.status, 200, JSON.stringify(verdict.body));
    const res = await api.request('GET', '/v1/metrics/series?bucket=hour', { token: TOKENS.viewer });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertMatchesDocument(doc, 'GET', '/v1/metrics/series', 200, res.body);
    const s = res.body;
    assert.equal(s.buckets.length, 49, 'two days of hours by default, the current hour included');
    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.equal(total(s.alerts.bySource.find((x: { source: string }) => x.source === 'ocsf').counts), 3);
    assert.equal(total(s.alerts.suppressed), 1);
    assert.equal(total(s.cases.opened), 2, 'two cases: the suppressed alert opened none');
    assert.equal(total(s.cases.byVerdict.find((x: { verdict: string }) => x.verdict === 'false_positive').counts), 1);
    assert.deepEqual(s.falsePositives.map((r: { rule: string; judged: number[]; falsePositive: number[] }) => [r.rule, total(r.judged), total(r.falsePositive)]), [['Periodic beacon', 1, 1]]);
    const detect = s.timings.filter((t: { by: string; timing: string }) => t.by === 'severity' && t.timing === 'detect').map((t: { key: string; n: number[] }) => [t.key, total(t.n)]);
    assert.deepEqual(detect, [['Critical', 1], ['Low', 1]], 'time to detect, per severity');
    assert.equal(s.alerts.suppressed.length, s.buckets.length, 'one value per bucket');

    const days = await api.request('GET', '/v1/metrics/series?since=2026-01-01T00:00:00Z&until=2026-01-08T00:00:00Z', { token: TOKENS.viewer });
    assert.deepEqual([days.status, days.body.bucket, days.body.buckets.length, total(days.body.cases.opened)], [200, 'day', 7, 0], 'a past week, by day: nothing then');
    assert.equal((await api.request('GET', '/v1/metrics/series?bucket=hour&since=2025-01-01T00:00:00Z&until=2026-01-01T00:00:00Z', { token: TOKENS.viewer })).status, 422, 'too many hours');
    assert.equal((await api.request('GET', '/v1/metrics/series?bucket=week', { token: TOKENS.viewer })).status, 400);
  });
});
