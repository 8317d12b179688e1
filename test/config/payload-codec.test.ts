// Workflow payloads sealed at rest: the codec itself, and a real run whose history Temporal keeps
// sealed — read back by the worker and through the API's codec endpoint, never in clear.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ENCRYPTED, EncryptionCodec, dataConverter, parsePayloadKeys, type PayloadKey } from '../../config/payload-codec.ts';
import { playbookViewQuery } from '../../workflows/definitions.ts';
import { c2Alert, playbookInput } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

const keys = (raw: string): PayloadKey[] => {
  const parsed = parsePayloadKeys(raw);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.keys;
};
const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;
const secretTitle = 'beacon from payroll-7 to 203.0.113.250';

describe('payload encryption', () => {
  it('seals with the first key, opens with any listed key, passes unsealed payloads through, and refuses an unknown key', async () => {
    const plain = defaultPayloadConverter.toPayload({ title: secretTitle }) as Payload;
    const [sealed] = await new EncryptionCodec(keys(k1)).encode([plain]);
    assert.equal(new TextDecoder().decode(sealed?.metadata?.encoding), ENCRYPTED);
    assert.ok(!Buffer.from(sealed?.data ?? []).toString('latin1').includes('payroll'), 'nothing in clear');
    const rotated = new EncryptionCodec(keys(`${k2},${k1}`));
    const [opened] = await rotated.decode([sealed as Payload]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened as Payload), { title: secretTitle });
    const [resealed] = await rotated.encode([plain]);
    assert.equal(new TextDecoder().decode(resealed?.metadata?.['encryption-key-id']), 'k2', 'the first key seals');
    assert.deepEqual(await rotated.decode([plain]), [plain], 'a payload from before passes through');
    await assert.rejects(new EncryptionCodec(keys(k2)).decode([sealed as Payload]), /key "k1", which RIPOSTE_PAYLOAD_KEYS does not list/);
    const tampered = { ...sealed, data: Buffer.from(sealed?.data ?? []).fill(1, 20, 21) } as Payload;
    await assert.rejects(rotated.decode([tampered]), 'a changed byte is caught');
    assert.ok('problem' in parsePayloadKeys('k1:short'));
    assert.ok('problem' in parsePayloadKeys(`${k1},${k1}`));
  });

  describe('on a real Temporal dev server', () => {
    const converter = dataConverter(keys(k1));
    let worker: RunningWorker;
    let sealedClient: Awaited<ReturnType<typeof testClient>>;
    let plainClient: Awaited<ReturnType<typeof testClient>>;
    let api: TestApi;
    const taskQueue = uniqueQueue('sealed');
    before(async () => {
      worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() }, ...(converter ? { dataConverter: converter } : {}) });
      sealedClient = await testClient(undefined, converter);
      plainClient = await testClient();
      api = await startApi({ client: sealedClient.client, taskQueue, ...(converter ? { codec: converter.payloadCodecs[0] } : {}) });
    });
    after(async () => {
      await api?.close();
      await worker?.stop();
      await sealedClient?.close();
      await plainClient?.close();
    });

    it('the history holds the alert sealed; the worker and the codec endpoint (analysts only) open it', async () => {
      const input = playbookInput({ ...c2Alert({ hostname: 'payroll-7.corp.test', hostIp: '10.60.0.7', remoteIp: '203.0.113.250' }), title: secretTitle });
      const h = await sealedClient.client.workflow.start('suspectedC2Playbook', { taskQueue, workflowId: `sealed-${input.caseId}`, args: [input] });
      const view = await waitFor(() => h.query(playbookViewQuery), (v) => v.status === 'awaiting_approval', 20_000, 'awaiting_approval');
      assert.equal(view.title, secretTitle, 'the worker read its input');

      const history = await plainClient.client.workflow.getHandle(h.workflowId).fetchHistory();
      const raw = JSON.stringify(history);
      assert.ok(!raw.includes('payroll'), 'no alert in clear anywhere in the history');
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] as Payload;
      assert.equal(new TextDecoder().decode(started.metadata?.encoding), ENCRYPTED);

      const wire = { metadata: Object.fromEntries(Object.entries(started.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v as Uint8Array).toString('base64')])), data: Buffer.from(started.data ?? []).toString('base64') };
      assert.equal((await api.request('POST', '/v1/codec/decode', { token: TOKENS.viewer, body: { payloads: [wire] } })).status, 403, 'viewers may not open histories');
      const opened = await api.request('POST', '/v1/codec/decode', { token: TOKENS.analyst, body: { payloads: [wire] } });
      assert.equal(opened.status, 200, JSON.stringify(opened.body));
      const json = Buffer.from(opened.body.payloads[0].data, 'base64').toString('utf8');
      assert.equal(JSON.parse(json).alert.title, secretTitle);

      // The Temporal UI (the dev server's, at :8233) asks from the browser, with the signed-in analyst's session cookie.
      const ui = 'http://127.0.0.1:8233';
      const preflight = await fetch(`${api.url}/v1/codec/decode`, { method: 'OPTIONS', headers: { origin: ui, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
      assert.equal(preflight.status, 204);
      assert.deepEqual([preflight.headers.get('access-control-allow-origin'), preflight.headers.get('access-control-allow-credentials')], [ui, 'true']);
      const elsewhere = await fetch(`${api.url}/v1/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' } });
      assert.equal(elsewhere.headers.get('access-control-allow-origin'), null, 'another site may not read what it decodes');
      const { token } = (await api.users.startSession({ name: 'alice', role: 'analyst', subject: 'test alice' }, 60_000));
      const fromUi = await fetch(`${api.url}/v1/codec/decode`, { method: 'POST', headers: { origin: ui, cookie: `riposte_session=${token.reveal()}`, 'content-type': 'application/json', 'x-namespace': 'default' }, body: JSON.stringify({ payloads: [wire] }) });
      assert.equal(fromUi.status, 200, 'decoding changes nothing: no CSRF token needed');
      assert.equal(fromUi.headers.get('access-control-allow-origin'), ui);
      const write = await fetch(`${api.url}/v1/indicators`, { method: 'POST', headers: { cookie: `riposte_session=${token.reveal()}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'domain', value: 'x.example' }) });
      assert.equal(write.status, 403, 'a write still needs it');
      await h.terminate('test done');
    });
  });
});
