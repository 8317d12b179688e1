// The front door for real alert sources: authenticity, batches, idempotency, dedup,
// correlation, suppression and backpressure — through HTTP into a real SQLite alert store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { sign } from '../../api/auth/signature.ts';
import { sourceByName } from '../../api/sources/index.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';
import { assertMatchesDocument } from '../helpers/openapi.ts';

const SECRET = 'guardduty-signing-secret-0123456789';
const OLD_SECRET = 'guardduty-previous-secret-987654321';
const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/sources/${name}`, import.meta.url), 'utf8');
const example = (source: string) => structuredClone(sourceByName(source)!.example) as any;
const now = () => Math.floor(Date.now() / 1000);
const signature = (body: string, t = now(), secret = SECRET) => `t=${t},v1=${sign(secret, t, body)}`;

describe('alert ingestion through the API', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let api: TestApi;
  let suppressionsFile: string;

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    suppressionsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-supp-')), 'suppressions.json');
    fs.writeFileSync(suppressionsFile, JSON.stringify({ domains: [{ value: 'windowsupdate.test', reason: 'OS updates' }] }));
    api = await startApi({
      client,
      taskQueue: uniqueQueue('ingest'),
      env: { RIPOSTE_SOURCE_SECRETS: `guardduty:${SECRET},guardduty:${OLD_SECRET}`, RIPOSTE_SUPPRESSIONS: suppressionsFile, RIPOSTE_RAW_MAX_BYTES: '4096' },
    });
  });
  after(async () => {
    await api?.close();
    await closeClient?.();
  });

  const post = (source: string, body: string, headers: Record<string, string> = {}) =>
    api.request('POST', `/v1/alerts/${source}`, { raw: body, headers: { 'content-type': 'application/json', ...headers } });
  const alertCount = () => api.store.countAlerts();

  describe('authenticity: signed webhooks', () => {
    const finding = () => {
      const e = example('guardduty');
      e.detail.id = `gd-${Math.random().toString(16).slice(2)}`;
      return JSON.stringify(e);
    };

    it('a valid signature is accepted, with the current or the previous secret', async () => {
      const body = finding();
      const res = await post('guardduty', body, { 'x-riposte-signature': signature(body) });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.results[0].outcome, 'new');
      const rotated = finding();
      assert.equal((await post('guardduty', rotated, { 'x-riposte-signature': signature(rotated, now(), OLD_SECRET) })).status, 202);
    });

    it('forged, tampered, stale, future, malformed or missing signatures get 401 and store nothing — checked before parsing', async () => {
      const body = finding();
      const before = await alertCount();
      const cases: Array<[string, Record<string, string>, string?]> = [
        ['wrong secret', { 'x-riposte-signature': signature(body, now(), 'not-the-secret-at-all-xxxxxxxx') }],
        ['one byte changed', { 'x-riposte-signature': signature(body) }, body.replace('"severity":8', '"severity":9')],
        ['stale (6 minutes old)', { 'x-riposte-signature': signature(body, now() - 360) }],
        ['from the future', { 'x-riposte-signature': signature(body, now() + 360) }],
        ['truncated', { 'x-riposte-signature': signature(body).slice(0, -4) }],
        ['malformed', { 'x-riposte-signature': 'sha256=abc' }],
        ['none and no token', {}],
        ['bad signature over invalid JSON', { 'x-riposte-signature': signature('{}') }, '{not json'],
      ];
      for (const [what, headers, sent] of cases) {
        const res = await post('guardduty', sent ?? body, headers);
        assert.equal(res.status, 401, what);
        assert.equal(res.body.detail, 'a valid signature or bearer token is required', `${what}: says nothing more`);
      }
      assert.equal(await alertCount(), before, 'nothing was stored');
    });

    it('an exact replay inside the window is answered as a duplicate and changes nothing', async () => {
      const body = finding();
      const headers = { 'x-riposte-signature': signature(body) };
      const first = await post('guardduty', body, headers);
      const count = await alertCount();
      const replay = await post('guardduty', body, headers);
      assert.equal(replay.status, 202);
      assert.equal(replay.body.results[0].outcome, 'duplicate');
      assert.equal(replay.body.results[0].alertId, first.body.results[0].alertId);
      assert.equal(await alertCount(), count);
    });

    it('sources that cannot sign use a source bearer token; other roles are refused', async () => {
      const am = JSON.stringify(example('alertmanager'));
      assert.equal((await post('alertmanager', am, { authorization: `Bearer ${TOKENS.source}` })).status, 202);
      assert.equal((await post('alertmanager', am, { authorization: `Bearer ${TOKENS.analyst}` })).status, 403);
      assert.equal((await post('splunk', JSON.stringify(example('splunk')))).status, 401);
    });
  });

  describe('batches and formats', () => {
    const auth = { authorization: `Bearer ${TOKENS.source}` };

    it('a bad item in a batch is refused on its own (its path in the answer); the rest are committed', async () => {
      const res = await post('securityhub', fixture('securityhub-two-findings-one-bad.json'), auth);
      assert.equal(res.status, 202);
      assert.equal(res.body.accepted, 1);
      assert.equal(res.body.rejected, 1);
      assert.equal(res.body.results[1].outcome, 'rejected');
      assert.ok(res.body.results[1].errors.some((e: any) => e.path === 'detail.findings[1].Id'));
    });

    it('Suricata NDJSON: alerts in, non-alert events and broken lines refused line by line', async () => {
      const res = await post('suricata', fixture('suricata-eve.ndjson'), { ...auth, 'content-type': 'application/x-ndjson' });
      assert.equal(res.status, 202);
      assert.deepEqual(res.body.results.map((r: any) => r.outcome), ['new', 'rejected', 'new', 'rejected']);
    });

    it('a payload nothing can be read from → 422 saying where; not JSON → 400; a form → 415; too big → 413', async () => {
      const none = await post('wazuh', fixture('wazuh-not-an-alert.json'), auth);
      assert.equal(none.status, 422);
      assert.match(none.body.detail, /alert\.id is required/);
      assert.equal((await post('wazuh', '{"timestamp":', auth)).status, 400);
      assert.equal((await post('wazuh', 'a=1', { ...auth, 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
      assert.equal((await post('wazuh', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), auth)).status, 413);
    });

    it('the raw payload is kept beside the normalized alert, bounded', async () => {
      const small = await post('splunk', JSON.stringify(example('splunk')), auth);
      const stored = await api.request('GET', `/v1/alerts/${small.body.results[0].alertId}`, { token: TOKENS.analyst });
      assert.equal(stored.status, 200);
      assert.equal(stored.body.raw.sid, example('splunk').sid);
      assert.equal(stored.body.rawTruncated, false);
      const big = example('splunk');
      big.sid = 'big-one';
      big.result.src_ip = '10.0.9.9';
      big.result.note = 'y'.repeat(8000);
      const large = await post('splunk', JSON.stringify(big), auth);
      const kept = await api.request('GET', `/v1/alerts/${large.body.results[0].alertId}`, { token: TOKENS.analyst });
      assert.equal(kept.body.rawTruncated, true);
      assert.equal(kept.body.raw.length, 4096);
    });
  });

  describe('idempotency and dedup', () => {
    const auth = { authorization: `Bearer ${TOKENS.source}` };

    it('Idempotency-Key: a re-send gets the first answer; the same key with another body is 409', async () => {
      const body = JSON.stringify(example('falco'));
      const first = await post('falco', body, { ...auth, 'idempotency-key': 'k-falco-1' });
      const again = await post('falco', body, { ...auth, 'idempotency-key': 'k-falco-1' });
      assert.deepEqual(again.body, first.body);
      const other = JSON.stringify({ ...example('falco'), uuid: 'different' });
      assert.equal((await post('falco', other, { ...auth, 'idempotency-key': 'k-falco-1' })).status, 409);
    });

    it('repeats of one detection collapse into one alert with a count and first/last seen', async () => {
      const e = (uid: string, time: string) => ({ ...example('suricata'), src_ip: '10.0.42.42', flow_id: uid, timestamp: time });
      const a = await post('suricata', JSON.stringify(e('9001', '2026-11-27T12:00:00.000000+0000')), auth);
      const b = await post('suricata', JSON.stringify(e('9002', '2026-11-27T12:05:00.000000+0000')), auth);
      assert.equal(a.body.results[0].outcome, 'new');
      assert.equal(b.body.results[0].outcome, 'deduplicated');
      assert.equal(b.body.results[0].alertId, a.body.results[0].alertId);
      const stored = await api.request('GET', `/v1/alerts/${a.body.results[0].alertId}`, { token: TOKENS.analyst });
      assert.equal(stored.body.count, 2);
      assert.equal(stored.body.firstSeen, '2026-11-27T12:00:00.000Z');
      assert.equal(stored.body.lastSeen, '2026-11-27T12:05:00.000Z');
    });

    it('GuardDuty re-sends a finding with a higher service.count: the same alert is updated, not repeated', async () => {
      const e = example('guardduty');
      e.detail.id = 'gd-recurring';
      e.detail.resource.instanceDetails.instanceId = 'i-0recurring000000001';
      const first = await post('guardduty', JSON.stringify(e), auth);
      e.detail.service.count = 7;
      const update = await post('guardduty', JSON.stringify(e), auth);
      const same = await post('guardduty', JSON.stringify(e), auth);
      assert.equal(update.body.results[0].outcome, 'updated');
      assert.equal(same.body.results[0].outcome, 'duplicate');
      const stored = await api.request('GET', `/v1/alerts/${first.body.results[0].alertId}`, { token: TOKENS.analyst });
      assert.equal(stored.body.count, 7);
    });

    it('Alertmanager: resolved annotates the firing alert', async () => {
      const firing = await post('alertmanager', JSON.stringify(example('alertmanager')), auth);
      const resolved = await post('alertmanager', fixture('alertmanager-resolved.json'), auth);
      assert.equal(resolved.body.results[0].outcome, 'updated');
      assert.equal(resolved.body.results[0].alertId, firing.body.results[0].alertId);
      const stored = await api.request('GET', `/v1/alerts/${firing.body.results[0].alertId}`, { token: TOKENS.analyst });
      assert.equal(stored.body.status, 'resolved');
    });
  });

  describe('correlation into cases', () => {
    it('alerts sharing an entity join one case; unrelated ones open their own', async () => {
      const a = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostIp: '10.77.0.1', remoteIp: '198.51.100.1' }) });
      const b = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostIp: '10.77.0.2', remoteIp: '198.51.100.1' }) });
      const c = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostIp: '10.77.0.3', hostname: 'other', remoteIp: '198.51.100.3' }) });
      assert.equal(b.body.caseId, a.body.caseId, 'the shared remote IP joins them');
      assert.notEqual(c.body.caseId, a.body.caseId);
      const view = await api.request('GET', `/v1/cases/${a.body.caseId}`, { token: TOKENS.analyst });
      assert.deepEqual(view.body.alertIds.sort(), [a.body.alertId, b.body.alertId].sort());
      assert.ok(view.body.entities.includes('ip:198.51.100.1'));
    });
  });

  describe('suppression', () => {
    it('a configured allowlisted domain suppresses: stored, counted, shown with its rule, no case', async () => {
      const res = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ domain: 'dl.windowsupdate.test' }) });
      assert.equal(res.body.outcome, 'suppressed');
      assert.equal(res.body.caseId, null);
      assert.match(res.body.suppressedBy, /^cfg-/);
      const stored = await api.request('GET', `/v1/alerts/${res.body.alertId}`, { token: TOKENS.analyst });
      assert.equal(stored.body.suppressedBy, res.body.suppressedBy);
      assert.equal(stored.body.caseId, null);
      const rules = (await api.request('GET', '/v1/suppressions', { token: TOKENS.analyst })).body.rules;
      assert.equal(rules.find((r: any) => r.id === res.body.suppressedBy).hits, 1);
    });

    it('editing the configuration file takes effect without a restart', async () => {
      fs.writeFileSync(suppressionsFile, JSON.stringify({ domains: ['windowsupdate.test'], ips: [{ value: '192.0.2.0/24', reason: 'lab scanners' }] }));
      await waitFor(
        async () => (await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ remoteIp: '192.0.2.44' }) })).body.outcome,
        (o) => o === 'suppressed',
        10_000,
        'the new file rule'
      );
    });

    it('a rule added through the API applies at once and stops at its expiry; a revoked rule stops at once', async () => {
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const created = await api.request('POST', '/v1/suppressions', {
        token: TOKENS.analyst,
        body: { match: { kind: 'rule_host', rule: 'Periodic beacon', host: 'build-01' }, reason: 'CI runner polls an update server', expiresAt },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.author, 'alice');
      const alert = () => api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname: 'build-01', hostIp: '10.9.9.9', remoteIp: '198.51.100.250' }) });
      assert.equal((await alert()).body.outcome, 'suppressed');
      await new Promise((r) => setTimeout(r, 1600));
      assert.notEqual((await alert()).body.outcome, 'suppressed', 'expired');

      const ip = await api.request('POST', '/v1/suppressions', { token: TOKENS.analyst, body: { match: { kind: 'ip', value: '198.51.100.251' }, reason: 'known good partner' } });
      const partner = () => api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ remoteIp: '198.51.100.251' }) });
      assert.equal((await partner()).body.outcome, 'suppressed');
      const revoked = await api.request('DELETE', `/v1/suppressions/${ip.body.id}`, { token: TOKENS.analyst });
      assert.equal(revoked.body.status, 'revoked');
      assert.equal(revoked.body.revokedBy, 'alice');
      assert.equal((await partner()).body.outcome, 'new');
    });

    it('bad rules are refused: malformed → 400, wrong → 422, a past expiry → 422; file rules cannot be revoked here (409)', async () => {
      const post = (body: unknown) => api.request('POST', '/v1/suppressions', { token: TOKENS.analyst, body });
      assert.equal((await post({ match: { kind: 'ip' }, reason: 'x' })).status, 400);
      assert.equal((await post({ match: { kind: 'ip', value: '10.0.0.0/99' }, reason: 'bad cidr' })).status, 422);
      assert.equal((await post({ match: { kind: 'domain', value: 'a.test' }, reason: 'old', expiresAt: '2020-01-01T00:00:00Z' })).status, 422);
      const fileRule = (await api.request('GET', '/v1/suppressions', { token: TOKENS.analyst })).body.rules.find((r: any) => r.origin === 'config');
      assert.equal((await api.request('DELETE', `/v1/suppressions/${fileRule.id}`, { token: TOKENS.analyst })).status, 409);
      assert.equal((await api.request('POST', '/v1/suppressions', { token: TOKENS.source, body: { match: { kind: 'ip', value: '10.0.0.1' }, reason: 'xyz' } })).status, 403);
    });

    it('a false-positive verdict suggests a rule for review; it suppresses only once activated', async () => {
      const finding = () => c2Finding({ hostname: 'scanner-01', hostIp: '10.8.8.8', remoteIp: '198.51.100.200' });
      const first = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: finding() });
      const verdict = await api.request('POST', `/v1/cases/${first.body.caseId}/verdict`, { token: TOKENS.analyst, body: { verdict: 'false_positive', comment: 'authorised scanner' } });
      assert.equal(verdict.status, 200);
      const [suggestion] = verdict.body.suggestedSuppressions;
      assert.deepEqual(suggestion.match, { kind: 'rule_host', rule: 'Periodic beacon', host: 'scanner-01' });
      assert.equal(suggestion.status, 'suggested');
      assert.notEqual((await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: finding() })).body.outcome, 'suppressed', 'a suggestion suppresses nothing');
      const activated = await api.request('POST', `/v1/suppressions/${suggestion.id}/activate`, { token: TOKENS.analyst });
      assert.equal(activated.body.status, 'active');
      assert.equal((await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: finding() })).body.outcome, 'suppressed');
      assert.equal((await api.request('POST', `/v1/suppressions/${suggestion.id}/activate`, { token: TOKENS.analyst })).status, 409);
      const view = await api.request('GET', `/v1/cases/${first.body.caseId}`, { token: TOKENS.analyst });
      assert.equal(view.body.verdict.verdict, 'false_positive');
      assert.equal(view.body.verdict.by, 'alice');
    });

    it('ranks suggestions by the noise each would remove, with the evidence', async () => {
      // noisy-1: five alerts this week, called a false positive; quiet-1: one alert, also a false positive.
      const on = (hostname: string, i: number) => {
        const net = hostname.startsWith('noisy') ? 1 : 2; // no address shared: the hosts' cases stay apart
        return c2Finding({ hostname, hostIp: `10.6.${net}.${i}`, remoteIp: `198.51.10${net}.${i}` });
      };
      const noisy = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: on('noisy-1', 1) });
      for (let i = 2; i <= 5; i++) await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: on('noisy-1', i) });
      const quiet = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: on('quiet-1', 1) });
      for (const r of [noisy, quiet]) assert.equal((await api.request('POST', `/v1/cases/${r.body.caseId}/verdict`, { token: TOKENS.analyst, body: { verdict: 'false_positive' } })).status, 200);
      const ranked = await api.request('GET', '/v1/suppressions/suggestions', { token: TOKENS.viewer });
      assert.equal(ranked.status, 200);
      assertMatchesDocument((await api.request('GET', '/v1/openapi.json')).body, 'GET', '/v1/suppressions/suggestions', 200, ranked.body);
      const hosts = ranked.body.suggestions.map((s: { rule: { match: { host: string } } }) => s.rule.match.host);
      assert.ok(hosts.indexOf('noisy-1') >= 0 && hosts.indexOf('noisy-1') < hosts.indexOf('quiet-1'), `the noisier first: ${hosts.join(', ')}`);
      const top = ranked.body.suggestions[hosts.indexOf('noisy-1')];
      assert.equal(top.wouldHaveSuppressed, 5);
      assert.deepEqual(top.verdicts, { falsePositives: 1, total: 1 });
      assert.equal(top.evidence, '5 alerts of rule "Periodic beacon" on noisy-1 in the last 7 days; 1 of 1 verdict on it called it a false positive');
      const scores = ranked.body.suggestions.map((s: { score: number }) => s.score);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'highest score first');
    });
  });

  it('GET /v1/alerts/{id}: the stored alert as documented; unknown → 404', async () => {
    const res = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: 'get-alert-1' }) });
    const stored = await api.request('GET', `/v1/alerts/${res.body.alertId}`, { token: TOKENS.analyst });
    for (const key of ['id', 'source', 'time', 'severity_id', 'title', 'rule', 'observables', 'count', 'firstSeen', 'lastSeen', 'caseId', 'suppressedBy']) {
      assert.ok(key in stored.body, key);
    }
    assert.equal(stored.body.source, 'ocsf');
    assert.equal((await api.request('GET', '/v1/alerts/al_0000000000000000', { token: TOKENS.analyst })).status, 404);
  });
});

describe('backpressure', () => {
  it('beyond the backlog bound, 429 with Retry-After and nothing stored; accepted again once it drains', async () => {
    const { client, close } = await testClient();
    const api = await startApi({ client, taskQueue: uniqueQueue('backpressure'), ingest: { maxBacklog: 2 } });
    try {
      await api.dispatcher.stop(); // nothing leaves the outbox
      let n = 0;
      const post = () => api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ remoteIp: `198.51.100.${++n}` }) });
      assert.equal((await post()).status, 202);
      assert.equal((await post()).status, 202);
      const refused = await post();
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '5');
      assert.equal(await api.store.countAlerts(), 2);
    } finally {
      await api?.close();
      await close?.();
    }
  });
});
