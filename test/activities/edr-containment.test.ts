// EDR actions against the vendors' documented request and response shapes (nock): containment
// with its undo (CrowdStrike Falcon, Defender for Endpoint, SentinelOne) and Defender's
// investigation package as chain-of-custody evidence.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { FalconClient } from '../../activities/crowdstrike/client.ts';
import { createCrowdStrikeActivities } from '../../activities/crowdstrike/index.ts';
import { DefenderClient } from '../../activities/defender/client.ts';
import { ElasticDefendClient } from '../../activities/elasticdefend/client.ts';
import { createElasticDefendActivities } from '../../activities/elasticdefend/index.ts';
import { createDefenderActivities } from '../../activities/defender/index.ts';
import { SentinelOneClient } from '../../activities/sentinelone/client.ts';
import { createSentinelOneActivities } from '../../activities/sentinelone/index.ts';
import { Secret } from '../../config/secret.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const env = new MockActivityEnvironment(undefined, { logger: silentLogger });

describe('crowdstrike host containment', () => {
  before(setupNock);
  afterEach(checkNock);
  const CS = 'https://api.crowdstrike.com';
  const AID = 'c8d1292a8a904216aa25ab728f4b45fd';
  const token = () => nock(CS).post('/oauth2/token', { grant_type: 'client_credentials', client_id: 'cs-client', client_secret: 'cs-secret-0123456789' }).reply(201, { access_token: 'falcon-token', token_type: 'bearer', expires_in: 1799 });
  const status = (s: string) => nock(CS).get('/devices/entities/devices/v2').query({ ids: AID }).matchHeader('authorization', 'Bearer falcon-token').reply(200, { meta: {}, resources: [{ device_id: AID, hostname: 'web-1', status: s }], errors: [] });

  it('finds the host by name, contains it, and does not contain it twice', async () => {
    const acts = createCrowdStrikeActivities({ client: new FalconClient({ baseUrl: CS, clientId: 'cs-client', clientSecret: new Secret('cs-secret-0123456789'), timeoutMs: 500 }) });
    token();
    nock(CS).get('/devices/queries/devices/v1').query({ filter: "hostname:'web-1'" }).reply(200, { meta: {}, resources: [AID], errors: [] });
    status('normal');
    nock(CS).post('/devices/entities/devices-actions/v2', { ids: [AID] }).query({ action_name: 'contain' }).reply(202, { meta: {}, resources: [{ id: AID, path: '' }], errors: [] });
    const out = await runActivity(env, acts.crowdstrikeContainHost, { hostname: 'web-1', reason: 'C2 beacon, case cs_1' });
    assert.deepEqual(out, { status: 'ok', vendor: 'crowdstrike', deviceId: AID, action: 'contain', alreadyInState: false, state: 'containment_pending' });
    status('containment_pending');
    const again = await runActivity(env, acts.crowdstrikeContainHost, { deviceId: AID, reason: 'retry' });
    assert.equal(again.alreadyInState, true, 'the token was reused and no second contain was sent');
  });

  it('lifts containment (the undo), and maps a rejected token to a non-retryable auth failure', async () => {
    const acts = createCrowdStrikeActivities({ client: new FalconClient({ baseUrl: CS, clientId: 'cs-client', clientSecret: new Secret('cs-secret-0123456789'), timeoutMs: 500 }) });
    token();
    status('contained');
    nock(CS).post('/devices/entities/devices-actions/v2', { ids: [AID] }).query({ action_name: 'lift_containment' }).reply(202, { resources: [{ id: AID }], errors: [] });
    const lifted = await runActivity(env, acts.crowdstrikeLiftContainment, { deviceId: AID, reason: 'false positive' });
    assert.equal(lifted.action, 'lift_containment');
    assert.equal(lifted.alreadyInState, false);
    const bad = createCrowdStrikeActivities({ client: new FalconClient({ baseUrl: CS, clientId: 'cs-client', clientSecret: new Secret('wrong-secret-0123456789'), timeoutMs: 500 }) });
    nock(CS).post('/oauth2/token').reply(403, { errors: [{ code: 403, message: 'access denied, invalid bearer token' }] });
    const err = await rejection(() => runActivity(env, bad.crowdstrikeContainHost, { deviceId: AID, reason: 'x' }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.doesNotMatch(err.message, /wrong-secret/);
    assert.equal((await runActivity(env, createCrowdStrikeActivities({}).crowdstrikeContainHost, { deviceId: AID, reason: 'x' })).status, 'skipped');
  });
});

describe('defender for endpoint isolation and indicators', () => {
  before(setupNock);
  afterEach(checkNock);
  const API = 'https://api.security.microsoft.com';
  const LOGIN = 'https://login.microsoftonline.com';
  const MID = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
  const client = () => new DefenderClient({ baseUrl: API, loginUrl: LOGIN, tenantId: 'tenant-1', clientId: 'app-1', clientSecret: new Secret('defender-secret-0123456789'), timeoutMs: 500 });
  const token = () =>
    nock(LOGIN)
      .post('/tenant-1/oauth2/v2.0/token', { grant_type: 'client_credentials', client_id: 'app-1', client_secret: 'defender-secret-0123456789', scope: 'https://api.securitycenter.microsoft.com/.default' })
      .reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'mde-token' });
  const latest = (value: unknown[]) => nock(API).get('/api/machineactions').query(true).matchHeader('authorization', 'Bearer mde-token').reply(200, { value });

  it('isolates a machine found by DNS name with a comment, and skips when it is already isolated', async () => {
    const acts = createDefenderActivities({ client: client() });
    token();
    nock(API).get('/api/machines').query({ $filter: "computerDnsName eq 'web-1.corp.test'" }).reply(200, { value: [{ id: MID, computerDnsName: 'web-1.corp.test' }] });
    latest([]);
    nock(API).post(`/api/machines/${MID}/isolate`, { Comment: 'Riposte case cs_1: C2 beacon', IsolationType: 'Full' }).reply(201, { id: 'b89eb834-4578-496c-8be0-03f004061435', type: 'Isolate', status: 'Pending', machineId: MID });
    const out = await runActivity(env, acts.defenderIsolateMachine, { computerDnsName: 'web-1.corp.test', comment: 'Riposte case cs_1: C2 beacon' });
    assert.deepEqual(out, { status: 'ok', vendor: 'defender', machineId: MID, actionId: 'b89eb834-4578-496c-8be0-03f004061435', action: 'Isolate', alreadyInState: false });
    latest([{ id: 'b89eb834-4578-496c-8be0-03f004061435', type: 'Isolate', status: 'Succeeded', machineId: MID }]);
    assert.equal((await runActivity(env, acts.defenderIsolateMachine, { machineId: MID, comment: 'retry' })).alreadyInState, true);
    latest([{ id: 'b89eb834-4578-496c-8be0-03f004061435', type: 'Isolate', status: 'Succeeded', machineId: MID }]);
    nock(API).post(`/api/machines/${MID}/unisolate`, { Comment: 'released' }).reply(201, { id: 'c0ffee00-0000-4000-8000-000000000001', type: 'Unisolate', status: 'Pending', machineId: MID });
    assert.equal((await runActivity(env, acts.defenderReleaseMachine, { machineId: MID, comment: 'released' })).action, 'Unisolate');
  });

  it('blocks an indicator and removes the block (the undo); junk indicators never leave', async () => {
    const acts = createDefenderActivities({ client: client() });
    token();
    nock(API)
      .post('/api/indicators', (b) => b.indicatorValue === 'c2-never-seen.test' && b.indicatorType === 'DomainName' && b.action === 'Block' && b.generateAlert === true && Date.parse(b.expirationTime) > Date.now())
      .reply(200, { id: '995', indicatorValue: 'c2-never-seen.test', indicatorType: 'DomainName', action: 'Block' });
    const blocked = await runActivity(env, acts.defenderBlockIndicator, { type: 'domain', value: 'C2-Never-Seen.test', title: 'Riposte cs_1', description: 'C2 domain' });
    assert.deepEqual(blocked, { status: 'ok', vendor: 'defender', indicatorId: '995' });
    nock(API).delete('/api/indicators/995').reply(204);
    assert.equal((await runActivity(env, acts.defenderRemoveIndicator, { indicatorId: '995' })).removed, true);
    nock(API).delete('/api/indicators/995').reply(404, { error: { code: 'NotFound', message: 'Indicator not found' } });
    assert.equal((await runActivity(env, acts.defenderRemoveIndicator, { indicatorId: '995' })).removed, false, 'already gone is not an error');
    assert.equal((await rejection(() => runActivity(env, acts.defenderBlockIndicator, { type: 'hash', value: 'abc', title: 't', description: 'd' }))).type, 'InvalidObservableError');
  });
});

describe('sentinelone network quarantine', () => {
  before(setupNock);
  afterEach(checkNock);
  const S1 = 'https://usea1-corp.sentinelone.net';
  const acts = createSentinelOneActivities({ client: new SentinelOneClient({ baseUrl: S1, apiToken: new Secret('s1-api-token-0123456789'), timeoutMs: 500 }) });

  it('disconnects an agent by computer name and reconnects it; a disconnected agent is left alone', async () => {
    nock(S1).get('/web/api/v2.1/agents').query({ computerName: 'web-1' }).matchHeader('authorization', 'ApiToken s1-api-token-0123456789').reply(200, { data: [{ id: '1166238493523839201', uuid: 'u-1', computerName: 'web-1', networkStatus: 'connected' }], pagination: { totalItems: 1 } });
    nock(S1).post('/web/api/v2.1/agents/actions/disconnect', { filter: { ids: ['1166238493523839201'] } }).reply(200, { data: { affected: 1 } });
    assert.deepEqual(await runActivity(env, acts.sentineloneDisconnectAgent, { computerName: 'web-1', reason: 'C2' }), { status: 'ok', vendor: 'sentinelone', agentId: '1166238493523839201', action: 'disconnect', alreadyInState: false });
    nock(S1).get('/web/api/v2.1/agents').query({ ids: '1166238493523839201' }).reply(200, { data: [{ id: '1166238493523839201', uuid: 'u-1', computerName: 'web-1', networkStatus: 'disconnected' }] });
    assert.equal((await runActivity(env, acts.sentineloneDisconnectAgent, { agentId: '1166238493523839201', reason: 'retry' })).alreadyInState, true);
    nock(S1).get('/web/api/v2.1/agents').query({ ids: '1166238493523839201' }).reply(200, { data: [{ id: '1166238493523839201', uuid: 'u-1', computerName: 'web-1', networkStatus: 'disconnected' }] });
    nock(S1).post('/web/api/v2.1/agents/actions/connect', { filter: { ids: ['1166238493523839201'] } }).reply(200, { data: { affected: 1 } });
    assert.equal((await runActivity(env, acts.sentineloneReconnectAgent, { agentId: '1166238493523839201', reason: 'released' })).action, 'connect');
  });

  it('refuses an ambiguous computer name, and maps 401 to auth', async () => {
    nock(S1).get('/web/api/v2.1/agents').query({ computerName: 'web' }).reply(200, { data: [{ id: '1', networkStatus: 'connected' }, { id: '2', networkStatus: 'connected' }] });
    assert.equal((await rejection(() => runActivity(env, acts.sentineloneDisconnectAgent, { computerName: 'web', reason: 'x' }))).type, 'InvalidObservableError');
    nock(S1).get('/web/api/v2.1/agents').query(true).reply(401, { errors: [{ code: 4010010, title: 'Authentication Failed' }] });
    const err = await rejection(() => runActivity(env, acts.sentineloneDisconnectAgent, { agentId: '1', reason: 'x' }));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.doesNotMatch(err.message, /s1-api-token/);
  });
});

describe('defender investigation package as evidence', () => {
  before(setupNock);
  afterEach(checkNock);
  const API = 'https://api.security.microsoft.com';
  const LOGIN = 'https://login.microsoftonline.com';
  const BLOB = 'https://automatedirstrprdweu.blob.core.windows.net';
  const MID = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
  const evidenceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-mde-evidence-'));
  const zip = randomBytes(200_000);
  const sha = createHash('sha256').update(zip).digest('hex');
  const client = () => new DefenderClient({ baseUrl: API, loginUrl: LOGIN, tenantId: 'tenant-1', clientId: 'app-1', clientSecret: new Secret('defender-secret-0123456789'), timeoutMs: 500 });
  const input = { machineId: MID, comment: 'Riposte case cs_7', caseId: 'cs_7', requestedBy: 'wf-7', idempotencyKey: 'wf-7:package' };

  it('asks for the package, polls until it is ready, downloads it and records its hash', async () => {
    const acts = createDefenderActivities({ client: client(), evidenceDir, pollMs: 10 });
    nock(LOGIN).post('/tenant-1/oauth2/v2.0/token').reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'mde-token' });
    nock(API)
      .post(`/api/machines/${MID}/collectInvestigationPackage`, { Comment: 'Riposte case cs_7' })
      .reply(201, { id: 'act-1', type: 'CollectInvestigationPackage', status: 'Pending', machineId: MID })
      .get('/api/machineactions/act-1')
      .reply(200, { id: 'act-1', type: 'CollectInvestigationPackage', status: 'InProgress', machineId: MID })
      .get('/api/machineactions/act-1')
      .reply(200, { id: 'act-1', type: 'CollectInvestigationPackage', status: 'Succeeded', machineId: MID })
      .get('/api/machineactions/act-1/GetPackageUri')
      .reply(200, { value: `${BLOB}/investigation/act-1.zip?sv=2024-11-04&sig=secret-sas` });
    nock(BLOB).get('/investigation/act-1.zip').query(true).reply(200, zip);
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const record = await runActivity(env, acts.defenderCollectInvestigationPackage, input);
    assert.ok('sha256' in record);
    assert.equal(record.sha256, sha);
    assert.equal(record.verifiedSha256, sha);
    assert.equal(record.vendorActionId, 'act-1');
    assert.deepEqual(fs.readFileSync(fileURLToPath(record.uri)), zip);
    assert.deepEqual(beats[0], { actionId: 'act-1', machineId: MID }, 'the action and machine are heartbeated for a resume');
    const ledger = fs.readFileSync(path.join(evidenceDir, 'custody.jsonl'), 'utf8').trim().split('\n');
    assert.equal(ledger.length, 1);
    const again = await runActivity(env, acts.defenderCollectInvestigationPackage, input);
    assert.deepEqual(again, record, 'a retry after success answers the record, calling nothing');
  });

  it('a retry on another worker resumes the heartbeated action instead of asking again', async () => {
    const acts = createDefenderActivities({ client: client(), evidenceDir, pollMs: 10 });
    nock(LOGIN).post('/tenant-1/oauth2/v2.0/token').reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'mde-token' });
    nock(API)
      .get('/api/machineactions/act-2')
      .reply(200, { id: 'act-2', status: 'Succeeded', machineId: MID })
      .get('/api/machineactions/act-2/GetPackageUri')
      .reply(200, { value: `${BLOB}/investigation/act-2.zip?sig=secret-sas` });
    nock(BLOB).get('/investigation/act-2.zip').query(true).reply(200, zip);
    const env = new MockActivityEnvironment({ heartbeatDetails: { actionId: 'act-2' } } as never, { logger: silentLogger });
    const record = await runActivity(env, acts.defenderCollectInvestigationPackage, { ...input, idempotencyKey: 'wf-8:package', caseId: 'cs_8' });
    assert.ok('vendorActionId' in record && record.vendorActionId === 'act-2');
  });

  it('a package that failed on the machine is not retried; a failed download does not show the link', async () => {
    const acts = createDefenderActivities({ client: client(), evidenceDir, pollMs: 10 });
    nock(LOGIN).post('/tenant-1/oauth2/v2.0/token').reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'mde-token' });
    nock(API).post(`/api/machines/${MID}/collectInvestigationPackage`).reply(201, { id: 'act-3', status: 'Pending' }).get('/api/machineactions/act-3').reply(200, { id: 'act-3', status: 'Failed' });
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const failed = await rejection(() => runActivity(env, acts.defenderCollectInvestigationPackage, { ...input, idempotencyKey: 'wf-9:package', caseId: 'cs_9' }));
    assert.equal(failed.nonRetryable, true);
    nock(API).post(`/api/machines/${MID}/collectInvestigationPackage`).reply(201, { id: 'act-4', status: 'Pending' }).get('/api/machineactions/act-4').reply(200, { id: 'act-4', status: 'Succeeded' }).get('/api/machineactions/act-4/GetPackageUri').reply(200, { value: `${BLOB}/investigation/act-4.zip?sig=secret-sas` });
    nock(BLOB).get('/investigation/act-4.zip').query(true).reply(403, 'AuthenticationFailed');
    const dl = await rejection(() => runActivity(env, acts.defenderCollectInvestigationPackage, { ...input, idempotencyKey: 'wf-10:package', caseId: 'cs_10' }));
    assert.equal(dl.type, 'IntegrationUnavailableError');
    assert.doesNotMatch(dl.message, /secret-sas/);
  });
});

describe('elastic defend memory dump as evidence', () => {
  before(setupNock);
  afterEach(checkNock);
  const KB = 'https://kibana.corp.test:5601';
  const AGENT = 'f6b5a1e2-7c3d-4e8f-9a0b-1c2d3e4f5a6b';
  const evidenceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-ed-evidence-'));
  const dump = randomBytes(300_000);
  const client = () => new ElasticDefendClient({ kibanaUrl: KB, authorization: new Secret('ApiKey a2liYW5hLWtleS0wMTIzNDU2Nzg5'), timeoutMs: 500 });
  const input = { endpointId: AGENT, comment: 'Riposte case cs_11', caseId: 'cs_11', requestedBy: 'wf-11', idempotencyKey: 'wf-11:memory' };

  it('asks for a kernel dump with the Kibana headers, polls, downloads it with auth and records it', async () => {
    nock(KB)
      .post('/api/endpoint/action/memory_dump', { endpoint_ids: [AGENT], comment: 'Riposte case cs_11', parameters: { type: 'kernel' } })
      .matchHeader('authorization', 'ApiKey a2liYW5hLWtleS0wMTIzNDU2Nzg5')
      .matchHeader('kbn-xsrf', 'riposte')
      .matchHeader('elastic-api-version', '2023-10-31')
      .reply(200, { data: { id: 'ra-1', isCompleted: false, wasSuccessful: false, command: 'memory-dump', agents: [AGENT] } })
      .get('/api/endpoint/action/ra-1')
      .reply(200, { data: { id: 'ra-1', isCompleted: false, wasSuccessful: false } })
      .get('/api/endpoint/action/ra-1')
      .reply(200, { data: { id: 'ra-1', isCompleted: true, wasSuccessful: true, outputs: { [AGENT]: { type: 'json', content: { code: 'ra_memory-dump_success_done', file_size: 300000 } } } } })
      .get(`/api/endpoint/action/ra-1/file/ra-1.${AGENT}/download`)
      .matchHeader('authorization', 'ApiKey a2liYW5hLWtleS0wMTIzNDU2Nzg5')
      .reply(200, dump);
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const record = await runActivity(env, createElasticDefendActivities({ client: client(), evidenceDir, pollMs: 10 }).elasticdefendMemoryDump, input);
    assert.ok('sha256' in record);
    assert.equal(record.sha256, createHash('sha256').update(dump).digest('hex'));
    assert.equal(record.kind, 'memory-dump');
    assert.equal(record.source.device, 'memory (kernel)');
    assert.deepEqual(fs.readFileSync(fileURLToPath(record.uri)), dump);
  });

  it('a dump that failed on the endpoint is not retried; a process dump needs a pid', async () => {
    nock(KB).post('/api/endpoint/action/memory_dump').reply(200, { data: { id: 'ra-2', isCompleted: false } }).get('/api/endpoint/action/ra-2').reply(200, { data: { id: 'ra-2', isCompleted: true, wasSuccessful: false, errors: ['not enough disk space'] } });
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const acts = createElasticDefendActivities({ client: client(), evidenceDir, pollMs: 10 });
    const err = await rejection(() => runActivity(env, acts.elasticdefendMemoryDump, { ...input, idempotencyKey: 'wf-12:memory', caseId: 'cs_12' }));
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /not enough disk space/);
    assert.equal((await rejection(() => runActivity(env, acts.elasticdefendMemoryDump, { ...input, type: 'process', idempotencyKey: 'k' }))).type, 'InvalidObservableError');
  });
});

describe('crowdstrike real time response file collection as evidence', () => {
  before(setupNock);
  afterEach(checkNock);
  const CS = 'https://api.crowdstrike.com';
  const AID = 'c8d1292a8a904216aa25ab728f4b45fd';
  const evidenceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-rtr-evidence-'));
  const archive = randomBytes(50_000);
  const fileSha = 'a'.repeat(64);

  it('opens a session, gets the file, waits for its upload, downloads the archive and records it', async () => {
    const acts = createCrowdStrikeActivities({ client: new FalconClient({ baseUrl: CS, clientId: 'cs-client', clientSecret: new Secret('cs-secret-0123456789'), timeoutMs: 500 }), evidenceDir, pollMs: 10 });
    nock(CS)
      .post('/oauth2/token')
      .reply(201, { access_token: 'falcon-token', expires_in: 1799 })
      .post('/real-time-response/entities/sessions/v1', { device_id: AID, origin: 'riposte', queue_offline: false })
      .reply(201, { resources: [{ session_id: 'sess-1' }], errors: [] })
      .post('/real-time-response/entities/active-responder-command/v1', { base_command: 'get', command_string: 'get C:\\Windows\\Temp\\beacon.dmp', session_id: 'sess-1', device_id: AID, persist: true })
      .reply(201, { resources: [{ cloud_request_id: 'req-1', queued_command_offline: false }] })
      .get('/real-time-response/entities/active-responder-command/v1')
      .query({ cloud_request_id: 'req-1', sequence_id: '0' })
      .reply(200, { resources: [{ complete: false }] })
      .get('/real-time-response/entities/active-responder-command/v1')
      .query(true)
      .reply(200, { resources: [{ complete: true, stdout: 'C:\\Windows\\Temp\\beacon.dmp', stderr: '' }] })
      .get('/real-time-response/entities/file/v2')
      .query({ session_id: 'sess-1' })
      .reply(200, { resources: [] })
      .get('/real-time-response/entities/file/v2')
      .query({ session_id: 'sess-1' })
      .reply(200, { resources: [{ name: 'C:\\Windows\\Temp\\beacon.dmp', sha256: fileSha, size: 1048576, cloud_request_id: 'req-1' }] })
      .get('/real-time-response/entities/extracted-file-contents/v1')
      .query({ session_id: 'sess-1', sha256: fileSha, filename: 'C:\\Windows\\Temp\\beacon.dmp' })
      .matchHeader('authorization', 'Bearer falcon-token')
      .reply(200, archive)
      .delete('/real-time-response/entities/sessions/v1')
      .query({ session_id: 'sess-1' })
      .reply(204);
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const record = await runActivity(env, acts.crowdstrikeCollectFile, { deviceId: AID, path: 'C:\\Windows\\Temp\\beacon.dmp', caseId: 'cs_13', requestedBy: 'wf-13', idempotencyKey: 'wf-13:collect' });
    assert.ok('sha256' in record);
    assert.equal(record.sha256, fileSha);
    assert.equal(record.verifiedSha256, createHash('sha256').update(archive).digest('hex'));
    assert.equal(record.source.bytes, 1048576);
    assert.deepEqual(fs.readFileSync(fileURLToPath(record.uri)), archive);
  });

  it('a get that fails on the host is not retried', async () => {
    const acts = createCrowdStrikeActivities({ client: new FalconClient({ baseUrl: CS, clientId: 'cs-client', clientSecret: new Secret('cs-secret-0123456789'), timeoutMs: 500 }), evidenceDir, pollMs: 10 });
    nock(CS)
      .post('/oauth2/token')
      .reply(201, { access_token: 'falcon-token', expires_in: 1799 })
      .post('/real-time-response/entities/sessions/v1')
      .reply(201, { resources: [{ session_id: 'sess-2' }] })
      .post('/real-time-response/entities/active-responder-command/v1')
      .reply(201, { resources: [{ cloud_request_id: 'req-2' }] })
      .get('/real-time-response/entities/active-responder-command/v1')
      .query(true)
      .reply(200, { resources: [{ complete: true, stderr: 'The system cannot find the file specified.' }] });
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const err = await rejection(() => runActivity(env, acts.crowdstrikeCollectFile, { deviceId: AID, path: 'C:\\missing.dmp', caseId: 'cs_14', requestedBy: 'wf-14', idempotencyKey: 'wf-14:collect' }));
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /cannot find the file/);
  });
});
