// Hunting: the same interface over the local log store (real SQLite FTS5, fed a real dnsmasq
// query log), Elasticsearch and Splunk (nock from their documented request and response shapes).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ElasticsearchClient } from '../../activities/elasticsearch/client.ts';
import { createElasticsearchActivities, elasticsearchFromEnv } from '../../activities/elasticsearch/index.ts';
import { mentions } from '../../activities/hunting/match.ts';
import { importFile } from '../../activities/logstore/importers.ts';
import { createLogstoreActivities } from '../../activities/logstore/index.ts';
import { LogStore } from '../../activities/logstore/store.ts';
import { SentinelClient } from '../../activities/sentinel/client.ts';
import { createSentinelActivities, huntQuery } from '../../activities/sentinel/index.ts';
import { SplunkClient } from '../../activities/splunk/client.ts';
import { createSplunkActivities } from '../../activities/splunk/index.ts';
import { Secret } from '../../config/secret.ts';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { waitFor } from '../helpers/wait.ts';

const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
const hour = 3_600_000;
const window = () => ({ from: new Date(Date.now() - hour).toISOString(), to: new Date(Date.now() + hour).toISOString() });

describe('exact indicator matching', () => {
  it('does not take a longer address or a look-alike domain for the indicator', () => {
    const ip = { type: 'ip' as const, value: '203.0.113.7' };
    const domain = { type: 'domain' as const, value: 'evil.test' };
    assert.deepEqual(mentions('CONNECT 203.0.113.7:443', [ip]), [ip]);
    assert.deepEqual(mentions('GET http://203.0.113.70/', [ip]), []);
    assert.deepEqual(mentions('query[A] x.evil.test from 10.0.0.5', [domain]), [domain]);
    assert.deepEqual(mentions('query[A] notevil.test from 10.0.0.5', [domain]), []);
    assert.deepEqual(mentions('query[A] evil.test.example from 10.0.0.5', [domain]), []);
  });
});

describe('logstore hunting over a real dnsmasq query log', () => {
  let dns: Dnsmasq;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-logs-'));
  before(async () => {
    dns = await startDnsmasq({ 'c2-never-seen.test': '203.0.113.7' });
  });
  after(async () => {
    await dns.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds which host asked for the domain, and when', async () => {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([dns.server]);
    await resolver.resolve4('beacon.c2-never-seen.test');
    await resolver.resolve4('notc2-never-seen.test').catch(() => undefined);
    await waitFor(async () => dns.queries(), (q) => q.includes('notc2-never-seen.test'), 5000, 'queries logged');

    const store = new LogStore(path.join(dir, 'logs.db'));
    const first = importFile(store, 'dnsmasq', dns.logFile);
    assert.ok(first.imported >= 2);
    assert.deepEqual(importFile(store, 'dnsmasq', dns.logFile), { imported: 0, skipped: 0 }, 'a second import adds nothing');

    const { logstoreHunt } = createLogstoreActivities({ store });
    const out = await runActivity(env, logstoreHunt, { indicators: [{ type: 'domain', value: 'c2-never-seen.test' }], ...window() });
    assert.ok(out.status === 'ok');
    const queries = out.sightings.filter((s) => s.excerpt.includes('query['));
    assert.ok(queries.length >= 1, JSON.stringify(out.sightings));
    assert.ok(queries.every((s) => s.excerpt.includes('beacon.c2-never-seen.test')), 'the look-alike name is not a sighting');
    assert.equal(queries[0]?.host, '127.0.0.1');
    assert.ok(Math.abs(Date.parse(queries[0]!.at) - Date.now()) < 5 * 60_000, 'the sighting carries the log time');
    store.close();
  });

  it('reads a squid access log, keeps to the window, and imports only what was appended', async () => {
    const log = path.join(dir, 'access.log');
    const now = Date.now() / 1000;
    const line = (t: number, client: string, url: string, peer: string) => `${t.toFixed(3)}    120 ${client} TCP_MISS/200 5120 GET ${url} - HIER_DIRECT/${peer} text/html\n`;
    fs.writeFileSync(log, line(now - 60, '10.0.1.23', 'http://c2-never-seen.test/beacon', '203.0.113.7') + line(now - 50, '10.0.1.24', 'http://cdn.test/app.js', '203.0.113.70') + line(now - 3 * 86400, '10.0.1.9', 'http://c2-never-seen.test/old', '203.0.113.7'));
    const store = new LogStore(path.join(dir, 'proxy.db'));
    assert.deepEqual(importFile(store, 'squid', log), { imported: 3, skipped: 0 });
    const { logstoreHunt } = createLogstoreActivities({ store });
    const ip = { type: 'ip' as const, value: '203.0.113.7' };
    const out = await runActivity(env, logstoreHunt, { indicators: [ip], ...window() });
    assert.ok(out.status === 'ok');
    assert.deepEqual(out.sightings.map((s) => s.host), ['10.0.1.23'], 'exact address, inside the window only');
    fs.appendFileSync(log, line(now - 10, '10.0.1.30', 'http://c2-never-seen.test/again', '203.0.113.7') + 'not a squid line\n');
    assert.deepEqual(importFile(store, 'squid', log), { imported: 1, skipped: 1 });
    const again = await runActivity(env, logstoreHunt, { indicators: [ip], ...window() });
    assert.ok(again.status === 'ok');
    assert.deepEqual(again.sightings.map((s) => s.host), ['10.0.1.23', '10.0.1.30']);
    store.close();
  });

  it('refuses a hunt with nothing to look for, or a window that ends before it starts', async () => {
    const { logstoreHunt } = createLogstoreActivities({ store: new LogStore(':memory:') });
    assert.equal((await rejection(() => runActivity(env, logstoreHunt, { indicators: [], ...window() }))).type, 'InvalidObservableError');
    const w = window();
    assert.equal((await rejection(() => runActivity(env, logstoreHunt, { indicators: [{ type: 'ip', value: '203.0.113.7' }], from: w.to, to: w.from }))).type, 'InvalidObservableError');
  });
});

describe('elasticsearch and splunk hunting (nock from the documented shapes)', () => {
  before(setupNock);
  afterEach(checkNock);
  const indicators = [{ type: 'domain' as const, value: 'c2-never-seen.test' }, { type: 'ip' as const, value: '203.0.113.7' }];
  const from = '2026-11-28T00:00:00.000Z';
  const to = '2026-11-28T02:00:00.000Z';

  it('elasticsearch: one _search with a time range and a phrase per indicator; hits become sightings', async () => {
    const ES = 'https://es.corp.test:9200';
    const client = new ElasticsearchClient({ baseUrl: ES, authorization: new Secret('ApiKey c2VjcmV0LWlkOnNlY3JldC1rZXk='), index: 'logs-*', timestampField: '@timestamp', timeoutMs: 500 });
    nock(ES)
      .post('/logs-*/_search', (body) => {
        assert.deepEqual(body.query.bool.filter, [{ range: { '@timestamp': { gte: from, lte: to } } }]);
        assert.deepEqual(body.query.bool.should.map((s: { multi_match: { query: string } }) => s.multi_match.query), ['c2-never-seen.test', '203.0.113.7']);
        assert.equal(body.query.bool.minimum_should_match, 1);
        assert.equal(body.size, 100);
        return true;
      })
      .matchHeader('authorization', 'ApiKey c2VjcmV0LWlkOnNlY3JldC1rZXk=')
      .reply(200, {
        took: 12,
        timed_out: false,
        hits: {
          total: { value: 2, relation: 'eq' },
          hits: [
            { _index: '.ds-logs-network-2026.11.28', _id: 'a1', _source: { '@timestamp': '2026-11-28T01:02:03.000Z', host: { name: 'web-1' }, destination: { ip: '203.0.113.7', port: 443 }, dns: { question: { name: 'beacon.c2-never-seen.test' } } } },
            { _index: '.ds-logs-network-2026.11.28', _id: 'a2', _source: { '@timestamp': '2026-11-28T01:05:00.000Z', 'source.ip': '10.0.1.24', 'destination.ip': '203.0.113.70' } },
          ],
        },
      });
    const out = await runActivity(env, createElasticsearchActivities({ client }).elasticsearchHunt, { indicators, from, to });
    assert.ok(out.status === 'ok');
    assert.deepEqual(out.sightings.map((s) => [s.indicator.value, s.host, s.at, s.where]), [
      ['c2-never-seen.test', 'web-1', '2026-11-28T01:02:03.000Z', '.ds-logs-network-2026.11.28'],
      ['203.0.113.7', 'web-1', '2026-11-28T01:02:03.000Z', '.ds-logs-network-2026.11.28'],
    ]);
    assert.equal(out.truncated, false);
    nock(ES).post('/logs-*/_search').reply(401, { error: { type: 'security_exception', reason: 'unable to authenticate' }, status: 401 });
    const err = await rejection(() => runActivity(env, createElasticsearchActivities({ client }).elasticsearchHunt, { indicators, from, to }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.doesNotMatch(err.message, /c2VjcmV0/);
    assert.equal(elasticsearchFromEnv({ ELASTICSEARCH_URL: ES }), undefined, 'no credentials, no client');
  });

  it('splunk: a oneshot JSON search over the window; the client address is the host', async () => {
    const SPLUNK = 'https://splunk.corp.test:8089';
    const client = new SplunkClient({ baseUrl: SPLUNK, token: new Secret('splunk-token-0123456789'), index: 'proxy', timeoutMs: 500 });
    nock(SPLUNK)
      .post('/services/search/jobs', (body) => {
        assert.equal(body.search, 'search index=proxy ("c2-never-seen.test" OR "203.0.113.7") | sort 0 _time');
        assert.equal(body.exec_mode, 'oneshot');
        assert.equal(body.output_mode, 'json');
        assert.equal(body.earliest_time, '2026-11-28T00:00:00.000+00:00');
        assert.equal(body.latest_time, '2026-11-28T02:00:00.000+00:00');
        return true;
      })
      .matchHeader('authorization', 'Bearer splunk-token-0123456789')
      .reply(200, {
        preview: false,
        init_offset: 0,
        messages: [],
        results: [
          { _time: '2026-11-28T01:10:00.000+00:00', host: 'proxy-1', src: '10.0.1.23', index: 'proxy', sourcetype: 'squid:access', source: '/var/log/squid/access.log', _raw: '1795828200.000 120 10.0.1.23 TCP_MISS/200 5120 GET http://c2-never-seen.test/beacon - HIER_DIRECT/203.0.113.7 text/html' },
        ],
      });
    const out = await runActivity(env, createSplunkActivities({ client }).splunkHunt, { indicators, from, to });
    assert.ok(out.status === 'ok');
    assert.deepEqual(out.sightings.map((s) => [s.indicator.value, s.host, s.at]), [
      ['c2-never-seen.test', '10.0.1.23', '2026-11-28T01:10:00.000Z'],
      ['203.0.113.7', '10.0.1.23', '2026-11-28T01:10:00.000Z'],
    ]);
    assert.match(out.sightings[0]!.where, /proxy squid:access/);
    nock(SPLUNK).post('/services/search/jobs').reply(503, 'Splunkd is busy');
    assert.equal((await rejection(() => runActivity(env, createSplunkActivities({ client }).splunkHunt, { indicators, from, to }))).type, 'IntegrationUnavailableError');
    assert.equal((await runActivity(env, createSplunkActivities({}).splunkHunt, { indicators, from, to })).status, 'skipped');
  });
});

describe('sentinel (Log Analytics KQL) hunting', () => {
  before(setupNock);
  afterEach(checkNock);
  const LA = 'https://api.loganalytics.azure.com';
  const LOGIN = 'https://login.microsoftonline.com';
  const indicators = [{ type: 'domain' as const, value: 'c2-never-seen.test' }];

  it('runs an escaped KQL search over the window and reads rows as sightings', async () => {
    assert.equal(huntQuery(['a"b', 'c\\d'], 10, ['DnsEvents']), 'search in (DnsEvents) "a\\"b" or "c\\\\d"\n| sort by TimeGenerated asc\n| take 11');
    const client = new SentinelClient({ baseUrl: LA, loginUrl: LOGIN, tenantId: 't-1', clientId: 'app-1', clientSecret: new Secret('la-secret-0123456789'), workspaceId: 'ws-1', timeoutMs: 500 });
    nock(LOGIN).post('/t-1/oauth2/v2.0/token', (b) => b.scope === 'https://api.loganalytics.io/.default' && b.grant_type === 'client_credentials').reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'la-token' });
    nock(LA)
      .post('/v1/workspaces/ws-1/query', { query: 'search "c2-never-seen.test"\n| sort by TimeGenerated asc\n| take 101', timespan: '2026-11-28T00:00:00.000Z/2026-11-28T02:00:00.000Z' })
      .matchHeader('authorization', 'Bearer la-token')
      .reply(200, {
        tables: [
          {
            name: 'PrimaryResult',
            columns: [{ name: '$table', type: 'string' }, { name: 'TimeGenerated', type: 'datetime' }, { name: 'Computer', type: 'string' }, { name: 'Name', type: 'string' }, { name: 'ClientIP', type: 'string' }],
            rows: [['DnsEvents', '2026-11-28T01:15:00Z', 'web-1.corp.test', 'beacon.c2-never-seen.test', '10.0.1.23']],
          },
        ],
      });
    const out = await runActivity(env, createSentinelActivities({ client }).sentinelHunt, { indicators, from: '2026-11-28T00:00:00.000Z', to: '2026-11-28T02:00:00.000Z' });
    assert.ok(out.status === 'ok');
    assert.deepEqual(out.sightings.map((s) => [s.indicator.value, s.host, s.at, s.where]), [['c2-never-seen.test', 'web-1.corp.test', '2026-11-28T01:15:00.000Z', 'DnsEvents']]);
    assert.equal((await runActivity(env, createSentinelActivities({}).sentinelHunt, { indicators, from: '2026-11-28T00:00:00.000Z', to: '2026-11-28T02:00:00.000Z' })).status, 'skipped');
    nock(LA).post('/v1/workspaces/ws-1/query').reply(400, { error: { message: 'The request had some invalid properties', code: 'BadArgumentError', innererror: { code: 'SyntaxError', message: 'A recognition error occurred in the query.' } } });
    const bad = await rejection(() => runActivity(env, createSentinelActivities({ client }).sentinelHunt, { indicators, from: '2026-11-28T00:00:00.000Z', to: '2026-11-28T02:00:00.000Z' }));
    assert.equal(bad.type, 'IntegrationRequestError');
    nock(LA).post('/v1/workspaces/ws-1/query').reply(403, { error: { message: 'The provided credentials have insufficient access', code: 'InsufficientAccessError' } });
    const denied = await rejection(() => runActivity(env, createSentinelActivities({ client }).sentinelHunt, { indicators, from: '2026-11-28T00:00:00.000Z', to: '2026-11-28T02:00:00.000Z' }));
    assert.equal(denied.type, 'IntegrationAuthError');
    assert.doesNotMatch(denied.message, /la-secret|la-token/);
  });
});
