// A case's status as an analyst, an SLA report or an automation polling for the end reads it: it
// never says the response is over while a run is still to act. The run's facts are written to the
// case record here as a playbook writes them (`runEvents`, keyed by run and place); no worker runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { newRunView, runEvents, type CaseEvent, type RunDigest } from '../../core/case-events.ts';
import type { PlaybookView } from '../../core/case.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue, waitFor } from '../helpers/temporal.ts';

describe('case status while a playbook is between its steps', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let api: TestApi;
  before(async () => {
    ({ client, close: closeClient } = await testClient());
    // No worker on this queue: the case workflow never starts a run by itself.
    api = await startApi({ client, taskQueue: uniqueQueue('case-status') });
  });
  after(async () => {
    await api?.close();
    await closeClient?.();
  });

  const status = async (caseId: string) => (await api.request('GET', `/v1/cases/${caseId}`, { token: TOKENS.analyst })).body.status as string;
  const listed = async (caseId: string) => {
    const page = await api.request('GET', '/v1/cases?limit=100', { token: TOKENS.analyst });
    return page.body.cases.find((c: { caseId: string }) => c.caseId === caseId)?.status as string;
  };

  /** Writes what changed in `view` since the last call, as the run's flush does. */
  function writer(caseId: string, workflowId: string) {
    let told: RunDigest | undefined;
    let n = 0;
    return async (view: PlaybookView, at: string) => {
      const { events, digest } = runEvents(told, view, at);
      told = digest;
      const keyed: CaseEvent[] = events.map((e) => ({ ...e, key: `${workflowId}:${n}`, run: workflowId, n: n++ }));
      await api.record.append(caseId, keyed);
    };
  }

  it('reads open, not closed, before a run is in the record; running from a decision until the run ends', async () => {
    const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ hostname: 'between-1.corp.test', hostIp: '10.50.0.1', remoteIp: '198.51.100.150' }) });
    assert.equal(posted.status, 202);
    const caseId: string = posted.body.caseId;
    // Dispatched: the case workflow has the alert; no playbook has written anything yet.
    await waitFor(() => api.request('GET', '/v1/health'), (r) => r.body.backlog === 0, 20_000, 'the alert dispatched');
    assert.equal(await status(caseId), 'open', 'a case with no run yet is not over');
    assert.equal(await listed(caseId), 'open');

    const workflowId = `suspected-c2-${caseId}`;
    const write = writer(caseId, workflowId);
    const t = (s: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, s)).toISOString();
    const view = newRunView({ caseId, playbook: 'suspected-c2', version: 2, run: 1, startedAt: t(0) });
    await write(view, t(0));
    assert.equal(await status(caseId), 'running');

    view.status = 'awaiting_approval';
    view.approvals.push({ id: 'contain-egress', action: 'block egress to 198.51.100.150', reason: 'beaconing', requestedAt: t(1), expiresAt: t(1801), status: 'pending' });
    await write(view, t(1));
    assert.equal(await status(caseId), 'awaiting_approval');

    // Approved; the run's own status is still the one it had while it waited (it reaches the
    // record with the next step), and the containment waits for its activity (or its retry).
    Object.assign(view.approvals[0] as object, { status: 'approved', decidedBy: 'alice', decidedAt: t(2) });
    await write(view, t(2));
    assert.equal(await status(caseId), 'running', 'approved, not yet contained: still running');
    assert.equal(await listed(caseId), 'running', 'the case list agrees');

    view.status = 'running';
    await write(view, t(3));
    assert.equal(await status(caseId), 'running');

    view.status = 'contained';
    view.containment = { driver: 'nftables', action: 'block 198.51.100.150', targets: ['198.51.100.150'], at: t(4), refs: ['a1'], simulated: false };
    view.closedAt = t(5);
    await write(view, t(5));
    assert.equal(await status(caseId), 'contained');
    assert.equal(await listed(caseId), 'contained');
  });
});
