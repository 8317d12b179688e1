// GET /v1/integrations: the catalog as an analyst sees it — configured or not, never a secret,
// and each integration's last success and failure as the worker recorded them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { testStores } from '../helpers/postgres.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { assertMatchesDocument } from '../helpers/openapi.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

const GN_KEY = 'greynoise-secret-key-0123456789';

describe('GET /v1/integrations', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let api: TestApi;
  before(async () => {
    ({ client, close: closeClient } = await testClient());
    api = await startApi({ client, taskQueue: uniqueQueue('integrations'), env: { GREYNOISE_API_KEY: GN_KEY, VIRUSTOTAL_RATE_LIMIT: '30/min' } });
  });
  after(async () => {
    await api?.close();
    await closeClient?.();
  });

  it('lists every integration, what is configured and what is missing, without any secret', async () => {
    const res = await api.request('GET', '/v1/integrations', { token: TOKENS.analyst });
    assert.equal(res.status, 200);
    assertMatchesDocument((await api.request('GET', '/v1/openapi.json')).body, 'GET', '/v1/integrations', 200, res.body);
    const by = Object.fromEntries(res.body.integrations.map((i: { name: string }) => [i.name, i]));
    assert.equal(by.greynoise.configured, true);
    assert.deepEqual(by.greynoise.settings.find((s: { name: string }) => s.name === 'GREYNOISE_API_KEY'), { name: 'GREYNOISE_API_KEY', required: true, secret: true, set: true });
    assert.equal(by.virustotal.configured, false);
    assert.deepEqual(by.virustotal.missing, ['VIRUSTOTAL_API_KEY']);
    assert.deepEqual(by.virustotal.rateLimit, { limit: 30, intervalMs: 60_000 });
    assert.equal(by.dns.configured, true);
    assert.doesNotMatch(JSON.stringify(res.body), new RegExp(GN_KEY));
  });

  it('shows the last success and failure the worker recorded', async () => {
    // The worker's write, to the same stores the API reads (SQLite files, or PostgreSQL).
    const stores = testStores(api.dataDir);
    const store = await stores.integrationStatus();
    await store.recordSuccess('greynoise', new Date('2026-11-28T01:00:00Z'));
    await store.recordFailure('greynoise', { type: 'RateLimitedError', message: 'greynoise: HTTP 429' }, new Date('2026-11-28T02:00:00Z'));
    await stores.close();
    const res = await api.request('GET', '/v1/integrations', { token: TOKENS.analyst });
    const gn = res.body.integrations.find((i: { name: string }) => i.name === 'greynoise');
    assert.equal(gn.lastSuccessAt, '2026-11-28T01:00:00.000Z');
    assert.equal(gn.lastFailureAt, '2026-11-28T02:00:00.000Z');
    assert.deepEqual(gn.lastFailure, { type: 'RateLimitedError', message: 'greynoise: HTTP 429' });
    assert.equal(gn.successes, 1);
  });

  it('is for analysts: a source token gets 403, none 401', async () => {
    assert.equal((await api.request('GET', '/v1/integrations', { token: TOKENS.source })).status, 403);
    assert.equal((await api.request('GET', '/v1/integrations')).status, 401);
  });
});
