// Pulling recent indicators from threat-intel feeds for the scheduled retro-hunt (IOC sweep).
// nock stands in for the vendors, built from their documented request and response shapes:
//  - MISP: POST /attributes/restSearch, https://www.misp-project.org/openapi/#tag/Attributes/operation/restSearchAttributes
//    (AttributeRestSearchFilter, AttributeRestSearchListItem; Event.publish_timestamp as MISP 2.4.196+ returns it)
//  - OTX: GET /api/v1/pulses/subscribed, https://otx.alienvault.com/api (DirectConnect v1; pulses with their
//    indicators, `next` links as the OTX SDK's getall() walks them)
//  - URLhaus: GET /v1/urls/recent/limit/<n>/ with the Auth-Key header, https://urlhaus-api.abuse.ch/#urls-recent
import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { FeedResult, Indicator } from '../../core/indicator.ts';
import { MispClient } from '../../activities/misp/client.ts';
import { MISP_FEED_TYPES } from '../../activities/misp/feed.ts';
import { createMispActivities } from '../../activities/misp/index.ts';
import { OtxClient } from '../../activities/otx/client.ts';
import { MAX_PAGES as OTX_MAX_PAGES } from '../../activities/otx/feed.ts';
import { createOtxActivities } from '../../activities/otx/index.ts';
import { UrlhausClient } from '../../activities/urlhaus/client.ts';
import { createUrlhausActivities } from '../../activities/urlhaus/index.ts';
import { Secret } from '../../config/secret.ts';
import { fixture, rejection, runActivity, silentLogger } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
const SINCE = '2026-11-20T00:00:00Z';
const SINCE_EPOCH = String(Date.parse(SINCE) / 1000);

function ok(result: FeedResult): Extract<FeedResult, { status: 'ok' }> {
  assert.equal(result.status, 'ok', JSON.stringify(result));
  return result as Extract<FeedResult, { status: 'ok' }>;
}
const pairs = (indicators: Indicator[]) => indicators.map((i) => `${i.type} ${i.value}`);

describe('misp feed: IDS indicators of events published since the last sweep', () => {
  before(setupNock);
  afterEach(checkNock);
  const MISP = 'https://misp.corp.test';
  const KEY = 'misp-auth-key-0123456789abcdefghijklmn';
  const acts = createMispActivities({ client: new MispClient({ baseUrl: MISP, authKey: new Secret(KEY), timeoutMs: 500 }) });

  it('asks restSearch for IDS attributes of events published since `since`, warninglists enforced, with the key', async () => {
    const bodies: any[] = [];
    nock(MISP)
      .post('/attributes/restSearch', (b) => bodies.push(b) > 0)
      .matchHeader('authorization', KEY)
      .matchHeader('content-type', 'application/json')
      .reply(200, fixture('misp/restsearch-recent.json'));
    const startedAt = Date.now();
    const out = ok(await runActivity(env, acts.mispRecentIndicators, { since: '2026-11-20T01:00:00+01:00' }));
    assert.deepEqual(bodies, [
      {
        returnFormat: 'json',
        type: MISP_FEED_TYPES,
        to_ids: true,
        published: true,
        publish_timestamp: SINCE_EPOCH,
        enforceWarninglist: true,
        deleted: false,
        order: 'Event.publish_timestamp asc,Attribute.id asc',
        limit: 1000,
        page: 1,
      },
    ]);
    for (const t of ['ip-dst', 'ip-src', 'domain', 'hostname', 'url', 'md5', 'sha1', 'sha256', 'ip-dst|port', 'domain|ip', 'filename|sha256']) assert.ok(MISP_FEED_TYPES.includes(t), t);
    assert.equal(out.source, 'misp');
    assert.equal(out.truncated, false);
    assert.ok(Date.parse(out.until) >= startedAt && Date.parse(out.until) <= Date.now(), 'until is when the pull started');
  });

  it('normalizes attributes to indicators: composite types give their network or hash part, junk and warninglist hits are dropped, duplicates fold', async () => {
    nock(MISP).post('/attributes/restSearch').reply(200, fixture('misp/restsearch-recent.json'));
    const out = ok(await runActivity(env, acts.mispRecentIndicators, { since: SINCE }));
    assert.deepEqual(pairs(out.indicators), [
      'ip 203.0.113.7',
      'ip 198.51.100.23',
      'domain c2-never-seen.test',
      'domain cdn.c2-never-seen.test',
      'url http://c2-never-seen.test/bins/x86',
      'domain update-check.test',
      'ip 192.0.2.44',
      'hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'hash d41d8cd98f00b204e9800998ecf8427e',
    ]);
    assert.deepEqual(out.indicators[0], {
      type: 'ip',
      value: '203.0.113.7',
      source: 'misp',
      reference: `${MISP}/events/view/77`,
      description: 'Mirai botnet C2 — November — C2 seen beaconing every 60 s',
      firstSeen: '2026-11-19T06:40:00.000Z',
    });
    assert.deepEqual(out.indicators[6], { type: 'ip', value: '192.0.2.44', source: 'misp', reference: `${MISP}/events/view/81`, description: 'Loader infrastructure shared by two crews' });
  });

  it('stops at the limit and says so, paging only while a full page leaves it short', async () => {
    const all = fixture<{ response: { Attribute: unknown[] } }>('misp/restsearch-recent.json').response.Attribute;
    const pages: number[] = [];
    // Page 1: 203.0.113.7, its duplicate from event 81, 198.51.100.23|8443 → two indicators, a full page.
    nock(MISP)
      .post('/attributes/restSearch', (b) => b.limit === 3 && b.page === 1 && pages.push(1) > 0)
      .reply(200, { response: { Attribute: [all[0], all[6], all[1]] } });
    // Page 2: domain|ip (two) and a URL → five in all, over the limit: no third page.
    nock(MISP)
      .post('/attributes/restSearch', (b) => b.limit === 3 && b.page === 2 && pages.push(2) > 0)
      .reply(200, { response: { Attribute: [all[7], all[4], all[8]] } });
    const out = ok(await runActivity(env, acts.mispRecentIndicators, { since: SINCE, limit: 3 }));
    assert.deepEqual(pages, [1, 2]);
    assert.deepEqual(pairs(out.indicators), ['ip 203.0.113.7', 'ip 198.51.100.23', 'domain update-check.test']);
    assert.equal(out.truncated, true);
  });

  it('maps 401 and 403 to a non-retryable auth failure without the key, and 5xx to a retryable one', async () => {
    nock(MISP).post('/attributes/restSearch').reply(401, { name: 'Unauthorized', message: 'Unauthorized', url: '/attributes/restSearch' });
    const unauthorized = await rejection(() => runActivity(env, acts.mispRecentIndicators, { since: SINCE }));
    assert.equal(unauthorized.type, 'IntegrationAuthError');
    assert.equal(unauthorized.nonRetryable, true);
    assert.doesNotMatch(unauthorized.message, new RegExp(KEY));
    nock(MISP)
      .post('/attributes/restSearch')
      .reply(403, { name: 'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.', message: 'Authentication failed.', url: '/attributes/restSearch' });
    const forbidden = await rejection(() => runActivity(env, acts.mispRecentIndicators, { since: SINCE }));
    assert.equal(forbidden.type, 'IntegrationAuthError');
    assert.doesNotMatch(forbidden.message, new RegExp(KEY));
    nock(MISP).post('/attributes/restSearch').reply(503, 'Service Unavailable');
    assert.equal((await rejection(() => runActivity(env, acts.mispRecentIndicators, { since: SINCE }))).type, 'IntegrationUnavailableError');
  });
});

describe('otx feed: indicators of subscribed pulses modified since the last sweep', () => {
  before(setupNock);
  afterEach(checkNock);
  const BASE = 'https://otx.alienvault.com';
  const KEY = 'otx-api-key-0123456789abcdef';
  const acts = createOtxActivities({ client: new OtxClient({ baseUrl: BASE, apiKey: new Secret(KEY), timeoutMs: 500 }) });
  const PAGE_1 = { modified_since: '2026-11-20T00:00:00Z', limit: '50', page: '1' };
  const PAGE_2 = { ...PAGE_1, page: '2' };

  it('follows `next` to the last page with the key, keeping only active, unexpired indicators it can hunt, duplicates folded', async () => {
    nock(BASE).get('/api/v1/pulses/subscribed').query(PAGE_1).matchHeader('X-OTX-API-KEY', KEY).reply(200, fixture('otx/subscribed-page-1.json'));
    nock(BASE).get('/api/v1/pulses/subscribed').query(PAGE_2).matchHeader('X-OTX-API-KEY', KEY).reply(200, fixture('otx/subscribed-page-2.json'));
    const out = ok(await runActivity(env, acts.otxSubscribedIndicators, { since: SINCE }));
    assert.deepEqual(pairs(out.indicators), [
      'ip 203.0.113.7',
      'domain cdn.example-bad.test',
      'url http://cdn.example-bad.test/x86',
      'hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'hash d41d8cd98f00b204e9800998ecf8427e',
      'ip 2001:db8::beef',
      'hash a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    ]);
    assert.deepEqual(out.indicators[0], {
      type: 'ip',
      value: '203.0.113.7',
      source: 'otx',
      reference: 'https://otx.alienvault.com/pulse/6561d3c0a1b2c3d4e5f60718',
      description: 'OTX pulse "Mirai C2 infrastructure, November" — C2',
      firstSeen: '2026-11-21T10:02:12.000Z',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    assert.ok(!out.indicators.some((i) => ['198.51.100.99', 'stale-c2.test'].includes(i.value)), 'inactive and expired indicators are skipped');
    assert.ok(!out.indicators.some((i) => i.value === 'old-phish.test'), 'a pulse modified before `since` is not this pull’s');
    assert.equal(out.truncated, false);
  });

  it('stops at the limit without asking for more pages', async () => {
    nock(BASE).get('/api/v1/pulses/subscribed').query(PAGE_1).reply(200, fixture('otx/subscribed-page-1.json'));
    const out = ok(await runActivity(env, acts.otxSubscribedIndicators, { since: SINCE, limit: 2 }));
    assert.deepEqual(pairs(out.indicators), ['ip 203.0.113.7', 'domain cdn.example-bad.test']);
    assert.equal(out.truncated, true);
  });

  it(`follows at most ${OTX_MAX_PAGES} pages, and a pull cut short there says it is truncated`, async () => {
    const asked: string[] = [];
    nock(BASE)
      .get('/api/v1/pulses/subscribed')
      .query(true)
      .times(OTX_MAX_PAGES)
      .reply(200, (uri) => {
        const page = Number(new URL(uri, BASE).searchParams.get('page'));
        asked.push(String(page));
        return {
          count: 10_000,
          next: `${BASE}/api/v1/pulses/subscribed?limit=50&modified_since=2026-11-20T00%3A00%3A00Z&page=${page + 1}`,
          previous: null,
          results: [{ id: `pulse${page}`, name: `Pulse ${page}`, modified: '2026-11-28T00:00:00', indicators: [{ id: page, indicator: `198.51.100.${page}`, type: 'IPv4', is_active: 1, expiration: null }] }],
        };
      });
    const out = ok(await runActivity(env, acts.otxSubscribedIndicators, { since: SINCE }));
    assert.equal(asked.length, OTX_MAX_PAGES);
    assert.deepEqual(asked.slice(0, 3), ['1', '2', '3']);
    assert.equal(out.indicators.length, OTX_MAX_PAGES);
    assert.equal(out.truncated, true);
  });

  it('takes only the query of a `next` link, so the key never goes to another host', async () => {
    nock(BASE)
      .get('/api/v1/pulses/subscribed')
      .query(PAGE_1)
      .reply(200, { ...fixture<object>('otx/subscribed-page-2.json'), next: 'https://elsewhere.test/api/v1/pulses/subscribed?limit=50&modified_since=2026-11-20T00%3A00%3A00Z&page=2' });
    nock(BASE).get('/api/v1/pulses/subscribed').query(PAGE_2).matchHeader('X-OTX-API-KEY', KEY).reply(200, { count: 1, next: null, previous: null, results: [] });
    ok(await runActivity(env, acts.otxSubscribedIndicators, { since: SINCE }));
  });

  it('calls a pull truncated when a pulse holds more indicators than it sent', async () => {
    const page = fixture<{ results: Array<Record<string, unknown>> }>('otx/subscribed-page-2.json');
    page.results[0] = { ...page.results[0], more_indicators: true };
    nock(BASE).get('/api/v1/pulses/subscribed').query(PAGE_1).reply(200, page);
    assert.equal(ok(await runActivity(env, acts.otxSubscribedIndicators, { since: SINCE })).truncated, true);
  });

  it('maps 401/403 to auth without the key, and 429 to a retry after Retry-After', async () => {
    nock(BASE).get('/api/v1/pulses/subscribed').query(true).reply(401, { detail: 'Invalid API key.' });
    const unauthorized = await rejection(() => runActivity(env, acts.otxSubscribedIndicators, { since: SINCE }));
    assert.equal(unauthorized.type, 'IntegrationAuthError');
    assert.doesNotMatch(unauthorized.message, new RegExp(KEY));
    nock(BASE).get('/api/v1/pulses/subscribed').query(true).reply(403, { detail: 'Authentication credentials were not provided.' });
    assert.equal((await rejection(() => runActivity(env, acts.otxSubscribedIndicators, { since: SINCE }))).type, 'IntegrationAuthError');
    nock(BASE).get('/api/v1/pulses/subscribed').query(true).reply(429, { detail: 'Request was throttled.' }, { 'Retry-After': '30' });
    const limited = await rejection(() => runActivity(env, acts.otxSubscribedIndicators, { since: SINCE }));
    assert.equal(limited.type, 'RateLimitedError');
    assert.equal(limited.nextRetryDelay, 30_000);
  });
});

describe('urlhaus feed: malware URLs added since the last sweep, and their hosts', () => {
  before(setupNock);
  afterEach(checkNock);
  const BASE = 'https://urlhaus-api.abuse.ch';
  const KEY = 'urlhaus-auth-key-0123456789';
  const acts = createUrlhausActivities({ client: new UrlhausClient({ baseUrl: BASE, authKey: new Secret(KEY), timeoutMs: 500 }) });

  it('asks for the recent URLs with Auth-Key and keeps those added since `since`, each with its host', async () => {
    nock(BASE).get('/v1/urls/recent/limit/1000/').matchHeader('Auth-Key', KEY).reply(200, fixture('urlhaus/recent-urls.json'));
    const out = ok(await runActivity(env, acts.urlhausRecentIndicators, { since: '2026-11-28T00:00:00Z' }));
    assert.deepEqual(pairs(out.indicators), [
      'url http://203.0.113.50/bins/mips',
      'ip 203.0.113.50',
      'url https://Download.Evil-Updates.test/setup.exe',
      'domain download.evil-updates.test',
      'url http://c2-never-seen.test/bins/x86',
      'domain c2-never-seen.test',
      'url http://c2-never-seen.test/bins/arm7',
    ]);
    assert.deepEqual(out.indicators[0], {
      type: 'url',
      value: 'http://203.0.113.50/bins/mips',
      source: 'urlhaus',
      reference: 'https://urlhaus.abuse.ch/url/3190411/',
      description: 'URLhaus: malware_download (elf, mirai), online',
      firstSeen: '2026-11-30T21:14:07.000Z',
    });
    assert.ok(!out.indicators.some((i) => i.value.includes('old-campaign.test')), 'a URL added before `since` is left out');
    assert.equal(out.truncated, false, 'the answer reaches back past `since`');
  });

  it('stops at the limit, asking URLhaus for no more URLs than that', async () => {
    const recent = fixture<{ query_status: string; urls: unknown[] }>('urlhaus/recent-urls.json');
    nock(BASE).get('/v1/urls/recent/limit/3/').reply(200, { ...recent, urls: recent.urls.slice(0, 3) });
    const out = ok(await runActivity(env, acts.urlhausRecentIndicators, { since: '2026-11-28T00:00:00Z', limit: 3 }));
    assert.deepEqual(pairs(out.indicators), ['url http://203.0.113.50/bins/mips', 'ip 203.0.113.50', 'url https://Download.Evil-Updates.test/setup.exe']);
    assert.equal(out.truncated, true);
  });

  it('without `since` keeps all URLhaus lists as recent, and answers no_results with nothing', async () => {
    nock(BASE).get('/v1/urls/recent/limit/1000/').reply(200, fixture('urlhaus/recent-urls.json'));
    const all = ok(await runActivity(env, acts.urlhausRecentIndicators, {}));
    assert.ok(all.indicators.some((i) => i.value === 'old-campaign.test'));
    assert.equal(all.truncated, false);
    nock(BASE).get('/v1/urls/recent/limit/1000/').reply(200, { query_status: 'no_results' });
    assert.deepEqual(ok(await runActivity(env, acts.urlhausRecentIndicators, { since: SINCE })).indicators, []);
  });

  it('maps 401 (an unknown Auth-Key) to a non-retryable auth failure without the key', async () => {
    nock(BASE).get('/v1/urls/recent/limit/1000/').reply(401, { query_status: 'unknown_auth_key' });
    const err = await rejection(() => runActivity(env, acts.urlhausRecentIndicators, { since: SINCE }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.equal(err.nonRetryable, true);
    assert.doesNotMatch(err.message, new RegExp(KEY));
  });
});

describe('every feed pull', () => {
  before(setupNock);
  afterEach(checkNock);
  const feeds = {
    misp: createMispActivities({}).mispRecentIndicators,
    otx: createOtxActivities({}).otxSubscribedIndicators,
    urlhaus: createUrlhausActivities({}).urlhausRecentIndicators,
  };

  it('is skipped, not failed, when its feed is not configured', async () => {
    for (const [source, pull] of Object.entries(feeds)) {
      const out = await runActivity(env, pull, { since: SINCE });
      assert.equal(out.status, 'skipped', source);
      assert.equal(out.source, source);
    }
  });

  it('refuses a `since` that is not an ISO 8601 date-time with a zone, and a limit outside 1–5000, before calling out', async () => {
    const bad: Array<Record<string, unknown>> = [
      { since: 'yesterday' },
      { since: '2026-11-20' },
      { since: '2026-11-20T00:00:00' },
      { since: 1795132800 },
      { since: SINCE, limit: 0 },
      { since: SINCE, limit: 5001 },
      { since: SINCE, limit: 2.5 },
      { since: SINCE, limit: '10' },
    ];
    const configured = {
      misp: createMispActivities({ client: new MispClient({ baseUrl: 'https://misp.corp.test', authKey: new Secret('k') }) }).mispRecentIndicators,
      otx: createOtxActivities({ client: new OtxClient({ baseUrl: 'https://otx.alienvault.com', apiKey: new Secret('k') }) }).otxSubscribedIndicators,
      urlhaus: createUrlhausActivities({ client: new UrlhausClient({ baseUrl: 'https://urlhaus-api.abuse.ch', authKey: new Secret('k') }) }).urlhausRecentIndicators,
    };
    for (const [source, pull] of [...Object.entries(feeds), ...Object.entries(configured)]) {
      for (const input of bad) {
        const err = await rejection(() => runActivity(env, pull, input as never));
        assert.equal(err.type, 'InvalidObservableError', `${source} ${JSON.stringify(input)}`);
        assert.equal(err.nonRetryable, true);
      }
    }
    for (const pull of [feeds.misp, feeds.otx]) assert.equal((await rejection(() => runActivity(env, pull, {} as never))).type, 'InvalidObservableError', 'since is required');
  });
});
