import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AbuseIpDbClient } from '../../activities/abuseipdb/client.ts';
import { createAbuseIpDbActivities } from '../../activities/abuseipdb/index.ts';
import { Secret } from '../../config/secret.ts';
import { fixture, rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const BASE = 'https://api.abuseipdb.com/api/v2';
const KEY = 'abuse-test-key-0123456789';

describe('abuseipdb activities (API v2 check, nock from the documented shapes)', () => {
  before(setupNock);
  afterEach(checkNock);

  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const acts = createAbuseIpDbActivities({ client: new AbuseIpDbClient({ baseUrl: BASE, apiKey: new Secret(KEY), maxAgeInDays: 90, timeoutMs: 500 }) });

  it('rates an IP with confidence 100 as malicious, sending Key and maxAgeInDays', async () => {
    nock(BASE)
      .get('/check')
      .query({ ipAddress: '203.0.113.7', maxAgeInDays: '90' })
      .matchHeader('Key', KEY)
      .matchHeader('accept', 'application/json')
      .reply(200, fixture('abuseipdb/check-malicious.json'));
    const out = await runActivity(env, acts.abuseipdbCheckIp, { ip: '203.0.113.7' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'malicious');
    assert.equal(out.verdict.score, 100);
    assert.match(out.verdict.summary, /abuse confidence 100%, 1532 reports from 411 users/);
    assert.deepEqual(out.verdict.related, [{ type: 'domain', value: 'example-hosting.test' }]);
  });

  it('rates a whitelisted IP as safe', async () => {
    nock(BASE).get('/check').query(true).reply(200, fixture('abuseipdb/check-whitelisted.json'));
    const out = await runActivity(env, acts.abuseipdbCheckIp, { ip: '198.51.100.20' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'safe');
  });

  it('fails 401 as a non-retryable IntegrationAuthError', async () => {
    nock(BASE).get('/check').query(true).reply(401, fixture('abuseipdb/error-auth.json'));
    const err = await rejection(() => runActivity(env, acts.abuseipdbCheckIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /Authentication failed/);
    assert.doesNotMatch(err.message, new RegExp(KEY));
  });

  it('fails 422 (the vendor rejects the input) as non-retryable', async () => {
    nock(BASE).get('/check').query(true).reply(422, fixture('abuseipdb/error-invalid-ip.json'));
    const err = await rejection(() => runActivity(env, acts.abuseipdbCheckIp, { ip: '::1' }));
    assert.equal(err.type, 'IntegrationRequestError');
    assert.equal(err.nonRetryable, true);
  });

  it('fails 429 as RateLimitedError retried after Retry-After', async () => {
    nock(BASE).get('/check').query(true).reply(429, fixture('abuseipdb/error-rate-limit.json'), { 'Retry-After': '3600', 'X-RateLimit-Remaining': '0' });
    const err = await rejection(() => runActivity(env, acts.abuseipdbCheckIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'RateLimitedError');
    assert.equal(err.nextRetryDelay, 3_600_000);
  });

  it('fails network errors retryably', async () => {
    nock(BASE).get('/check').query(true).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const err = await rejection(() => runActivity(env, acts.abuseipdbCheckIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'IntegrationUnavailableError');
    assert.equal(err.nonRetryable, false);
  });

  it('gives up on a slow answer after the timeout', async () => {
    nock(BASE).get('/check').query(true).delay(2000).reply(200, fixture('abuseipdb/check-malicious.json'));
    const err = await rejection(() => runActivity(env, acts.abuseipdbCheckIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'IntegrationUnavailableError');
    assert.match(err.message, /timed out/);
  });

  it('records a skip when no API key is configured', async () => {
    const out = await runActivity(env, createAbuseIpDbActivities({}).abuseipdbCheckIp, { ip: '203.0.113.7' });
    assert.equal(out.status, 'skipped');
  });
});
