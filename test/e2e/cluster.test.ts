// `npm run cluster` as an operator would use it: PostgreSQL, a real Temporal server on
// PostgreSQL (built from Go modules), a main and a privileged worker, two API replicas behind
// HAProxy. An alert through the load balancer becomes a case; its approval, decided on one
// replica, is seen on the other; a replica killed mid-stream costs nothing the sources sent;
// stopping leaves no port held.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clusterPorts, startCluster, type Cluster } from '../../scripts/cluster.ts';
import { portFree } from '../../scripts/dev-server.ts';
import { c2Finding } from '../helpers/alerts.ts';

/** A base whose whole range of ports is free. */
async function freeBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    // Temporal keeps membership ports in a smallint: every port stays under 32768.
    const base = 20_000 + Math.floor(Math.random() * 110) * 100;
    const p = clusterPorts(base);
    const t = p.temporal;
    const membership = [33, 34, 35, 39].map((n) => t.membership + n);
    const all = [p.balancer, ...p.apis, p.postgres, t.frontend, t.history, t.matching, t.worker, t.http, ...membership, ...p.workerMetrics, p.balancerStats];
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range');
}

describe('the cluster (npm run cluster)', { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let dir: string;
  let tokens: Record<string, string>;
  const call = async (base: string, method: string, p: string, token: string, body?: unknown) => {
    const res = await fetch(`${base}${p}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const until = async <T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await f().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-cluster-'));
    cluster = await startCluster({ dir, ports: clusterPorts(await freeBase()), log: () => {} });
    tokens = JSON.parse(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8'));
  });
  after(async () => {
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes an alert through the load balancer, asks on one replica, is decided on the other, and contains (log-only)', async () => {
    const [api1, api2] = cluster.ports.apis.map((p) => `http://127.0.0.1:${p}`) as [string, string];
    const sent = await call(cluster.url, 'POST', '/v1/alerts', tokens.source as string, { ...c2Finding({ uid: 'cluster-1' }), time: Date.now() });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const caseId = sent.body.caseId as string;
    const asked = await until('the approval is asked', async () => {
      const c = await call(api1, 'GET', `/v1/cases/${caseId}`, tokens.analyst as string);
      return c.body?.status === 'awaiting_approval' ? c.body : undefined;
    });
    const approval = asked.approvals.find((a: { status: string }) => a.status === 'pending');
    const decided = await call(api2, 'POST', `/v1/cases/${caseId}/approvals/${approval.id}`, tokens.analyst as string, { decision: 'approve', comment: 'from the other replica' });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const done = await until('the case is contained', async () => {
      const c = await call(api1, 'GET', `/v1/cases/${caseId}`, tokens.analyst as string);
      return c.body?.status === 'contained' ? c.body : undefined;
    });
    assert.ok(done.timeline.some((t: { step: string; message: string }) => t.step === 'contain' && /simulated/.test(t.message)), 'log-only: the block is recorded as simulated');
    // The case and its record live in PostgreSQL, Temporal's history in its own PostgreSQL database.
    const search = await call(cluster.url, 'GET', `/v1/cases?q=${encodeURIComponent('web-1.corp.test')}`, tokens.viewer as string);
    assert.ok(search.body.cases.some((c: { caseId: string }) => c.caseId === caseId));
  });

  it('keeps taking alerts while an API replica is killed: every acknowledged alert is stored once', async () => {
    const acknowledged: string[] = [];
    const sending = (async () => {
      for (let i = 0; i < 60; i++) {
        const res = await call(cluster.url, 'POST', '/v1/alerts', tokens.source as string, { ...c2Finding({ uid: `cluster-kill-${i}`, hostname: `h${i}.corp.test`, hostIp: `10.60.0.${i}` }), time: Date.now() }).catch(() => undefined);
        if (res?.status === 202) acknowledged.push(res.body.alertId);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await new Promise((r) => setTimeout(r, 800));
    cluster.apis[0]?.kill9();
    await sending;
    assert.ok(acknowledged.length >= 50, `acknowledged ${acknowledged.length} of 60 with one replica down`);
    for (const id of acknowledged) {
      const got = await call(cluster.url, 'GET', `/v1/alerts/${id}`, tokens.viewer as string);
      assert.equal(got.status, 200, `alert ${id} acknowledged and stored`);
    }
  });

  it('stops in order and leaves no port held', async () => {
    await cluster.stop();
    const p = cluster.ports;
    for (const port of [p.balancer, ...p.apis, p.postgres, p.temporal.frontend]) assert.equal(await portFree(port), true, `port ${port}`);
  });
});
