import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { MispClient } from '../../activities/misp/client.ts';
import { createMispActivities, mispFromEnv } from '../../activities/misp/index.ts';
import { OtxClient } from '../../activities/otx/client.ts';
import { createOtxActivities, otxFromEnv } from '../../activities/otx/index.ts';
import { UrlhausClient } from '../../activities/urlhaus/client.ts';
import { createUrlhausActivities, urlhausFromEnv } from '../../activities/urlhaus/index.ts';
import { Secret } from '../../config/secret.ts';
import { fixture, rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const env = new MockActivityEnvironment(undefined, { logger: silentLogger });

describe('urlhaus activities (API v1, nock from the documented shapes)', () => {
  before(setupNock);
  afterEach(checkNock);
  const BASE = 'https://urlhaus-api.abuse.ch';
  const KEY = 'urlhaus-auth-key-0123456789';
  const acts = createUrlhausActivities({ client: new UrlhausClient({ baseUrl: BASE, authKey: new Secret(KEY), timeoutMs: 500 }) });

  it('calls a host serving malware now malicious, posting the host as a form with Auth-Key', async () => {
    nock(BASE)
      .post('/v1/host/', 'host=c2-never-seen.test')
      .matchHeader('Auth-Key', KEY)
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200, fixture('urlhaus/host-online.json'));
    const out = await runActivity(env, acts.urlhausLookupHost, { host: 'c2-never-seen.test' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'malicious');
    assert.equal(out.verdict.score, 90);
    assert.match(out.verdict.summary, /2 malware URL\(s\) on this host, 1 online \(malware_download\)/);
    assert.equal(out.verdict.firstSeen, '2026-11-20T08:14:02.000Z');
    assert.deepEqual(out.verdict.related.map((r) => r.value), ['http://c2-never-seen.test/bins/x86', 'http://c2-never-seen.test/bins/arm7']);
    assert.deepEqual(out.verdict.tags, ['elf', 'mirai']);
  });

  it('calls an offline URL suspicious, and an unknown host info (found: false)', async () => {
    nock(BASE).post('/v1/url/', 'url=http%3A%2F%2Fc2-never-seen.test%2Fbins%2Farm7').reply(200, fixture('urlhaus/url-offline.json'));
    const url = await runActivity(env, acts.urlhausLookupUrl, { url: 'http://c2-never-seen.test/bins/arm7' });
    assert.ok(url.status === 'ok');
    assert.equal(url.verdict.level, 'suspicious');
    assert.deepEqual(url.verdict.related, [{ type: 'domain', value: 'c2-never-seen.test' }]);
    nock(BASE).post('/v1/host/', 'host=198.51.100.9').reply(200, fixture('urlhaus/no-results.json'));
    const host = await runActivity(env, acts.urlhausLookupHost, { host: '198.51.100.9' });
    assert.ok(host.status === 'ok');
    assert.equal(host.verdict.found, false);
    assert.equal(host.observable.type, 'ip');
  });

  it('maps 401 to a non-retryable auth failure, 5xx and timeouts to retryable ones', async () => {
    nock(BASE).post('/v1/host/').reply(401, 'Unauthorized');
    const auth = await rejection(() => runActivity(env, acts.urlhausLookupHost, { host: 'c2-never-seen.test' }));
    assert.equal(auth.type, 'IntegrationAuthError');
    assert.doesNotMatch(auth.message, new RegExp(KEY));
    nock(BASE).post('/v1/host/').reply(502, 'Bad Gateway');
    assert.equal((await rejection(() => runActivity(env, acts.urlhausLookupHost, { host: 'c2-never-seen.test' }))).type, 'IntegrationUnavailableError');
    nock(BASE).post('/v1/host/').delay(2000).reply(200, fixture('urlhaus/no-results.json'));
    const slow = await rejection(() => runActivity(env, acts.urlhausLookupHost, { host: 'c2-never-seen.test' }));
    assert.match(slow.message, /timed out/);
  });

  it('refuses junk input before calling out, and skips when unconfigured', async () => {
    assert.equal((await rejection(() => runActivity(env, acts.urlhausLookupUrl, { url: 'not a url' }))).type, 'InvalidObservableError');
    assert.equal(urlhausFromEnv({}), undefined);
    assert.equal((await runActivity(env, createUrlhausActivities({}).urlhausLookupHost, { host: 'c2-never-seen.test' })).status, 'skipped');
  });
});

describe('otx activities (DirectConnect API v1, nock from the documented shapes)', () => {
  before(setupNock);
  afterEach(checkNock);
  const BASE = 'https://otx.alienvault.com';
  const KEY = 'otx-api-key-0123456789abcdef';
  const acts = createOtxActivities({ client: new OtxClient({ baseUrl: BASE, apiKey: new Secret(KEY), timeoutMs: 500 }) });

  it('calls an IP in six pulses malicious, asking the IPv4 general section with the key header', async () => {
    nock(BASE).get('/api/v1/indicators/IPv4/203.0.113.7/general').matchHeader('X-OTX-API-KEY', KEY).reply(200, fixture('otx/ip-pulses.json'));
    const out = await runActivity(env, acts.otxLookupIndicator, { kind: 'ip', value: '203.0.113.7' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'malicious');
    assert.equal(out.verdict.score, 90);
    assert.match(out.verdict.summary, /in 6 OTX pulse\(s\), e.g. "Mirai C2 infrastructure, November"/);
    assert.equal(out.verdict.firstSeen, '2026-11-19T06:40:00.000Z');
    assert.deepEqual(out.verdict.tags, ['mirai', 'c2', 'botnet']);
  });

  it('calls a validated domain in no pulse safe, and an unknown hash (404) info', async () => {
    nock(BASE).get('/api/v1/indicators/domain/example-cdn.test/general').reply(200, fixture('otx/domain-validated.json'));
    const domain = await runActivity(env, acts.otxLookupIndicator, { kind: 'domain', value: 'example-cdn.test' });
    assert.ok(domain.status === 'ok');
    assert.equal(domain.verdict.level, 'safe');
    const hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    nock(BASE).get(`/api/v1/indicators/file/${hash}/general`).reply(404, { detail: 'Not found.' });
    const file = await runActivity(env, acts.otxLookupIndicator, { kind: 'hash', value: hash.toUpperCase() });
    assert.ok(file.status === 'ok');
    assert.equal(file.verdict.found, false);
    assert.equal(file.observable.value, hash);
  });

  it('maps 403 to auth, 429 to a retry after Retry-After, and refuses junk', async () => {
    nock(BASE).get('/api/v1/indicators/IPv4/203.0.113.7/general').reply(403, { detail: 'Authentication credentials were not provided.' });
    assert.equal((await rejection(() => runActivity(env, acts.otxLookupIndicator, { kind: 'ip', value: '203.0.113.7' }))).type, 'IntegrationAuthError');
    nock(BASE).get('/api/v1/indicators/IPv4/203.0.113.7/general').reply(429, { detail: 'Request was throttled.' }, { 'Retry-After': '12' });
    const limited = await rejection(() => runActivity(env, acts.otxLookupIndicator, { kind: 'ip', value: '203.0.113.7' }));
    assert.equal(limited.type, 'RateLimitedError');
    assert.equal(limited.nextRetryDelay, 12_000);
    assert.equal((await rejection(() => runActivity(env, acts.otxLookupIndicator, { kind: 'hash', value: 'abc' }))).type, 'InvalidObservableError');
    assert.equal(otxFromEnv({}), undefined);
  });
});

describe('misp activities (attributes/restSearch, nock from the documented shapes)', () => {
  before(setupNock);
  afterEach(checkNock);
  const MISP = 'https://misp.corp.test';
  const KEY = 'misp-auth-key-0123456789abcdefghijklmn';
  const acts = createMispActivities({ client: new MispClient({ baseUrl: MISP, authKey: new Secret(KEY), timeoutMs: 500 }) });

  it('calls an IDS attribute in two events malicious, sending the exact value and the key', async () => {
    nock(MISP)
      .post('/attributes/restSearch', (b) => b.returnFormat === 'json' && b.value[0] === 'c2-never-seen.test' && b.deleted === false)
      .matchHeader('authorization', KEY)
      .reply(200, {
        response: {
          Attribute: [
            { id: '9001', event_id: '77', type: 'domain', category: 'Network activity', value: 'c2-never-seen.test', to_ids: true, timestamp: '1795400000', first_seen: null, Event: { id: '77', info: 'Mirai botnet C2 — November' }, Tag: [{ name: 'tlp:amber' }] },
            { id: '9102', event_id: '81', type: 'domain', category: 'Network activity', value: 'c2-never-seen.test', to_ids: false, timestamp: '1795500000', Event: { id: '81', info: 'Phishing kit hosting' } },
          ],
        },
      });
    const out = await runActivity(env, acts.mispLookupIndicator, { observable: { type: 'domain', value: 'c2-never-seen.test' } });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'malicious');
    assert.equal(out.verdict.score, 80);
    assert.match(out.verdict.summary, /in 2 MISP event\(s\) as an IDS indicator: "Mirai botnet C2 — November", "Phishing kit hosting"/);
    assert.equal(out.verdict.firstSeen, new Date(1795400000 * 1000).toISOString());
    assert.deepEqual(out.verdict.tags, ['tlp:amber']);
  });

  it('answers an unknown value info, maps 403 to auth, and refuses junk', async () => {
    nock(MISP).post('/attributes/restSearch').reply(200, { response: { Attribute: [] } });
    const none = await runActivity(env, acts.mispLookupIndicator, { observable: { type: 'ip', value: '192.0.2.1' } });
    assert.ok(none.status === 'ok' && none.verdict.found === false);
    nock(MISP).post('/attributes/restSearch').reply(403, { name: 'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.', message: 'Authentication failed.', url: '/attributes/restSearch' });
    const err = await rejection(() => runActivity(env, acts.mispLookupIndicator, { observable: { type: 'ip', value: '192.0.2.1' } }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.doesNotMatch(err.message, new RegExp(KEY));
    assert.equal((await rejection(() => runActivity(env, acts.mispLookupIndicator, { observable: { type: 'ip', value: 'nope' } }))).type, 'InvalidObservableError');
    assert.equal(mispFromEnv({ MISP_URL: MISP }), undefined);
  });
});
