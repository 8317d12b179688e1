// One trace per alert: the ingest span in the API, the workflow, and each activity share a trace.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Client, Connection } from '@temporalio/client';
import { setupTelemetry, type Telemetry } from '../../telemetry/index.ts';
import { caseWorkflowId, playbookWorkflowId, UNTRACED_MEMO } from '../../workflows/definitions.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { startWorker, temporalAddress, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

describe('OpenTelemetry: API → workflow → activities in one trace', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let connection: Connection;
  let worker: RunningWorker;
  let api: TestApi;

  before(async () => {
    telemetry = setupTelemetry({ exporter: 'none', serviceName: 'riposte-trace-test' }, 'test', new SimpleSpanProcessor(exporter));
    connection = await Connection.connect({ address: temporalAddress() });
    const client = new Client({ connection, plugins: [telemetry.temporalPlugin] });
    const taskQueue = uniqueQueue('trace');
    worker = await startWorker({ taskQueue, telemetry, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    api = await startApi({ client, taskQueue, traced: true });
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await connection.close();
  });

  it('the ingest span is the root of the workflow and activity spans', async () => {
    const res = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ severity_id: 2 }) });
    assert.equal(res.status, 202);
    const workflowId = playbookWorkflowId('suspected-c2', res.body.caseId);
    const spans = await waitFor(
      async () => exporter.getFinishedSpans(),
      (s) => s.some((x) => x.name === `RunWorkflow:suspectedC2Playbook`) && s.some((x) => x.name === 'RunActivity:ticketingAddNote'),
      20_000,
      'workflow and activity spans'
    );
    const ingest = spans.find((s) => s.name === 'ingest alert');
    assert.ok(ingest, 'the API made an ingest span');
    const traceId = ingest.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
    assert.ok(inTrace.includes('dispatch alerts'), inTrace.join(', '));
    assert.ok(inTrace.includes('HandleSignal:alertsSignal'), inTrace.join(', '));
    assert.ok(inTrace.includes('StartChildWorkflow:suspectedC2Playbook'), inTrace.join(', '));
    assert.ok(inTrace.includes('RunWorkflow:suspectedC2Playbook'), inTrace.join(', '));
    assert.ok(inTrace.includes('RunActivity:enrichmentLookup'), inTrace.join(', '));
    assert.ok(inTrace.includes('RunActivity:ticketingOpenTicket'), inTrace.join(', '));
    assert.ok(spans.some((s) => s.attributes['temporalWorkflowId'] === workflowId || s.name.endsWith('suspectedC2Playbook')));
  });

  it('with no exporter, a case and its runs start untraced: their memo says so and their workflows make no spans', async () => {
    const quiet = await startApi({ client: new Client({ connection, plugins: [telemetry.temporalPlugin] }), taskQueue: worker.taskQueue });
    // A traced case makes a StartChildWorkflow span as it starts its run (the test above).
    const startChildSpans = () => exporter.getFinishedSpans().filter((x) => x.name === 'StartChildWorkflow:suspectedC2Playbook').length;
    const before = startChildSpans();
    assert.ok(before > 0, 'the traced case of the test above made one');
    try {
      const res = await quiet.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ severity_id: 2, hostname: 'untraced.corp.test', remoteIp: '203.0.113.77' }) });
      assert.equal(res.status, 202);
      const client = new Client({ connection });
      const run = client.workflow.getHandle(playbookWorkflowId('suspected-c2', res.body.caseId));
      await waitFor(() => run.describe().then((d) => d.status.name, () => 'none'), (s) => s === 'COMPLETED', 20_000, 'the run completed');
      const caseMemo = (await client.workflow.getHandle(caseWorkflowId(res.body.caseId)).describe()).memo;
      assert.deepEqual(caseMemo, { [UNTRACED_MEMO]: true });
      assert.deepEqual((await run.describe()).memo, { [UNTRACED_MEMO]: true }, 'the case started its run untraced');
      assert.equal(startChildSpans(), before, 'the untraced case made no span when it started its run');
    } finally {
      await quiet.close();
    }
  });

  it('with OTEL_TRACES_EXPORTER=otlp, spans are sent to the OTLP endpoint', async () => {
    const received: Array<{ path?: string; body: string }> = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += String(d)));
      req.on('end', () => {
        received.push({ path: req.url, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      const otlp = setupTelemetry({ exporter: 'otlp', otlpEndpoint: endpoint, serviceName: 'riposte-otlp-test' }, 'test');
      otlp.tracer.startSpan('ingest alert').end();
      await otlp.shutdown();
      assert.equal(received[0]?.path, '/v1/traces');
      assert.match(received[0]?.body ?? '', /ingest alert/);
      assert.match(received[0]?.body ?? '', /riposte-otlp-test/);
    } finally {
      collector.close();
    }
  });
});
