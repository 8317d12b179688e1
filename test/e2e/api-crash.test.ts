// Zero loss: alerts stream into the API while it is killed with kill -9 twice. Every alert that
// was acknowledged is in the store afterwards and reached its case exactly once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { freePort } from '../../scripts/dev-server.ts';
import { caseStateQuery, caseWorkflowId } from '../../workflows/definitions.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { spawnRiposte, type RiposteProcess } from '../helpers/processes.ts';
import { startWorker, testClient, uniqueQueue, type RunningWorker } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';

const SRC = 'crash-source-token-0123456789';
const ANA = 'crash-analyst-token-0123456789';
const TOTAL = 600;
const HOSTS = 20;

describe('the API killed with kill -9 mid-ingest', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: RiposteProcess;
  let env: Record<string, string>;
  let base: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-api-crash-'));

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    const taskQueue = uniqueQueue('api-crash');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      RIPOSTE_PORT: String(port),
      RIPOSTE_DATA_DIR: dataDir,
      RIPOSTE_TOKENS: `${SRC}:source,${ANA}:analyst`,
      RIPOSTE_TASK_QUEUE: taskQueue,
      RIPOSTE_DISPATCH_INTERVAL: '100ms',
    };
    api = await spawnRiposte('api', env);
  });
  after(async () => {
    await api?.stop();
    await worker?.stop();
    await closeClient?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged alert and delivers none twice', async () => {
    // Alerts from 20 hosts (one case each); each alert distinct, none calls for a playbook.
    const finding = (i: number) => {
      const f = c2Finding({ uid: `crash-${i}`, hostIp: `10.66.${i % HOSTS}.1`, hostname: `h${i % HOSTS}`, severity_id: 1 });
      f.evidences = [{ src_endpoint: { ip: `10.66.${i % HOSTS}.1`, hostname: `h${i % HOSTS}` }, actor: { user: { name: `user-${i}` } } }];
      return JSON.stringify(f);
    };
    const acked = new Map<number, { alertId: string; caseId: string; outcome: string }>();
    const queue = Array.from({ length: TOTAL }, (_, i) => i);
    let failures = 0;
    let kills = 0;
    let restarting: Promise<void> | undefined;

    const killAndRestart = async () => {
      kills += 1;
      await api.kill9();
      await new Promise((r) => setTimeout(r, 200));
      api = await spawnRiposte('api', env);
    };
    const send = async (i: number) => {
      try {
        const res = await fetch(`${base}/v1/alerts`, { method: 'POST', headers: { authorization: `Bearer ${SRC}`, 'content-type': 'application/json' }, body: finding(i) });
        const body = (await res.json()) as { alertId: string; caseId: string; outcome: string };
        if (res.status !== 202) throw new Error(`status ${res.status}`);
        acked.set(i, body);
      } catch {
        failures += 1;
        queue.push(i); // not acknowledged: the source sends it again
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!restarting && ((kills === 0 && acked.size >= TOTAL / 3) || (kills === 1 && acked.size >= (2 * TOTAL) / 3))) {
        restarting = killAndRestart().finally(() => (restarting = undefined));
      }
    };
    const lanes = Array.from({ length: 16 }, async () => {
      for (;;) {
        const i = queue.shift();
        if (i === undefined) {
          if (acked.size === TOTAL && !restarting) return;
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        await send(i);
      }
    });
    await Promise.all(lanes);
    assert.equal(kills, 2, 'the API was killed twice');
    assert.ok(failures > 0, 'some requests failed while it was down, and were sent again');

    // Every acknowledged alert is stored …
    for (const { alertId } of acked.values()) {
      const res = await fetch(`${base}/v1/alerts/${alertId}`, { headers: { authorization: `Bearer ${ANA}` } });
      assert.equal(res.status, 200, `${alertId} is stored`);
    }
    // … and reached its case, once.
    await waitFor(async () => ((await (await fetch(`${base}/v1/health`)).json()) as { backlog: number }).backlog, (b) => b === 0, 30_000, 'an empty outbox');
    const perCase = new Map<string, Set<string>>();
    for (const a of acked.values()) if (a.outcome === 'new' || a.outcome === 'duplicate') (perCase.get(a.caseId) ?? perCase.set(a.caseId, new Set()).get(a.caseId))!.add(a.alertId);
    assert.equal(perCase.size, HOSTS, 'one case per host');
    assert.equal([...perCase.values()].reduce((n, s) => n + s.size, 0), TOTAL, 'every alert distinct');
    for (const [caseId, alerts] of perCase) {
      const state = await waitFor(() => client.workflow.getHandle(caseWorkflowId(caseId)).query(caseStateQuery), (s) => s.alerts >= alerts.size, 20_000, `case ${caseId}`);
      assert.equal(state.alerts, alerts.size, `case ${caseId}: each alert delivered exactly once`);
    }
    console.error(`  zero-loss run: ${TOTAL} alerts acknowledged across 2 kills, ${failures} requests retried`);
  });
});
