// `npm start` for real: the embedded stack comes up, Ctrl-C stops all of it, starting again
// resumes a playbook that was waiting for approval, and cases read intact after Temporal's
// history is gone.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, portFree } from '../../scripts/dev-server.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { PLAYBOOK_ALERTS } from '../helpers/playbook-alerts.ts';
import { waitFor } from '../helpers/temporal.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm start: the embedded stack', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-start-'));
  let ports: { api: number; temporal: number; ui: number; metrics?: number };

  /** Every launcher started, each in its own process group: a failed test leaves nothing running. */
  const started: ChildProcess[] = [];
  after(() => {
    for (const child of started) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The launcher itself, or `npm start` as a user (or systemd, or a script) runs it. */
  async function start(via: 'node' | 'npm' = 'node') {
    const [file, args] = via === 'npm' ? ['npm', ['start', '--silent']] : [process.execPath, ['--import', 'tsx', 'scripts/start.ts']];
    const child = spawn(file, args, {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        RIPOSTE_TEMPORAL_CLI: process.env.RIPOSTE_TEMPORAL_CLI,
        RIPOSTE_DATA_DIR: dataDir,
        RIPOSTE_PORT: String(ports.api),
        RIPOSTE_TEMPORAL_PORT: String(ports.temporal),
        RIPOSTE_TEMPORAL_UI_PORT: String(ports.ui),
        RIPOSTE_LOG_FORMAT: 'json',
        ...(ports.metrics ? { RIPOSTE_WORKER_METRICS_PORT: String(ports.metrics) } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    started.push(child);
    let out = '';
    child.stdout?.on('data', (d) => (out += String(d)));
    child.stderr?.on('data', (d) => (out += String(d)));
    const current = { child, output: () => out };
    await waitFor(async () => out, (o) => o.includes('Riposte is running.') || child.exitCode !== null, 120_000, 'the start banner');
    assert.ok(out.includes('Riposte is running.'), out);
    return current;
  }

  async function stop(proc: { child: ChildProcess; output: () => string }, signal: NodeJS.Signals = 'SIGINT') {
    const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
    proc.child.kill(signal);
    return exited;
  }

  const api = (p: string, token: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${ports.api}${p}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  it('starts, prints where everything is, stops on Ctrl-C, resumes a waiting playbook when started again through npm, outlives its dev server being killed, and stops whole on SIGTERM to npm', async () => {
    ports = { api: await freePort(), temporal: await freePort(), ui: await freePort(), metrics: await freePort() };
    const first = await start();
    const banner = first.output();
    assert.match(banner, new RegExp(`API +http://127\\.0\\.0\\.1:${ports.api}`));
    assert.match(banner, new RegExp(`Temporal UI +http://127\\.0\\.0\\.1:${ports.ui}`));
    assert.match(banner, new RegExp(`Tokens +${path.join(dataDir, 'tokens.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.match(banner, /Containment +log-only/);
    assert.match(banner, new RegExp(`Console +http://127\\.0\\.0\\.1:${ports.api}/`));
    const page = await fetch(`http://127.0.0.1:${ports.api}/`);
    assert.equal(page.status, 200, 'npm start serves the console it built');
    assert.match(await page.text(), /\/console\/app\.js/);
    assert.equal((await fetch(`http://127.0.0.1:${ports.api}/console/app.js`)).status, 200);
    const tokens = JSON.parse(fs.readFileSync(path.join(dataDir, 'tokens.json'), 'utf8'));
    assert.ok(!banner.includes(tokens.analyst) && !banner.includes(tokens.source), 'tokens are never printed');

    const posted = await api('/v1/alerts', tokens.source, c2Finding({ uid: 'npm-start-resume' }));
    assert.equal(posted.status, 202);
    const caseId = posted.body.caseId;
    await waitFor(() => api(`/v1/cases/${caseId}`, tokens.analyst), (r) => r.body.status === 'awaiting_approval', 30_000, 'awaiting_approval');

    assert.equal(await stop(first), 0, first.output());
    for (const port of Object.values(ports)) assert.equal(await portFree(port), true, `port ${port} is released`);

    // Started through npm this time, as a user (or systemd, or a script) does.
    const second = await start('npm');
    const resumed = await waitFor(() => api(`/v1/cases/${caseId}`, tokens.analyst), (r) => r.status === 200, 30_000, 'the case after restart');
    assert.equal(resumed.body.status, 'awaiting_approval', 'the playbook is still waiting where it was');

    // The dev server dies (kill -9): the launcher starts it again on its file; the run waits on.
    const devServerPid = () => {
      const found = spawnSync('pgrep', ['-f', '--', `db-filename ${path.join(dataDir, 'temporal.db')}`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
      return found.length === 1 ? Number(found[0]) : undefined;
    };
    const killed = devServerPid();
    assert.ok(killed, 'the dev server runs');
    process.kill(killed, 'SIGKILL');
    await waitFor(async () => second.output(), (o) => /the Temporal dev server exited \(SIGKILL\); restarting it/.test(o), 10_000, 'the launcher to notice');
    await waitFor(async () => devServerPid(), (pid) => pid !== undefined && pid !== killed, 60_000, 'the dev server started again');
    // The decision needs the run, so Temporal and the worker: asked until they are back.
    const decided = await waitFor(() => api(`/v1/cases/${caseId}/approvals/contain-egress`, tokens.analyst, { decision: 'approve' }), (r) => r.status !== 503, 60_000, 'a worker to take the decision');
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const done = await waitFor(() => api(`/v1/cases/${caseId}`, tokens.analyst), (r) => r.body.status === 'contained', 30_000, 'contained');
    assert.ok(done.body.timeline.some((t: { message: string }) => /log-only/.test(t.message)), 'the timeline says which driver acted');
    // The worker's own Prometheus series, on the port it was given.
    const scraped = await waitFor(() => fetch(`http://127.0.0.1:${ports.metrics}/metrics`).then((r) => r.text()), (t) => /riposte_playbook_runs_total\{playbook="suspected-c2",outcome="contained"\} 1/.test(t), 10_000, 'the worker metrics');
    assert.match(scraped, /riposte_approval_decision_seconds_count\{playbook="suspected-c2",outcome="approved"\} 1/);
    // SIGTERM to the npm process (systemd, `timeout`, `docker stop`): the whole stack stops in order, nothing keeps a port.
    assert.equal(await stop(second, 'SIGTERM'), 0, second.output());
    assert.match(second.output(), /riposte: stopped/);
    for (const port of Object.values(ports)) assert.equal(await waitFor(() => portFree(port), (free) => free, 10_000, `port ${port} released`), true);
  });

  it('runs every playbook end to end from an alert over HTTP, log-only: each asks, is approved, says nothing was changed — and every case reads the same after the dev server\u2019s database is deleted', async () => {
    ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
    const running = await start();
    const tokens = JSON.parse(fs.readFileSync(path.join(dataDir, 'tokens.json'), 'utf8'));
    const catalog = await api('/v1/playbooks', tokens.analyst);
    assert.deepEqual(catalog.body.playbooks.map((p: { name: string }) => p.name).sort(), ['aws-credential-compromise', 'aws-instance-compromise', 'ioc-sweep', 'malware-on-endpoint', 'never-seen-domain', 'suspected-c2']);
    let n = 1000;
    const cases: string[] = [];
    const approved: string[] = [];
    for (const kind of PLAYBOOK_ALERTS) {
      const { path: p, body } = kind.alert(n++);
      const posted = await api(p, tokens.source, body);
      assert.equal(posted.status, 202, `${kind.playbook}: ${JSON.stringify(posted.body)}`);
      const caseId = posted.body.caseId ?? posted.body.results[0].caseId;
      cases.push(caseId);
      const ran = await waitFor(
        () => api(`/v1/cases/${caseId}`, tokens.analyst),
        (r) => r.body.playbooks?.some((pb: { playbook: string }) => pb.playbook === kind.playbook) && ['awaiting_approval', 'closed'].includes(r.body.status),
        60_000,
        `${kind.playbook} to ask or close`
      );
      if (!kind.approval) {
        assert.equal(ran.body.status, 'closed', `${kind.playbook} closes without asking when nothing is configured to judge it`);
        continue;
      }
      const approval = ran.body.pendingApprovals.find((a: { id: string }) => a.id === kind.approval);
      assert.ok(approval, `${kind.playbook} asks ${kind.approval}: ${JSON.stringify(ran.body.timeline.map((t: { message: string }) => t.message))}`);
      assert.equal((await api(`/v1/cases/${caseId}/approvals/${approval.id}`, tokens.analyst, { decision: 'approve' })).status, 200);
      approved.push(caseId);
      const done = await waitFor(() => api(`/v1/cases/${caseId}`, tokens.analyst), (r) => ['contained', 'closed', 'failed'].includes(r.body.status) && r.body.pendingApprovals.length === 0, 60_000, `${kind.playbook} to finish`);
      assert.equal(done.body.status, 'contained', `${kind.playbook}: ${JSON.stringify(done.body.timeline.map((t: { message: string }) => t.message))}`);
      assert.equal(done.body.containment.simulated, true, `${kind.playbook}: log-only, nothing was changed`);
      assert.ok(done.body.actions.length > 0 && done.body.actions.every((a: { simulated: boolean }) => a.simulated));
    }
    const dry = await api('/v1/playbooks/ioc-sweep/dry-run', tokens.analyst, { alert: c2Finding({ uid: 'npm-start-sweep' }) });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    const before = await Promise.all(cases.map((id) => api(`/v1/cases/${id}`, tokens.analyst)));
    const reports = await Promise.all(cases.map((id) => api(`/v1/cases/${id}/report?format=json`, tokens.analyst)));
    const summary = await api('/v1/metrics/summary?groupBy=playbook', tokens.analyst);
    assert.ok(summary.body.groups.length >= 5, JSON.stringify(summary.body));
    const decisions = (await api(`/v1/audit?action=decideApproval&limit=100`, tokens.admin)).body.entries;
    for (const id of approved) assert.ok(decisions.some((e: { caseId?: string; outcome: string; actor: string }) => e.caseId === id && e.outcome === 'ok' && e.actor === 'analyst'), `case ${id}'s approval is in the audit trail: ${JSON.stringify(decisions)}`);
    assert.equal(await stop(running), 0);

    // Temporal's history gone (retention ended, or the dev server's file lost): every case reads the same.
    for (const f of fs.readdirSync(dataDir).filter((f) => f.startsWith('temporal.db'))) fs.rmSync(path.join(dataDir, f));
    const again = await start();
    for (const [i, id] of cases.entries()) {
      const after = await api(`/v1/cases/${id}`, tokens.analyst);
      assert.equal(after.status, 200);
      assert.deepEqual(after.body, before[i]?.body, `case ${id} reads intact without its workflows' history`);
      const { generatedAt: _now, ...report } = (await api(`/v1/cases/${id}/report?format=json`, tokens.analyst)).body;
      const { generatedAt: _then, ...reportBefore } = reports[i]?.body ?? {};
      assert.deepEqual(report, reportBefore, `case ${id}'s report too (but for when it was generated)`);
    }
    assert.deepEqual((await api('/v1/metrics/summary?groupBy=playbook', tokens.analyst)).body.groups, summary.body.groups, 'the timings too');
    const trail = (await api(`/v1/audit?action=decideApproval&limit=100`, tokens.admin)).body.entries;
    assert.deepEqual(trail, decisions, 'and the audit trail');
    const prometheus = await fetch(`http://127.0.0.1:${ports.api}/metrics`, { headers: { authorization: `Bearer ${tokens.viewer}` } }).then((r) => r.text());
    for (const series of ['riposte_alerts_ingested_total', 'riposte_dispatch_lag_seconds', 'riposte_alert_backlog', 'riposte_approvals_pending', 'riposte_sla_breaches_total', 'riposte_suppression_hits_total']) assert.match(prometheus, new RegExp(`^# TYPE ${series} `, 'm'), series);
    assert.equal(await stop(again), 0);
  });
});
