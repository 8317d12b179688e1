// Prometheus: the API's /metrics and the worker's series, after a real response (alert over HTTP
// → approval → containment) on a real Temporal dev server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { createWorkerMetrics } from '../../telemetry/metrics.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

/** A sample's value from the exposition text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}

describe('Prometheus metrics', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;
  const metrics = createWorkerMetrics();
  before(async () => {
    ({ client, close: closeClient } = await testClient());
    const taskQueue = uniqueQueue('prometheus');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress(), metrics } });
    api = await startApi({ client, taskQueue });
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await closeClient?.();
  });

  it('serves ingest, dispatch lag, backlog, approvals pending; the worker counts runs, decisions and integration calls', async () => {
    const scrape = async () => {
      const res = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      return res.text();
    };
    assert.equal((await fetch(`${api.url}/metrics`)).status, 401, 'a scrape needs a token');

    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname: 'prom-1.corp.test', hostIp: '10.88.0.1', remoteIp: '198.51.100.77' }) });
    await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: { not: 'an alert' } });
    const caseId = posted.body.caseId;
    const waiting = await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body?.status === 'awaiting_approval', 20_000, 'awaiting_approval');
    let text = await scrape();
    assert.equal(sample(text, 'riposte_alerts_ingested_total', 'source="ocsf",outcome="new"'), 1);
    assert.equal(sample(text, 'riposte_approvals_pending'), 1);
    assert.equal(sample(text, 'riposte_alert_backlog'), 0);
    assert.ok((sample(text, 'riposte_dispatch_lag_seconds_count') ?? 0) >= 1);
    assert.ok(text.includes('riposte_api_process_cpu_seconds_total'), 'and the process itself');

    await api.request('POST', `/v1/cases/${caseId}/approvals/${waiting.body.pendingApprovals[0].id}`, { token: TOKENS.analyst, body: { decision: 'approve' } });
    await waitFor(() => api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst }), (r) => r.body.status === 'contained', 20_000, 'contained');
    text = await scrape();
    assert.equal(sample(text, 'riposte_approvals_pending'), 0);

    const w = await metrics.registry.metrics();
    assert.equal(sample(w, 'riposte_playbook_runs_total', 'playbook="suspected-c2",outcome="contained"'), 1);
    assert.equal(sample(w, 'riposte_playbook_run_seconds_count', 'playbook="suspected-c2",outcome="contained"'), 1);
    assert.equal(sample(w, 'riposte_approval_decision_seconds_count', 'playbook="suspected-c2",outcome="approved"'), 1);
    assert.ok((sample(w, 'riposte_integration_calls_total', 'integration="ticketing",outcome="ok"') ?? 0) >= 1, w.split('\n').filter((l) => l.startsWith('riposte_integration')).join('\n'));
  });
});
