// The dispatcher, from the outbox to the case workflows on a real Temporal dev server: a case
// whose signal Temporal refuses backs off on its own, at the back of the queue, while the others
// keep flowing; its alerts stay in the outbox until it is taken.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue, waitFor } from '../helpers/temporal.ts';
import { caseWorkflowId } from '../../workflows/definitions.ts';

/** The real client, except that Temporal refuses the signals of the case workflows in `refused`. */
function refusing(client: Client, refused: Set<string>): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop !== 'signalWithStart') return typeof value === 'function' ? value.bind(target) : value;
      return (type: string, options: { workflowId: string }) => {
        if (refused.has(options.workflowId)) return Promise.reject(new Error(`INVALID_ARGUMENT: ${options.workflowId} refused (test)`));
        return target.signalWithStart(type, options as never);
      };
    },
  });
  return new Proxy(client, { get: (target, prop) => (prop === 'workflow' ? workflow : Reflect.get(target, prop, target)) });
}

describe('the dispatcher', () => {
  let api: TestApi;
  let close: () => Promise<void>;
  let client: Client;
  const refused = new Set<string>();
  before(async () => {
    const c = await testClient();
    close = c.close;
    client = c.client;
    api = await startApi({ client: refusing(client, refused), taskQueue: uniqueQueue('dispatcher') });
  });
  after(async () => {
    await api?.close();
    await close?.();
  });

  const post = async (n: number) => (await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `disp-${n}`, hostname: `disp-${n}.corp.test`, hostIp: `10.77.0.${n}`, remoteIp: `198.51.100.${n}` }) })).body.caseId as string;
  const pending = async (caseId: string) => (await api.store.pendingForCase(caseId, 10)).length;

  it('one case Temporal refuses does not stall the others: they are delivered, it backs off and is delivered once taken', async () => {
    const stuck = await post(1);
    refused.add(caseWorkflowId(stuck));
    const others = [await post(2), await post(3), await post(4)];
    for (const id of others) await waitFor(() => client.workflow.getHandle(caseWorkflowId(id)).describe().catch(() => undefined), (d) => d !== undefined, 15_000, `case ${id} delivered`);
    assert.equal(await pending(stuck), 1, 'the refused case keeps its alert in the outbox');
    assert.ok(api.dispatcher.stats.errors >= 1);
    // More alerts for other cases keep flowing while it is refused.
    const later = await post(5);
    await waitFor(() => pending(later), (n) => n === 0, 15_000, 'a later case delivered');
    assert.equal(await pending(stuck), 1);

    refused.clear();
    await waitFor(() => pending(stuck), (n) => n === 0, 30_000, 'the refused case delivered once Temporal takes it');
    await client.workflow.getHandle(caseWorkflowId(stuck)).describe();
  });
});
