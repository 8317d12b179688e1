// What a security review of the API checks: per-client rate limits on the analyst API (429 with
// Retry-After, and only for that client), security headers, and JSON answers that say so.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

describe('API hardening', () => {
  let api: TestApi;
  let client: Awaited<ReturnType<typeof testClient>>['client'];
  let close: () => Promise<void>;
  before(async () => {
    ({ client, close } = await testClient());
    api = await startApi({ client, taskQueue: uniqueQueue('hardening') });
  });
  after(async () => {
    await api?.close();
    await close?.();
  });

  it('limits each client of the analyst API on its own: the sixth request a minute gets 429 with Retry-After; others and alert sources go on', async () => {
    const main = api;
    api = await startApi({ client, taskQueue: uniqueQueue('rate-limited'), rateLimitPerMinute: 5 });
    try {
      await limited();
    } finally {
      await api.close();
      api = main;
    }
  });

  async function limited() {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 6; i++) {
      last = await api.request('GET', '/v1/cases', { token: TOKENS.analyst });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.ok(Number(last?.headers.get('retry-after')) >= 1 && Number(last?.headers.get('retry-after')) <= 60);
    assert.match(last?.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match(last?.body.detail, /more than 5 requests a minute from alice/);
    assert.equal((await api.request('GET', '/v1/cases', { token: TOKENS.analyst2 })).status, 200, 'bob is not alice');
    for (let i = 0; i < 7; i++) assert.equal((await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname: `rl-${i}.corp.test`, hostIp: `10.77.0.${i + 1}` }) })).status, 202, 'alert sources have the backlog instead');
  }

  it('answers JSON as application/json (the 202 of an alert too) and sends security headers', async () => {
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname: 'hdr.corp.test', hostIp: '10.77.1.1' }) });
    assert.equal(posted.status, 202);
    assert.match(posted.headers.get('content-type') ?? '', /^application\/json/);
    const res = await api.request('GET', '/v1/health');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.ok(res.headers.get('strict-transport-security'));
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  it('a path it has, asked with a method it does not take, is 405 with Allow; a path it lacks is 404', async () => {
    const wrong = await api.request('DELETE', '/v1/cases', { token: TOKENS.admin });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET, HEAD');
    assert.match(wrong.body.detail, /DELETE is not allowed on \/v1\/cases/);
    const put = await api.request('PUT', '/v1/cases/cs_0000000000000000/comments', { token: TOKENS.analyst, body: { text: 'x' } });
    assert.deepEqual([put.status, put.headers.get('allow')], [405, 'POST']);
    assert.equal((await api.request('GET', '/v1/nowhere', { token: TOKENS.admin })).status, 404);
  });

  it('a suppression rule shows its impact first; one too broad for an analyst is refused unless an admin adds it as global', async () => {
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname: 'imp.corp.test', hostIp: '10.77.2.1', remoteIp: '203.0.113.199' }) });
    assert.equal(posted.status, 202);
    const impact = await api.request('POST', '/v1/suppressions/impact', { token: TOKENS.analyst2, body: { match: { kind: 'ip', value: '203.0.113.199' } } });
    assert.equal(impact.status, 200, JSON.stringify(impact.body));
    assert.equal(impact.body.days, 7);
    assert.ok(impact.body.wouldHaveSuppressed >= 1 && impact.body.examples.includes(posted.body.alertId), JSON.stringify(impact.body));
    assert.equal((await api.request('GET', '/v1/suppressions', { token: TOKENS.analyst2 })).body.rules.length, 0, 'looking changed nothing');

    for (const match of [{ kind: 'ip', value: '0.0.0.0/0' }, { kind: 'ip', value: '10.0.0.0/8' }, { kind: 'domain', value: '*.com' }, { kind: 'maintenance', from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' }]) {
      const refused = await api.request('POST', '/v1/suppressions', { token: TOKENS.analyst2, body: { match, reason: 'too much' } });
      assert.equal(refused.status, 422, JSON.stringify(match));
      assert.match(refused.body.detail, /too broad/);
    }
    assert.equal((await api.request('POST', '/v1/suppressions', { token: TOKENS.analyst2, body: { match: { kind: 'ip', value: '10.0.0.0/8' }, reason: 'lab', global: true } })).status, 403, 'global is for admins');
    const global = await api.request('POST', '/v1/suppressions', { token: TOKENS.admin, body: { match: { kind: 'ip', value: '10.0.0.0/8' }, reason: 'the lab network, agreed in change 42', global: true } });
    assert.equal(global.status, 201, JSON.stringify(global.body));
    assert.deepEqual([global.body.global, global.body.author, typeof global.body.impact.wouldHaveSuppressed], [true, 'ada', 'number']);
    const narrow = await api.request('POST', '/v1/suppressions', { token: TOKENS.analyst2, body: { match: { kind: 'ip', value: '198.51.100.0/24' }, reason: 'scanner range' } });
    assert.equal(narrow.status, 201);
    assert.equal(narrow.body.impact.days, 7);
  });
});
