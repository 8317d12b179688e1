// ServiceNow and TheHive 5 behind the one ticket interface (open once, note, close with the
// outcome), against their documented request and response shapes (nock).
import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ServiceNowClient } from '../../activities/servicenow/client.ts';
import { marker as snMarker, servicenowTicketSystem } from '../../activities/servicenow/index.ts';
import { TheHiveClient } from '../../activities/thehive/client.ts';
import { createTheHiveActivities, marker as hiveMarker, thehiveTicketSystem } from '../../activities/thehive/index.ts';
import { createTicketingActivities } from '../../activities/ticketing/index.ts';
import { Secret } from '../../config/secret.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { checkNock, nock, setupNock } from '../helpers/nock.ts';

const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
const open = { idempotencyKey: 'suspected-c2-cs_1:ticket:open', caseId: 'cs_1', title: 'Suspected C2 from web-1', description: 'web-1 beacons to 203.0.113.7', severity_id: 4 };

describe('servicenow ticketing (Table API)', () => {
  before(setupNock);
  afterEach(checkNock);
  const SN = 'https://acme.service-now.com';
  const BASIC = `Basic ${Buffer.from('riposte.integration:sn-password-0123456789').toString('base64')}`;
  const client = new ServiceNowClient({ baseUrl: SN, username: 'riposte.integration', password: new Secret('sn-password-0123456789'), table: 'incident', timeoutMs: 500 });
  const acts = createTicketingActivities({ system: servicenowTicketSystem(client, { closeCode: 'Solution provided' }) });
  const SYS = '9d385017c611228701d22104cc95c371';
  const ticket = { system: 'servicenow', key: 'INC0010023', id: SYS };

  it('opens an incident once, keyed by correlation_id, with urgency from the severity', async () => {
    let created: any;
    nock(SN)
      .get('/api/now/table/incident')
      .query((q) => String(q.sysparm_query).startsWith('correlation_id=riposte-') && q.sysparm_limit === '1')
      .matchHeader('authorization', BASIC)
      .reply(200, { result: [] })
      .post('/api/now/table/incident', (b) => ((created = b), true))
      .query({ sysparm_fields: 'sys_id,number,state' })
      .reply(201, { result: { sys_id: SYS, number: 'INC0010023', state: '1' } });
    const out = await runActivity(env, acts.ticketingOpenTicket, open);
    assert.deepEqual(out, { status: 'ok', ticket: { system: 'servicenow', key: 'INC0010023', id: SYS, url: `${SN}/nav_to.do?uri=incident.do?sys_id=${SYS}` }, existed: false });
    assert.equal(created.short_description, 'Suspected C2 from web-1');
    assert.equal(created.urgency, '1');
    assert.match(created.correlation_id, /^riposte-[0-9a-f]{32}$/);
    nock(SN).get('/api/now/table/incident').query(true).reply(200, { result: [{ sys_id: SYS, number: 'INC0010023', state: '2' }] });
    const again = await runActivity(env, acts.ticketingOpenTicket, open);
    assert.ok(again.status === 'ok' && again.existed && again.ticket.key === 'INC0010023', 'the same incident, not a second one');
  });

  it('adds a work note once (found again by its marker), and resolves with close code and notes', async () => {
    const note = { ticket, idempotencyKey: 'suspected-c2-cs_1:ticket:enriched', text: 'VirusTotal: 7/91 malicious' };
    const mark = snMarker(note.idempotencyKey);
    nock(SN)
      .get('/api/now/table/sys_journal_field')
      .query((q) => q.sysparm_query === `element_id=${SYS}^element=work_notes^valueLIKE${mark}`)
      .reply(200, { result: [] })
      .patch(`/api/now/table/incident/${SYS}`, (b) => b.work_notes === `VirusTotal: 7/91 malicious\n\n${mark}`)
      .query(true)
      .reply(200, { result: { sys_id: SYS, number: 'INC0010023', state: '2' } });
    assert.deepEqual(await runActivity(env, acts.ticketingAddNote, note), { status: 'ok', noteId: mark, existed: false });
    nock(SN).get('/api/now/table/sys_journal_field').query(true).reply(200, { result: [{ sys_id: 'j1' }] });
    assert.deepEqual(await runActivity(env, acts.ticketingAddNote, note), { status: 'ok', noteId: 'j1', existed: true });

    nock(SN)
      .get('/api/now/table/incident')
      .query((q) => q.sysparm_query === `sys_id=${SYS}`)
      .reply(200, { result: [{ sys_id: SYS, state: '2' }] })
      .patch(`/api/now/table/incident/${SYS}`, { state: '6', close_code: 'Solution provided', close_notes: 'True positive. Contained web-1.' })
      .query(true)
      .reply(200, { result: { sys_id: SYS, state: '6' } });
    assert.deepEqual(await runActivity(env, acts.ticketingCloseTicket, { ticket, idempotencyKey: 'k:close', outcome: 'true_positive', summary: 'Contained web-1.' }), { status: 'ok', alreadyClosed: false });
    nock(SN).get('/api/now/table/incident').query(true).reply(200, { result: [{ sys_id: SYS, state: '7' }] });
    assert.deepEqual(await runActivity(env, acts.ticketingCloseTicket, { ticket, idempotencyKey: 'k:close', outcome: 'true_positive', summary: 'x' }), { status: 'ok', alreadyClosed: true });
  });

  it('maps 401 to a non-retryable auth failure without the password', async () => {
    nock(SN).get('/api/now/table/incident').query(true).reply(401, { error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' });
    const err = await rejection(() => runActivity(env, acts.ticketingOpenTicket, open));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.doesNotMatch(err.message, /sn-password/);
  });
});

describe('thehive 5 ticketing (alert → case, comments, observables, close)', () => {
  before(setupNock);
  afterEach(checkNock);
  const HIVE = 'https://thehive.corp.test';
  const client = new TheHiveClient({ baseUrl: HIVE, apiKey: new Secret('hive-api-key-0123456789'), timeoutMs: 500 });
  const acts = createTicketingActivities({ system: thehiveTicketSystem(client) });
  const ticket = { system: 'thehive', key: '#42', id: '~40964208' };

  it('creates an alert with source riposte and a sourceRef from the key, promotes it, and reuses it on a retry', async () => {
    let alert: any;
    nock(HIVE)
      .post('/api/v1/query', (b) => b.query[0]._name === 'listAlert' && b.query[1]._and[0]._value === 'riposte')
      .query({ name: 'riposte-find-alert' })
      .matchHeader('authorization', 'Bearer hive-api-key-0123456789')
      .reply(200, [])
      .post('/api/v1/alert', (b) => ((alert = b), true))
      .reply(201, { _id: '~8392', sourceRef: 'x', status: 'New' })
      .post('/api/v1/alert/~8392/case', {})
      .reply(201, { _id: '~40964208', number: 42, stage: 'New', status: 'New' });
    const out = await runActivity(env, acts.ticketingOpenTicket, open);
    assert.deepEqual(out, { status: 'ok', ticket: { system: 'thehive', key: '#42', id: '~40964208', url: `${HIVE}/cases/~40964208/details` }, existed: false });
    assert.equal(alert.source, 'riposte');
    assert.equal(alert.severity, 3);
    assert.match(alert.sourceRef, /^[0-9a-f]{32}$/);
    nock(HIVE)
      .post('/api/v1/query')
      .query(true)
      .reply(200, [{ _id: '~8392', sourceRef: alert.sourceRef, caseId: '~40964208' }])
      .get('/api/v1/case/~40964208')
      .reply(200, { _id: '~40964208', number: 42, stage: 'New' });
    const again = await runActivity(env, acts.ticketingOpenTicket, open);
    assert.ok(again.status === 'ok' && again.existed && again.ticket.key === '#42');
  });

  it('comments once per key, adds observables by type, and closes with the resolution status', async () => {
    const note = { ticket, idempotencyKey: 'k:enriched', text: 'GreyNoise: malicious' };
    const mark = hiveMarker(note.idempotencyKey);
    nock(HIVE)
      .post('/api/v1/query', (b) => b.query[0]._name === 'getCase' && b.query[0].idOrName === '~40964208' && b.query[1]._name === 'comments')
      .query(true)
      .reply(200, [])
      .post('/api/v1/case/~40964208/comment', { message: `GreyNoise: malicious\n\n${mark}` })
      .reply(201, { _id: '~c1', message: 'GreyNoise: malicious' });
    assert.deepEqual(await runActivity(env, acts.ticketingAddNote, note), { status: 'ok', noteId: '~c1', existed: false });
    nock(HIVE).post('/api/v1/query').query(true).reply(200, [{ _id: '~c1', message: `GreyNoise: malicious\n\n${mark}` }]);
    assert.deepEqual(await runActivity(env, acts.ticketingAddNote, note), { status: 'ok', noteId: '~c1', existed: true });

    nock(HIVE)
      .post('/api/v1/case/~40964208/observable', { dataType: 'ip', data: ['203.0.113.7'], message: 'from Riposte', tlp: 2, ioc: true })
      .reply(201, [{ _id: '~o1' }])
      .post('/api/v1/case/~40964208/observable', { dataType: 'domain', data: ['c2-never-seen.test'], message: 'from Riposte', tlp: 2, ioc: true })
      .reply(201, [{ _id: '~o2' }]);
    const obs = await runActivity(env, createTheHiveActivities({ client }).thehiveAddObservables, { ticket, observables: [{ type: 'ip', value: '203.0.113.7' }, { type: 'domain', value: 'c2-never-seen.test' }, { type: 'ip', value: '203.0.113.7' }] });
    assert.deepEqual(obs, { status: 'ok', added: 2 });

    nock(HIVE)
      .get('/api/v1/case/~40964208')
      .reply(200, { _id: '~40964208', number: 42, stage: 'InProgress' })
      .patch('/api/v1/case/~40964208', { status: 'FalsePositive', summary: 'Benign scanner.' })
      .reply(204);
    assert.deepEqual(await runActivity(env, acts.ticketingCloseTicket, { ticket, idempotencyKey: 'k:close', outcome: 'false_positive', summary: 'Benign scanner.' }), { status: 'ok', alreadyClosed: false });
    nock(HIVE).get('/api/v1/case/~40964208').reply(200, { _id: '~40964208', number: 42, stage: 'Closed' });
    assert.deepEqual(await runActivity(env, acts.ticketingCloseTicket, { ticket, idempotencyKey: 'k:close', outcome: 'false_positive', summary: 'x' }), { status: 'ok', alreadyClosed: true });
  });

  it('maps 401 to auth without the key, and 5xx to a retry', async () => {
    nock(HIVE).post('/api/v1/query').query(true).reply(401, { type: 'AuthenticationError', message: 'Authentication failure' });
    const err = await rejection(() => runActivity(env, acts.ticketingOpenTicket, open));
    assert.equal(err.type, 'IntegrationAuthError');
    assert.doesNotMatch(err.message, /hive-api-key/);
    nock(HIVE).get('/api/v1/case/~40964208').reply(503, 'unavailable');
    assert.equal((await rejection(() => runActivity(env, acts.ticketingCloseTicket, { ticket, idempotencyKey: 'k:close', outcome: 'benign', summary: 'x' }))).type, 'IntegrationUnavailableError');
  });
});
