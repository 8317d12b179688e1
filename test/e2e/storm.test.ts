// An alert storm: 2,000 repeats of one detection become one alert with a count, one case, and a
// handful of signals to its workflow — not 2,000. (The 10,000-alert version is `npm run bench:ingest`.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { caseWorkflowId } from '../../workflows/definitions.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { startWorker, testClient, uniqueQueue, type RunningWorker } from '../helpers/temporal.ts';

const STORM = 2000;

describe('an alert storm', () => {
  let client: Client;
  let close: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;

  before(async () => {
    ({ client, close } = await testClient());
    const taskQueue = uniqueQueue('storm');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    api = await startApi({ client, taskQueue });
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await close?.();
  });

  it('collapses into one alert, one case, and a few signals', async () => {
    const outcomes = new Map<string, number>();
    const cases = new Set<string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < STORM) {
          const i = next++;
          const res = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `storm-${i}`, severity_id: 1, hostIp: '10.44.0.1', remoteIp: '198.51.100.44' }) });
          assert.equal(res.status, 202);
          outcomes.set(res.body.outcome, (outcomes.get(res.body.outcome) ?? 0) + 1);
          cases.add(res.body.caseId);
        }
      })
    );
    assert.deepEqual(Object.fromEntries(outcomes), { new: 1, deduplicated: STORM - 1 });
    assert.equal(cases.size, 1);
    await api.dispatcher.drain();
    const [caseId] = [...cases] as [string];
    const alert = (await api.store.caseAlerts(caseId, 10))[0];
    assert.equal(alert?.count, STORM);
    assert.ok(api.dispatcher.stats.signals <= 2, `${api.dispatcher.stats.signals} signals`);
    const history = (await client.workflow.getHandle(caseWorkflowId(caseId)).describe()).historyLength;
    assert.ok(history < 50, `case history ${history} events`);
  });
});
