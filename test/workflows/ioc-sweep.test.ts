// The IOC sweep, end to end on the real dev server: indicators from an analyst (over the API)
// and from MISP (nock, from its documented restSearch shape), a real log store fed a squid access
// log, sightings posted to the real API as alerts (source hunt) that land in cases whose
// suspected-c2 playbook starts — and the record of each run, with the watermark the next starts at.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, before, describe, it } from 'node:test';
import { importFile } from '../../activities/logstore/importers.ts';
import { LogStore } from '../../activities/logstore/store.ts';
import { indicatorsFile, SqliteIndicatorStore } from '../../store/indicators.ts';
import { onPostgres, testStores } from '../helpers/postgres.ts';
import { SWEEP_SCHEDULE_ID } from '../../workflows/definitions.ts';
import { ensureSweepSchedule, sweepEvery } from '../../worker/schedules.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { fixture } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { startPlaybookHarness, type PlaybookHarness } from '../helpers/playbooks.ts';
import { temporalAddress, testClient, uniqueQueue, waitFor } from '../helpers/temporal.ts';

const MISP = 'https://misp.sweep.test';

describe('the indicator store', () => {
  it('keeps one active indicator per value, revokes it, and lets an expired or revoked one be added anew', async () => {
    const s = new SqliteIndicatorStore(':memory:');
    const now = new Date('2026-12-01T10:00:00Z');
    const a = (await s.addAnalyst({ type: 'domain', value: 'evil.test', createdBy: 'alice', expiresAt: '2026-12-02T00:00:00Z' }, now));
    assert.equal(a.existing, false);
    assert.equal((await s.addAnalyst({ type: 'domain', value: 'evil.test', createdBy: 'bob' }, now)).indicator.id, a.indicator.id, 'the same active indicator');
    assert.equal((await s.revoke(a.indicator.id, 'carol', now))?.revokedBy, 'carol');
    assert.equal((await s.active(10, now)).length, 0);
    const again = (await s.addAnalyst({ type: 'domain', value: 'evil.test', createdBy: 'dan' }, now));
    assert.notEqual(again.indicator.id, a.indicator.id);
    assert.equal((await s.upsertFeed([{ type: 'ip', value: '198.51.100.23', source: 'misp', expiresAt: '2026-12-01T11:00:00Z' }], now)), 1);
    assert.equal((await s.upsertFeed([{ type: 'ip', value: '198.51.100.23', source: 'misp', expiresAt: '2026-12-03T00:00:00Z' }], now)), 0, 'a known feed indicator is updated, not added');
    assert.deepEqual((await s.active(10, new Date('2026-12-01T12:00:00Z'))).map((i) => i.value), ['evil.test', '198.51.100.23'], "analysts' first; the feed's expiry was extended");
    await s.close();
  });
});

describe('the IOC sweep', () => {
  let api: TestApi;
  let pb: PlaybookHarness;
  let closeClient: (() => Promise<void>) | undefined;

  before(setupNock);
  afterEach(async () => {
    await api?.close();
    await pb?.stop();
    await closeClient?.();
    checkNock();
  });

  /** An API, a worker posting sightings to it, and a squid log with two hosts talking to known-bad places. */
  async function setup(env: Record<string, string> = {}) {
    const taskQueue = uniqueQueue('sweep');
    const { client, close } = await testClient();
    closeClient = close;
    api = await startApi({ client, taskQueue });
    // The worker's sweep activities and the API share the indicator store, as under `npm start`.
    pb = await startPlaybookHarness('sweep', {
      taskQueue,
      env: { MISP_URL: MISP, MISP_AUTH_KEY: 'misp-auth-key-0123456789abcdefghijklmn', RIPOSTE_API_URL: api.url, RIPOSTE_SOURCE_TOKEN: TOKENS.source, RIPOSTE_INDICATORS_FILE: indicatorsFile(api.dataDir), ...env },
      // With RIPOSTE_TEST_DATABASE=postgres the API's indicators are in PostgreSQL: the worker's too.
      ...(onPostgres ? { deps: { stores: testStores(api.dataDir) } } : {}),
    });
    const log = path.join(pb.dataDir, 'access.log');
    const now = Date.now() / 1000;
    const line = (t: number, client: string, url: string, peer: string) => `${t.toFixed(3)}    120 ${client} TCP_MISS/200 5120 GET ${url} - HIER_DIRECT/${peer} text/html\n`;
    fs.writeFileSync(log, line(now - 900, '10.0.1.23', 'http://evil-sweep.test/gate.php', '192.0.2.10') + line(now - 800, '10.0.1.24', 'http://198.51.100.23:8443/x', '198.51.100.23') + line(now - 700, '10.0.1.25', 'http://fine.test/', '192.0.2.11'));
    const store = new LogStore(path.join(pb.dataDir, 'logs.db'));
    importFile(store, 'squid', log);
    store.close();
  }

  it('hunts analysts\u2019 and feeds\u2019 indicators, turns each sighting into an alert that opens a case, and records the run', async () => {
    await setup();
    nock(MISP).post('/attributes/restSearch', (b) => 'publish_timestamp' in b).reply(200, fixture('misp/restsearch-recent.json'));
    // The cases' playbooks ask MISP about what they enrich, too.
    nock(MISP).post('/attributes/restSearch', (b) => 'value' in b).reply(200, { response: { Attribute: [] } }).persist();
    const added = await api.request('POST', '/v1/indicators', { token: TOKENS.analyst, body: { type: 'domain', value: 'Evil-Sweep.test', description: 'phishing kit host' } });
    assert.equal(added.status, 201);
    assert.equal(added.body.value, 'evil-sweep.test');
    assert.equal(added.body.createdBy, 'alice');

    const first = await pb.result(await pb.start('iocSweepPlaybook', { caseId: 'sweep-1', alert: undefined as never }));
    assert.equal(first.status, 'closed');
    const hunts = await api.request('GET', '/v1/hunts', { token: TOKENS.analyst });
    assert.equal(hunts.status, 200);
    const run = hunts.body.hunts[0];
    assert.equal(run.status, 'ok');
    assert.equal(run.sightings, 2, JSON.stringify(run));
    assert.equal(run.alerts, 2);
    assert.deepEqual(run.feeds.find((f: { source: string }) => f.source === 'misp')?.status, 'ok');
    assert.equal(run.feeds.find((f: { source: string }) => f.source === 'otx')?.status, 'skipped');

    const detail = await api.request('GET', `/v1/hunts/${encodeURIComponent(run.id)}`, { token: TOKENS.analyst });
    const byHost = Object.fromEntries(detail.body.sightings.map((s: { host: string; indicator: { value: string; source: string }; alertId: string }) => [s.host, s]));
    assert.equal(byHost['10.0.1.23'].indicator.source, 'analyst');
    assert.equal(byHost['10.0.1.24'].indicator.value, '198.51.100.23');
    assert.ok(!byHost['10.0.1.25'], 'a host that only reached something harmless is no sighting');

    const alert = await api.request('GET', `/v1/alerts/${byHost['10.0.1.23'].alertId}`, { token: TOKENS.analyst });
    assert.equal(alert.body.source, 'hunt');
    assert.equal(alert.body.severity_id, 4, "an analyst's indicator raises a High alert");
    assert.ok(alert.body.caseId, 'the sighting landed in a case');
    // …whose playbook responds: the C2 route matches a host talking to a known-bad domain.
    const kase = await waitFor(() => api.request('GET', `/v1/cases/${alert.body.caseId}`, { token: TOKENS.analyst }), (r) => r.body?.playbooks?.some((p: { playbook: string }) => p.playbook === 'suspected-c2'), 30_000, 'the case to run suspected-c2');
    assert.ok(kase.body.alerts.some((a: { source: string }) => a.source === 'hunt'));

    const indicator = await api.request('GET', `/v1/indicators/${added.body.id}`, { token: TOKENS.analyst });
    assert.equal(indicator.body.sightings, 1);

    // The next sweep starts where this one ended: the same log lines are not sighted again.
    nock(MISP).post('/attributes/restSearch', (b) => 'publish_timestamp' in b).reply(200, { response: { Attribute: [] } });
    await pb.result(await pb.start('iocSweepPlaybook', { caseId: 'sweep-2', alert: undefined as never }));
    const again = await api.request('GET', '/v1/hunts', { token: TOKENS.analyst });
    assert.equal(again.body.hunts.length, 2);
    assert.equal(again.body.hunts[0].from, run.to, 'the window continues from the last sweep');
    assert.equal(again.body.hunts[0].sightings, 0);
    nock.cleanAll();
  });

  it('a dry run hunts but stores nothing, posts nothing and moves no watermark', async () => {
    await setup();
    nock(MISP).post('/attributes/restSearch').reply(200, fixture('misp/restsearch-recent.json'));
    await api.request('POST', '/v1/indicators', { token: TOKENS.analyst, body: { type: 'domain', value: 'evil-sweep.test' } });
    const view = await pb.result(await pb.start('iocSweepPlaybook', { caseId: 'dry', alert: undefined as never, dryRun: { approvals: 'approve' } }));
    assert.ok(view.timeline.some((t) => /^dry run: would post 1 sighting as alerts/.test(t.message)), JSON.stringify(view.timeline));
    assert.equal((await api.request('GET', '/v1/hunts', { token: TOKENS.analyst })).body.hunts.length, 0);
    const listed = await api.request('GET', '/v1/indicators?source=misp', { token: TOKENS.analyst });
    assert.equal(listed.body.indicators.length, 0, "the feed's indicators were not stored");
    assert.equal(await api.store.countAlerts(), 0);
  });

  it('indicators: bad values and past expiries are refused and change nothing; revoking stops the hunt', async () => {
    await setup();
    const bad = await api.request('POST', '/v1/indicators', { token: TOKENS.analyst, body: { type: 'ip', value: '203.0.113.999' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'value');
    const past = await api.request('POST', '/v1/indicators', { token: TOKENS.analyst, body: { type: 'hash', value: 'a'.repeat(64), expiresAt: '2020-01-01T00:00:00Z' } });
    assert.equal(past.status, 422);
    assert.equal((await api.request('POST', '/v1/indicators', { token: TOKENS.source, body: { type: 'domain', value: 'x.test' } })).status, 403, 'a source token cannot add indicators');
    assert.equal((await api.request('GET', '/v1/indicators', { token: TOKENS.analyst })).body.indicators.length, 0);
    const ok = await api.request('POST', '/v1/indicators', { token: TOKENS.analyst, body: { type: 'hash', value: 'A'.repeat(64) } });
    assert.equal(ok.status, 201);
    assert.ok(Date.parse(ok.body.expiresAt) > Date.now() + 80 * 86_400_000, 'a default expiry of 90 days');
    const gone = await api.request('DELETE', `/v1/indicators/${ok.body.id}`, { token: TOKENS.analyst });
    assert.equal(gone.status, 200);
    assert.equal(gone.body.revokedBy, 'alice');
    assert.equal((await api.request('GET', '/v1/indicators', { token: TOKENS.analyst })).body.indicators.length, 0, 'no longer hunted');
    assert.equal((await api.request('DELETE', '/v1/indicators/ind_0000000000000000', { token: TOKENS.analyst })).status, 404);
  });

  it('runs on a Temporal Schedule; POST /v1/hunts runs it now', async () => {
    await setup();
    nock(MISP).post('/attributes/restSearch').reply(200, { response: { Attribute: [] } }).persist();
    assert.deepEqual(sweepEvery('15m'), { ms: 900_000 });
    assert.ok('problem' in sweepEvery('5s'));
    const logger = { info: () => undefined, warn: () => undefined };
    await ensureSweepSchedule({ connection: { address: temporalAddress() }, namespace: 'default', taskQueue: pb.taskQueue, every: '1h', logger });
    try {
      const desc = await pb.client.schedule.getHandle(SWEEP_SCHEDULE_ID).describe();
      assert.equal(desc.spec.intervals?.[0]?.every, 3_600_000);
      const now = await api.request('POST', '/v1/hunts', { token: TOKENS.analyst });
      assert.equal(now.status, 202);
      const hunts = await waitFor(() => api.request('GET', '/v1/hunts', { token: TOKENS.analyst }), (r) => r.body?.hunts?.length === 1, 30_000, 'the triggered sweep');
      assert.match(hunts.body.hunts[0].id, new RegExp(`^${SWEEP_SCHEDULE_ID}-`));
      await ensureSweepSchedule({ connection: { address: temporalAddress() }, namespace: 'default', taskQueue: pb.taskQueue, every: 'off', logger });
      assert.equal((await pb.client.schedule.getHandle(SWEEP_SCHEDULE_ID).describe()).state.paused, true);
    } finally {
      await pb.client.schedule.getHandle(SWEEP_SCHEDULE_ID).delete();
      nock.cleanAll();
    }
    assert.equal((await api.request('POST', '/v1/hunts', { token: TOKENS.analyst })).status, 409, 'no schedule: the sweep is off');
  });
});

