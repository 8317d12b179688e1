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
import { importFile, queriedDomain } from '../../activities/logstore/importers.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { FirstSeenStore } from '../../activities/dns/first-seen.ts';
import { firstSeenFinding, firstSeenIdempotencyKey, importWithFirstSeen, NoBaselineError, postPendingAlerts } from '../../activities/logstore/first-seen-source.ts';
import { freePort } from '../../scripts/dev-server.ts';
import { alertIdFor } from '../../domain/entities.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';
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

describe('the first-seen domain source: domains from the logs, alerts to the API', () => {
  let dns: Dnsmasq;
  let api: TestApi;
  let client: { client: Client; close(): Promise<void> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-first-seen-source-'));
  before(async () => {
    dns = await startDnsmasq({ 'c2-never-seen.test': '203.0.113.7', 'intranet.test': '198.51.100.10' });
    client = await testClient();
    // The real API (no worker polls its queue: the alerts are stored and their cases wait).
    api = await startApi({ client: client.client, taskQueue: uniqueQueue('first-seen-source') });
  });
  after(async () => {
    await api.close();
    await client.close();
    await dns.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const fast = { token: TOKENS.source, attempts: 3, backoffMs: 5, maxBackoffMs: 20 };
  const getAlert = (domain: string) => api.request('GET', `/v1/alerts/${alertId(domain)}`, { token: TOKENS.analyst });
  const alertId = (domain: string) => alertIdFor('ocsf', firstSeenFinding(domain, { at: '2026-01-01T00:00:00Z', source: 'x' }).finding_info.uid);

  it('reads the domain each line queried or visited, and nothing that is not a domain', () => {
    assert.equal(queriedDomain('dnsmasq', 'Dec  1 16:40:20 dnsmasq[3440]: query[A] X.C2-Never-Seen.test from 10.0.0.5'), 'x.c2-never-seen.test');
    assert.equal(queriedDomain('dnsmasq', 'Dec  1 16:40:20 dnsmasq[3440]: 7 10.0.0.5/41234 query[AAAA] cdn.test from 10.0.0.5'), 'cdn.test', 'log-queries=extra');
    assert.equal(queriedDomain('dnsmasq', 'Dec  1 16:40:20 dnsmasq[3440]: config x.c2-never-seen.test is 203.0.113.7'), undefined, 'answers are not queries');
    assert.equal(queriedDomain('dnsmasq', 'Dec  1 16:40:20 dnsmasq[3440]: query[PTR] 5.0.0.10.in-addr.arpa from 10.0.0.5'), undefined);
    assert.equal(queriedDomain('dnsmasq', 'Dec  1 16:40:20 dnsmasq[3440]: query[SRV] _ldap._tcp.corp.test from 10.0.0.5'), undefined);
    assert.equal(queriedDomain('dnsmasq', 'Dec  1 16:40:20 dnsmasq[3440]: query[A] wpad from 10.0.0.5'), undefined, 'single labels are not domains');
    const squid = (url: string, method = 'GET') => `1795795200.123    120 10.0.1.23 TCP_MISS/200 5120 ${method} ${url} - HIER_DIRECT/203.0.113.7 text/html`;
    assert.equal(queriedDomain('squid', squid('http://Beacon.C2-never-seen.test:8080/x?y=1')), 'beacon.c2-never-seen.test');
    assert.equal(queriedDomain('squid', squid('c2-never-seen.test:443', 'CONNECT')), 'c2-never-seen.test');
    assert.equal(queriedDomain('squid', squid('http://203.0.113.7/beacon')), undefined, 'addresses are not domains');
    assert.equal(queriedDomain('zeek-dns', JSON.stringify({ ts: 1795795200.5, 'id.orig_h': '10.0.0.5', query: 'zeek.c2-never-seen.test' })), 'zeek.c2-never-seen.test');
    assert.equal(queriedDomain('zeek-dns', '{not json'), undefined);
  });

  it('records the domains of a real dnsmasq query log; --alert needs a baseline; a failing first-seen store leaves the lines for the next run', async () => {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([dns.server]);
    await resolver.resolve4('intranet.test');
    await waitFor(async () => dns.queries(), (q) => q.includes('intranet.test'), 5000, 'the query logged');
    const logs = new LogStore(path.join(dir, 'logs.db'));
    const firstSeen = new FirstSeenStore(path.join(dir, 'first-seen.db'));
    assert.throws(() => importWithFirstSeen({ logs, firstSeen, kind: 'dnsmasq', files: [dns.logFile], mode: 'alert' }), NoBaselineError);
    const [baseline] = importWithFirstSeen({ logs, firstSeen, kind: 'dnsmasq', files: [dns.logFile], mode: 'baseline' });
    assert.ok(baseline?.newDomains.includes('intranet.test'), JSON.stringify(baseline));
    assert.deepEqual(firstSeen.pendingAlerts(), [], 'the baseline queues no alert');

    await resolver.resolve4('x.c2-never-seen.test');
    await waitFor(async () => dns.queries(), (q) => q.includes('x.c2-never-seen.test'), 5000, 'the query logged');
    const broken = Object.create(firstSeen) as FirstSeenStore;
    broken.recordLogSightings = () => {
      throw new Error('database is locked');
    };
    const linesBefore = logs.count();
    assert.throws(() => importWithFirstSeen({ logs, firstSeen: broken, kind: 'dnsmasq', files: [dns.logFile], mode: 'alert' }), /database is locked/);
    assert.equal(logs.count(), linesBefore, 'nothing imported, the offset did not move');
    const [next] = importWithFirstSeen({ logs, firstSeen, kind: 'dnsmasq', files: [dns.logFile], mode: 'alert' });
    assert.deepEqual(next?.newDomains, ['x.c2-never-seen.test'], 'the next run reads the lines again and records the first sighting');
    assert.deepEqual(firstSeen.pendingAlerts().map((p) => [p.domain, p.first.host]), [['x.c2-never-seen.test', '127.0.0.1']]);
    logs.close();
    firstSeen.close();
  });

  it('a post that fails (the API unreachable) keeps the first sighting queued; the next run posts it to the real API, once', async () => {
    const firstSeen = new FirstSeenStore(':memory:');
    firstSeen.recordLogSightings([{ domain: 'late.c2-never-seen.test', sighting: { at: '2026-11-30T10:00:00.000Z', source: 'dnsmasq q.log', host: '10.0.0.5' } }], { alert: true });
    const down = await postPendingAlerts(firstSeen, { ...fast, apiUrl: `http://127.0.0.1:${await freePort()}` });
    assert.deepEqual(down.posted, []);
    assert.equal(down.waiting, 1);
    assert.match(down.error ?? '', /could not post the alert for late\.c2-never-seen\.test: .*unreachable/);
    assert.equal(firstSeen.pendingAlerts()[0]?.attempts, 1);

    const up = await postPendingAlerts(firstSeen, { ...fast, apiUrl: api.url });
    assert.equal(up.error, undefined);
    assert.deepEqual(up.posted.map((p) => [p.domain, p.duplicate, p.alertId]), [['late.c2-never-seen.test', false, alertId('late.c2-never-seen.test')]]);
    const stored = await getAlert('late.c2-never-seen.test');
    assert.equal(stored.status, 200);
    assert.deepEqual(stored.body.rule, { name: 'First-seen domain', uid: 'riposte:first-seen-domain' });
    assert.equal(stored.body.time, '2026-11-30T10:00:00.000Z', 'the time of the first sighting');
    assert.deepEqual((await postPendingAlerts(firstSeen, { ...fast, apiUrl: api.url })).posted, [], 'a re-run posts nothing');
    assert.equal(firstSeen.alertState('late.c2-never-seen.test').state, 'posted');
  });

  it('an answer that was lost: the next run sends the very same finding and key, and the API answers it as the first', async () => {
    const firstSeen = new FirstSeenStore(':memory:');
    const first = { at: '2026-11-30T11:00:00.000Z', source: 'dnsmasq q.log', host: '10.0.0.6' };
    firstSeen.recordLogSightings([{ domain: 'lost.c2-never-seen.test', sighting: first }], { alert: true });
    // The earlier run's post reached the API; its answer never came back.
    const earlier = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: firstSeenFinding('lost.c2-never-seen.test', first), headers: { 'idempotency-key': firstSeenIdempotencyKey('lost.c2-never-seen.test') } });
    assert.equal(earlier.status, 202);
    const again = await postPendingAlerts(firstSeen, { ...fast, apiUrl: api.url });
    assert.deepEqual(again.posted.map((p) => [p.duplicate, p.alertId, p.caseId]), [[true, earlier.body.alertId, earlier.body.caseId]]);
    assert.equal((await getAlert('lost.c2-never-seen.test')).body.count, 1, 'still one alert');
  });

  it('retries 503 and 429 (after its Retry-After) with backoff; 401 stops the run; a refused alert (400) stays queued and the others go on', async () => {
    const answers: Array<[number, Record<string, string>?]> = [];
    const seenKeys: string[] = [];
    const server = http.createServer((req, res) => {
      seenKeys.push(String(req.headers['idempotency-key']));
      req.resume();
      req.on('end', () => {
        const [status, headers] = answers.shift() ?? [202];
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(status === 202 ? { alertId: 'al_00000000000000aa', caseId: 'cs_00000000000000aa', duplicate: false, outcome: 'new' } : { title: 'nope', detail: `status ${status}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const slept: number[] = [];
    const opts = { ...fast, apiUrl, attempts: 4, backoffMs: 100, sleep: async (ms: number) => void slept.push(ms) };
    const queue = (...domains: string[]) => {
      const store = new FirstSeenStore(':memory:');
      store.recordLogSightings(domains.map((domain, i) => ({ domain, sighting: { at: `2026-11-30T12:0${i}:00.000Z`, source: 'q', host: '10.0.0.5' } })), { alert: true });
      return store;
    };
    try {
      answers.push([503], [429, { 'retry-after': '2' }]);
      const retried = await postPendingAlerts(queue('a.test'), opts);
      assert.deepEqual(retried.posted.map((p) => p.domain), ['a.test']);
      assert.deepEqual(slept, [100, 2000], 'backoff, then the Retry-After');
      assert.equal(new Set(seenKeys).size, 1, 'every try under the same Idempotency-Key');

      answers.push([401]);
      const denied = queue('b.test', 'c.test');
      const stopped = await postPendingAlerts(denied, opts);
      assert.match(stopped.error ?? '', /HTTP 401: the token is not a valid source token/);
      assert.equal(stopped.waiting, 2, 'both stay queued; nothing was retried against a bad token');

      answers.push([400]);
      const refused = await postPendingAlerts(queue('d.test', 'e.test'), opts);
      assert.deepEqual(refused.posted.map((p) => p.domain), ['e.test']);
      assert.equal(refused.waiting, 1);
      assert.equal(refused.error, undefined);
    } finally {
      server.close();
    }
  });
});

