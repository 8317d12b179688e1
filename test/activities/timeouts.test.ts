// Every HTTP integration gives up on a slow vendor: the answer comes after the client's timeout,
// the activity fails as IntegrationUnavailableError (retried), and nothing hangs.
import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { FalconClient } from '../../activities/crowdstrike/client.ts';
import { createCrowdStrikeActivities } from '../../activities/crowdstrike/index.ts';
import { DefenderClient } from '../../activities/defender/client.ts';
import { createDefenderActivities } from '../../activities/defender/index.ts';
import { ElasticsearchClient } from '../../activities/elasticsearch/client.ts';
import { createElasticsearchActivities } from '../../activities/elasticsearch/index.ts';
import { MispClient } from '../../activities/misp/client.ts';
import { createMispActivities } from '../../activities/misp/index.ts';
import { OtxClient } from '../../activities/otx/client.ts';
import { createOtxActivities } from '../../activities/otx/index.ts';
import { PagerDutyClient } from '../../activities/pagerduty/client.ts';
import { createPagerDutyActivities } from '../../activities/pagerduty/index.ts';
import { SentinelOneClient } from '../../activities/sentinelone/client.ts';
import { createSentinelOneActivities } from '../../activities/sentinelone/index.ts';
import { ServiceNowClient } from '../../activities/servicenow/client.ts';
import { servicenowTicketSystem } from '../../activities/servicenow/index.ts';
import { SlackClient } from '../../activities/slack/client.ts';
import { createSlackActivities } from '../../activities/slack/index.ts';
import { SplunkClient } from '../../activities/splunk/client.ts';
import { createSplunkActivities } from '../../activities/splunk/index.ts';
import { createTeamsActivities } from '../../activities/teams/index.ts';
import { TheHiveClient } from '../../activities/thehive/client.ts';
import { thehiveTicketSystem } from '../../activities/thehive/index.ts';
import { createTicketingActivities } from '../../activities/ticketing/index.ts';
import { Secret } from '../../config/secret.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const T = 300; // each client's timeout in these tests, ms
const SLOW = 1500; // the vendor answers after this
const key = new Secret('test-secret-0123456789');
const hunt = { indicators: [{ type: 'ip' as const, value: '203.0.113.7' }], from: '2026-11-28T00:00:00Z', to: '2026-11-28T01:00:00Z' };

const cases: Array<{ name: string; slow(): void; call(): Promise<unknown> }> = [
  {
    name: 'otx',
    slow: () => void nock('https://otx.test').get(/.*/).delay(SLOW).reply(200, {}),
    call: () => createOtxActivities({ client: new OtxClient({ baseUrl: 'https://otx.test', apiKey: key, timeoutMs: T }) }).otxLookupIndicator({ kind: 'ip', value: '203.0.113.7' }),
  },
  {
    name: 'misp',
    slow: () => void nock('https://misp.test').post(/.*/).delay(SLOW).reply(200, {}),
    call: () => createMispActivities({ client: new MispClient({ baseUrl: 'https://misp.test', authKey: key, timeoutMs: T }) }).mispLookupIndicator({ observable: { type: 'ip', value: '203.0.113.7' } }),
  },
  {
    name: 'elasticsearch',
    slow: () => void nock('https://es.test').post(/.*/).delay(SLOW).reply(200, {}),
    call: () => createElasticsearchActivities({ client: new ElasticsearchClient({ baseUrl: 'https://es.test', authorization: key, index: 'logs-*', timestampField: '@timestamp', timeoutMs: T }) }).elasticsearchHunt(hunt),
  },
  {
    name: 'splunk',
    slow: () => void nock('https://splunk.test').post(/.*/).delay(SLOW).reply(200, {}),
    call: () => createSplunkActivities({ client: new SplunkClient({ baseUrl: 'https://splunk.test', token: key, index: '*', timeoutMs: T }) }).splunkHunt(hunt),
  },
  {
    name: 'pagerduty',
    slow: () => void nock('https://pd.test').post(/.*/).delay(SLOW).reply(202, {}),
    call: () => createPagerDutyActivities({ client: new PagerDutyClient({ baseUrl: 'https://pd.test', routingKey: key, timeoutMs: T }) }).pagerdutySendEvent({ action: 'resolve', dedupKey: 'cs_1' }),
  },
  {
    name: 'slack',
    slow: () => void nock('https://slack.test').get(/.*/).delay(SLOW).reply(200, { ok: true, messages: [] }),
    call: () => createSlackActivities({ client: new SlackClient({ baseUrl: 'https://slack.test', botToken: key, timeoutMs: T }), channel: 'C1' }).slackPostMessage({ text: 'x', idempotencyKey: 'k' }),
  },
  {
    name: 'teams',
    slow: () => void nock('https://teams.test').post(/.*/).delay(SLOW).reply(202),
    call: () => createTeamsActivities({ teams: { url: new Secret('https://teams.test/hook'), timeoutMs: T } }).teamsPostMessage({ title: 't', text: 'x' }),
  },
  {
    name: 'servicenow',
    slow: () => void nock('https://sn.test').get(/.*/).delay(SLOW).reply(200, { result: [] }),
    call: () =>
      createTicketingActivities({ system: servicenowTicketSystem(new ServiceNowClient({ baseUrl: 'https://sn.test', username: 'u', password: key, table: 'incident', timeoutMs: T }), { closeCode: 'x' }) }).ticketingOpenTicket({ idempotencyKey: 'k', caseId: 'cs_1', title: 't', description: 'd', severity_id: 3 }),
  },
  {
    name: 'thehive',
    slow: () => void nock('https://hive.test').post(/.*/).delay(SLOW).reply(200, []),
    call: () => createTicketingActivities({ system: thehiveTicketSystem(new TheHiveClient({ baseUrl: 'https://hive.test', apiKey: key, timeoutMs: T })) }).ticketingOpenTicket({ idempotencyKey: 'k', caseId: 'cs_1', title: 't', description: 'd', severity_id: 3 }),
  },
  {
    name: 'crowdstrike',
    slow: () => void nock('https://cs.test').post('/oauth2/token').delay(SLOW).reply(201, { access_token: 't', expires_in: 1799 }),
    call: () => createCrowdStrikeActivities({ client: new FalconClient({ baseUrl: 'https://cs.test', clientId: 'c', clientSecret: key, timeoutMs: T }) }).crowdstrikeContainHost({ deviceId: 'aid', reason: 'x' }),
  },
  {
    name: 'defender',
    slow: () => void nock('https://login.test').post(/.*/).delay(SLOW).reply(200, { access_token: 't', expires_in: 3599 }),
    call: () => createDefenderActivities({ client: new DefenderClient({ baseUrl: 'https://mde.test', loginUrl: 'https://login.test', tenantId: 't', clientId: 'c', clientSecret: key, timeoutMs: T }) }).defenderIsolateMachine({ machineId: 'm', comment: 'x' }),
  },
  {
    name: 'sentinelone',
    slow: () => void nock('https://s1.test').get(/.*/).delay(SLOW).reply(200, { data: [] }),
    call: () => createSentinelOneActivities({ client: new SentinelOneClient({ baseUrl: 'https://s1.test', apiToken: key, timeoutMs: T }) }).sentineloneDisconnectAgent({ agentId: '1', reason: 'x' }),
  },
];

describe('a slow vendor hits the timeout, retryably, for every HTTP integration', () => {
  before(setupNock);
  afterEach(() => {
    nock.abortPendingRequests();
    checkNock();
  });
  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  for (const c of cases) {
    it(c.name, async () => {
      c.slow();
      const err = await rejection(() => runActivity(env, c.call as never, undefined as never));
      assert.equal(err.type, 'IntegrationUnavailableError', err.message);
      assert.equal(err.nonRetryable, false);
      assert.match(err.message, /timed out/);
    });
  }
});
