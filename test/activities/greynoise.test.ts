import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { GreyNoiseClient } from '../../activities/greynoise/client.ts';
import { createGreyNoiseActivities, greynoiseFromEnv } from '../../activities/greynoise/index.ts';
import { Secret } from '../../config/secret.ts';
import { fixture, rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const BASE = 'https://api.greynoise.io';
const KEY = 'greynoise-test-key-0123456789';

describe('greynoise activities (Community API v3, nock from the documented shapes)', () => {
  before(setupNock);
  afterEach(checkNock);

  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const acts = createGreyNoiseActivities({ client: new GreyNoiseClient({ baseUrl: BASE, apiKey: new Secret(KEY), timeoutMs: 500 }) });

  it('calls an address GreyNoise classifies malicious malicious, sending the key header', async () => {
    nock(BASE).get('/v3/community/203.0.113.7').matchHeader('key', KEY).matchHeader('accept', 'application/json').reply(200, fixture('greynoise/community-malicious.json'));
    const out = await runActivity(env, acts.greynoiseLookupIp, { ip: '203.0.113.7' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'malicious');
    assert.equal(out.verdict.score, 80);
    assert.match(out.verdict.summary, /malicious; last seen 2026-11-26/);
    assert.deepEqual(out.verdict.tags, ['noise']);
  });

  it('calls a known business service (RIOT) safe', async () => {
    nock(BASE).get('/v3/community/198.51.100.53').reply(200, fixture('greynoise/community-riot.json'));
    const out = await runActivity(env, acts.greynoiseLookupIp, { ip: '198.51.100.53' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.level, 'safe');
    assert.match(out.verdict.summary, /Example Public DNS/);
  });

  it('answers 404 (never seen) as found: false, not an error', async () => {
    nock(BASE).get('/v3/community/192.0.2.99').reply(404, fixture('greynoise/community-not-found.json'));
    const out = await runActivity(env, acts.greynoiseLookupIp, { ip: '192.0.2.99' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.found, false);
    assert.equal(out.verdict.level, 'info');
  });

  it('fails 401 as a non-retryable IntegrationAuthError without the key in the message', async () => {
    nock(BASE).get('/v3/community/203.0.113.7').reply(401, fixture('greynoise/error-auth.json'));
    const err = await rejection(() => runActivity(env, acts.greynoiseLookupIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.equal(err.nonRetryable, true);
    assert.doesNotMatch(err.message, new RegExp(KEY));
  });

  it('fails 429 retryably after Retry-After, and 5xx retryably', async () => {
    nock(BASE).get('/v3/community/203.0.113.7').reply(429, { message: 'rate limit' }, { 'Retry-After': '30' });
    const limited = await rejection(() => runActivity(env, acts.greynoiseLookupIp, { ip: '203.0.113.7' }));
    assert.equal(limited.type, 'RateLimitedError');
    assert.equal(limited.nextRetryDelay, 30_000);
    nock(BASE).get('/v3/community/203.0.113.7').reply(503, 'unavailable');
    const down = await rejection(() => runActivity(env, acts.greynoiseLookupIp, { ip: '203.0.113.7' }));
    assert.equal(down.type, 'IntegrationUnavailableError');
    assert.equal(down.nonRetryable, false);
  });

  it('gives up on a slow answer after the timeout', async () => {
    nock(BASE).get('/v3/community/203.0.113.7').delay(2000).reply(200, fixture('greynoise/community-malicious.json'));
    const err = await rejection(() => runActivity(env, acts.greynoiseLookupIp, { ip: '203.0.113.7' }));
    assert.equal(err.type, 'IntegrationUnavailableError');
    assert.match(err.message, /timed out/);
  });

  it('refuses a non-IP without calling out, and records a skip when unconfigured', async () => {
    const err = await rejection(() => runActivity(env, acts.greynoiseLookupIp, { ip: 'not-an-ip' }));
    assert.equal(err.type, 'InvalidObservableError');
    assert.equal(greynoiseFromEnv({}), undefined);
    const out = await runActivity(env, createGreyNoiseActivities({}).greynoiseLookupIp, { ip: '203.0.113.7' });
    assert.equal(out.status, 'skipped');
  });
});
