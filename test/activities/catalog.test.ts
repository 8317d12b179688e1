// What every integration shares: rate limits that queue rather than fail, and the status the
// worker keeps of each integration's last success and failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { CAPABILITIES, INTEGRATIONS, REGISTRY, activityIsPrivileged, integrationOfActivity } from '../../activities/catalog.ts';
import { REGISTERED, activation, partlyConfigured } from '../../activities/catalog-info.ts';
import { info as nftablesInfo } from '../../activities/nftables/info.ts';
import { info as ticketingInfo } from '../../activities/ticketing/info.ts';
import { integrationViews } from '../../api/integrations.ts';
import { loadConfig } from '../../config/index.ts';
import { buildActivityDeps } from '../../worker/deps.ts';
import { createLogger } from '../../telemetry/logger.ts';
import { createActivities } from '../../activities/index.ts';
import { integrationState, parseRateLimit } from '../../activities/shared/integration.ts';
import { httpRequest } from '../../activities/shared/http.ts';
import { RateLimiter } from '../../activities/shared/rate-limit.ts';
import { recordingOutcomes } from '../../activities/shared/status.ts';
import { SqliteIntegrationStatusStore } from '../../store/integration-status.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';
import { waitFor } from '../helpers/wait.ts';
import { runActivity, silentLogger } from '../helpers/fixtures.ts';
import { MockActivityEnvironment } from '@temporalio/testing';

describe('the integration catalog', () => {
  before(setupNock);
  afterEach(checkNock);

  it('names every registered activity and nothing else', () => {
    const registered = Object.keys(createActivities({ dns: { timeoutMs: 100 }, egress: { block: async () => ({}) as never, unblock: async () => ({}) as never } as never }));
    const listed = [...INTEGRATIONS, ...CAPABILITIES].flatMap((i) => i.activities);
    assert.deepEqual([...listed].sort(), [...registered].sort());
    for (const i of INTEGRATIONS) for (const a of i.activities) assert.ok(integrationOfActivity(a), a);
    for (const i of [...INTEGRATIONS, ...CAPABILITIES]) for (const a of i.activities) assert.ok(a.startsWith(i.name), `${a} should start with ${i.name}`);
  });

  it('the plain-data catalog the API reads lists the very integrations the worker registers, in order', () => {
    assert.deepEqual(REGISTRY.map((i) => i.info), [...REGISTERED]);
  });

  it('the worker and GET /v1/integrations apply one rule for what is active: ticketing needs a ticket system, nftables RIPOSTE_CONTAINMENT', async () => {
    const envs: Array<Record<string, string>> = [
      {},
      { RIPOSTE_CONTAINMENT: 'nftables', VIRUSTOTAL_API_KEY: 'vt-key-0123456789' },
      { SERVICENOW_URL: 'https://acme.service-now.com', SERVICENOW_USERNAME: 'riposte', SERVICENOW_PASSWORD: 'pw-0123456789' },
      { JIRA_BASE_URL: 'https://acme.atlassian.net', JIRA_EMAIL: 'r@acme.test', JIRA_API_TOKEN: 'tok-0123456789', JIRA_PROJECT_KEY: 'SEC', RIPOSTE_TICKETING: 'jira' },
    ];
    for (const env of envs) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-catalog-'));
      const { status } = buildActivityDeps(loadConfig({ ...env, RIPOSTE_DATA_DIR: dataDir }), createLogger('silent', 'catalog-test'), env);
      const worker = Object.fromEntries(status.map((s) => [s.name, s.active]));
      const api = Object.fromEntries((await integrationViews(env)).map((v) => [v.name, v.configured]));
      assert.deepEqual(api, worker, JSON.stringify(env));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    assert.deepEqual([activation(ticketingInfo, {}).active, activation(nftablesInfo, {}).active], [false, false]);
    assert.deepEqual(activation(ticketingInfo, envs[2] as Record<string, string>), { active: true, missing: [], detail: 'on servicenow' });
    assert.match(activation(ticketingInfo, { RIPOSTE_TICKETING: 'thehive' }).detail, /RIPOSTE_TICKETING=thehive, but THEHIVE_/);
  });

  it('says at start-up which integrations are only partly configured', () => {
    assert.deepEqual(partlyConfigured({ JIRA_BASE_URL: 'https://acme.atlassian.net', VIRUSTOTAL_API_KEY: 'vt-key' }), [
      'Jira Cloud REST v3 is partly configured: set JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT_KEY too, or unset JIRA_BASE_URL',
    ]);
    assert.throws(() => buildActivityDeps(loadConfig({}), createLogger('silent', 'catalog-test'), { JIRA_EMAIL: 'r@acme.test' }), /Jira Cloud REST v3 is partly configured/);
  });

  it('puts every activity that changes hosts, networks or cloud accounts, or reads raw disks, on the privileged task queue', () => {
    const privileged = ['containmentApply', 'containmentUndo', 'containmentBlockEgress', 'crowdstrikeContainHost', 'defenderIsolateMachine', 'sentineloneDisconnectAgent', 'awsIsolateInstance', 'awsDeactivateAccessKey', 'awsSnapshotVolumes', 'imagingAcquireDisk', 'collectionCollect', 'elasticdefendMemoryDump'];
    const ordinary = ['containmentPlan', 'playbookReadContext', 'enrichmentLookup', 'huntingSearch', 'notificationNotify', 'virustotalLookupIp', 'logstoreHunt', 'ticketingOpenTicket', 'slackPostMessage'];
    for (const a of privileged) assert.equal(activityIsPrivileged(a), true, a);
    for (const a of ordinary) assert.equal(activityIsPrivileged(a), false, a);
  });

  it('wires a registered integration from the environment: configured, it calls out; unconfigured, it skips', async () => {
    const egress = { name: 'none', block: async () => ({}) as never, unblock: async () => ({}) as never };
    const configured = createActivities({ dns: { timeoutMs: 100 }, egress, context: { env: { GREYNOISE_API_KEY: 'gn-key-0123456789', GREYNOISE_BASE_URL: 'https://gn.test' } } });
    nock('https://gn.test').get('/v3/community/203.0.113.7').matchHeader('key', 'gn-key-0123456789').reply(200, { ip: '203.0.113.7', noise: false, riot: false, classification: 'malicious' });
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const out = await runActivity(env, configured.greynoiseLookupIp, { ip: '203.0.113.7' });
    assert.ok(out.status === 'ok' && out.verdict.level === 'malicious');
    const bare = createActivities({ dns: { timeoutMs: 100 }, egress });
    assert.equal((await runActivity(env, bare.greynoiseLookupIp, { ip: '203.0.113.7' })).status, 'skipped');
  });

  it('says which required settings are missing, and takes a rate limit override', () => {
    const vt = INTEGRATIONS.find((i) => i.name === 'virustotal')!;
    assert.deepEqual(integrationState(vt, {}), { configured: false, missing: ['VIRUSTOTAL_API_KEY'], rateLimit: { limit: 4, intervalMs: 60_000 } });
    assert.deepEqual(integrationState(vt, { VIRUSTOTAL_API_KEY: 'k', VIRUSTOTAL_RATE_LIMIT: '500/min' }).rateLimit, { limit: 500, intervalMs: 60_000 });
    assert.equal(parseRateLimit('fast'), undefined);
    assert.deepEqual(parseRateLimit('10/s'), { limit: 10, intervalMs: 1000 });
  });

  it('queues calls over the rate limit instead of sending them (no 429 earned)', async () => {
    const limiter = new RateLimiter({ limit: 2, intervalMs: 1500 });
    const started: number[] = [];
    nock('https://api.vendor.test')
      .get('/x')
      .times(4)
      .reply(200, () => {
        started.push(Date.now());
        return { ok: true };
      });
    const calls = Array.from({ length: 4 }, () => httpRequest({ integration: 'vendor', method: 'GET', url: 'https://api.vendor.test/x', limiter }));
    await waitFor(async () => started.length, (n) => n >= 2, 5000, 'the first two calls');
    assert.equal(started.length, 2, 'only the limit went out at once');
    assert.equal(limiter.waiting, 2, 'the rest wait in the queue');
    const answers = await Promise.all(calls);
    assert.ok(answers.every((a) => a.status === 200), 'every call succeeded in the end');
    assert.ok((started[2] as number) - (started[0] as number) >= 1400, 'the third call waited for the window to slide');
  });

  it('keeps each integration\u2019s last success and failure; a skip is neither', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-status-'));
    const store = new SqliteIntegrationStatusStore(path.join(dir, 'integrations.db'));
    const acts = recordingOutcomes(
      {
        async vendorLookup(input: { fail?: boolean; skip?: boolean }) {
          if (input.fail) throw ApplicationFailure.create({ type: 'IntegrationAuthError', message: 'vendor: HTTP 401', nonRetryable: true });
          return input.skip ? { status: 'skipped' } : { status: 'ok' };
        },
      },
      store,
      (a) => (a.startsWith('vendor') ? 'vendor' : undefined)
    );
    await acts.vendorLookup({});
    await acts.vendorLookup({ skip: true });
    await assert.rejects(acts.vendorLookup({ fail: true }));
    const health = (await new SqliteIntegrationStatusStore(path.join(dir, 'integrations.db')).read()).vendor!;
    assert.equal(health.successes, 1);
    assert.equal(health.failures, 1);
    assert.ok(health.lastSuccessAt && health.lastFailureAt);
    assert.deepEqual(health.lastFailure, { type: 'IntegrationAuthError', message: 'vendor: HTTP 401' });
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
