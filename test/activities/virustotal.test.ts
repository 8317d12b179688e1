import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { VirusTotalClient } from '../../activities/virustotal/client.ts';
import { createVirusTotalActivities } from '../../activities/virustotal/index.ts';
import { Secret } from '../../config/secret.ts';
import { fixture, rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const BASE = 'https://www.virustotal.com/api/v3';
const KEY = 'vt-test-key-0123456789abcdef';

describe('virustotal activities (API v3, nock from the documented shapes)', () => {
  before(setupNock);
  afterEach(checkNock);

  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const acts = createVirusTotalActivities({ client: new VirusTotalClient({ baseUrl: BASE, apiKey: new Secret(KEY), timeoutMs: 500 }) });

  it('rates a domain flagged by 7 engines as malicious, sending the key in x-apikey', async () => {
    nock(BASE).get('/domains/c2-never-seen.test').matchHeader('x-apikey', KEY).reply(200, fixture('virustotal/domain-malicious.json'));
    const out = await runActivity(env, acts.virustotalLookupDomain, { domain: 'C2-Never-Seen.test' });
    assert.equal(out.status, 'ok');
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'malicious');
    assert.equal(out.verdict.score, 100);
    assert.match(out.verdict.summary, /7\/91 engines flag it malicious, 2 suspicious/);
    assert.equal(out.verdict.firstSeen, new Date(1794000000 * 1000).toISOString());
  });

  it('rates an IP no engine flags as info (absence of evidence is not safety)', async () => {
    nock(BASE).get('/ip_addresses/198.51.100.20').reply(200, fixture('virustotal/ip-clean.json'));
    const out = await runActivity(env, acts.virustotalLookupIp, { ip: '198.51.100.20' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'info');
    assert.equal(out.verdict.score, 0);
  });

  it('treats 404 as "not found" data, not an error', async () => {
    nock(BASE).get('/domains/unknown.test').reply(404, fixture('virustotal/error-not-found.json'));
    const out = await runActivity(env, acts.virustotalLookupDomain, { domain: 'unknown.test' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.found, false);
    assert.equal(out.verdict.level, 'info');
  });

  it('fails 401 as a non-retryable IntegrationAuthError that never shows the key', async () => {
    nock(BASE).get('/domains/c2-never-seen.test').reply(401, fixture('virustotal/error-wrong-credentials.json'));
    const err = await rejection(() => runActivity(env, acts.virustotalLookupDomain, { domain: 'c2-never-seen.test' }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /virustotal: HTTP 401 — Wrong API key/);
    assert.doesNotMatch(JSON.stringify({ ...err, message: err.message, stack: err.stack }), new RegExp(KEY));
  });

  it('fails 429 as a retryable RateLimitedError that waits for Retry-After', async () => {
    nock(BASE).get('/ip_addresses/203.0.113.7').reply(429, fixture('virustotal/error-quota.json'), { 'Retry-After': '17' });
    const err = await rejection(() => runActivity(env, acts.virustotalLookupIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'RateLimitedError');
    assert.equal(err.nonRetryable, false);
    assert.equal(err.nextRetryDelay, 17_000);
  });

  it('fails 5xx as a retryable IntegrationUnavailableError', async () => {
    nock(BASE).get('/ip_addresses/203.0.113.7').reply(503, 'upstream down');
    const err = await rejection(() => runActivity(env, acts.virustotalLookupIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'IntegrationUnavailableError');
    assert.equal(err.nonRetryable, false);
  });

  it('gives up on a slow answer after the timeout, retryably', async () => {
    nock(BASE).get('/ip_addresses/203.0.113.7').delay(2000).reply(200, fixture('virustotal/ip-clean.json'));
    const err = await rejection(() => runActivity(env, acts.virustotalLookupIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'IntegrationUnavailableError');
    assert.match(err.message, /timed out/);
  });

  it('refuses a value that is not an IP before sending anything', async () => {
    const err = await rejection(() => runActivity(env, acts.virustotalLookupIp, { ip: '203.0.113.7; rm -rf /' }));
    assert.equal(err.type, 'InvalidObservableError');
    assert.equal(err.nonRetryable, true);
  });

  it('records a skip when no API key is configured', async () => {
    const unconfigured = createVirusTotalActivities({});
    const out = await runActivity(env, unconfigured.virustotalLookupDomain, { domain: 'c2-never-seen.test' });
    assert.equal(out.status, 'skipped');
    assert.ok(out.status === 'skipped');
    assert.match(out.reason, /VIRUSTOTAL_API_KEY/);
  });
});

describe('virustotal URL and file lookups', () => {
  before(setupNock);
  afterEach(checkNock);
  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const acts = createVirusTotalActivities({ client: new VirusTotalClient({ baseUrl: BASE, apiKey: new Secret(KEY), timeoutMs: 500 }) });

  it('looks a file up by hash (lower-cased) and calls 38 detections malicious', async () => {
    const sha = '29aa689f38158d2e8941fa54e436f0260890af31cecad1e8799e5c2df7bc1ecc';
    nock(BASE).get(`/files/${sha}`).matchHeader('x-apikey', KEY).reply(200, fixture('virustotal/file-malicious.json'));
    const out = await runActivity(env, acts.virustotalLookupFile, { hash: sha.toUpperCase() });
    assert.ok(out.status === 'ok');
    assert.equal(out.observable.value, sha);
    assert.equal(out.verdict.level, 'malicious');
    assert.match(out.verdict.summary, /38\/63 engines flag it malicious, 1 suspicious/);
  });

  it('addresses a URL by its unpadded base64url id', async () => {
    const url = 'https://c2-never-seen.test/beacon';
    const id = Buffer.from(url).toString('base64url');
    assert.ok(!id.includes('='));
    nock(BASE).get(`/urls/${id}`).reply(200, fixture('virustotal/url-suspicious.json'));
    const out = await runActivity(env, acts.virustotalLookupUrl, { url });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'suspicious');
  });

  it('refuses a malformed hash or URL without calling out', async () => {
    assert.equal((await rejection(() => runActivity(env, acts.virustotalLookupFile, { hash: 'xyz' }))).type, 'InvalidObservableError');
    assert.equal((await rejection(() => runActivity(env, acts.virustotalLookupUrl, { url: '::' }))).type, 'InvalidObservableError');
  });
});
