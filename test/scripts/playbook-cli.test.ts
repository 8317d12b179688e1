// The playbook kit from the shell: `npm run playbook -- dry-run` runs this checkout's playbook with
// every side effect recorded (a real worker on the test run's dev server), and `new` scaffolds a
// playbook that works as written — bundled with the real library and run on the dev server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { camel, scaffold } from '../../scripts/playbook/scaffold.ts';
import { c2Finding, playbookInput } from '../helpers/alerts.ts';
import { startPlaybookHarness } from '../helpers/playbooks.ts';
import { testTelemetry } from '../helpers/temporal.ts';
import { c2Alert } from '../helpers/alerts.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run playbook', () => {
  it('dry-run prints what the playbook would do, and changes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-cli-'));
    const alert = path.join(dir, 'alert.json');
    fs.writeFileSync(alert, JSON.stringify(c2Finding({ uid: 'cli-1', severity_id: 4 })));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/playbook.ts', 'dry-run', 'suspected-c2', alert], {
      cwd: root,
      env: { ...process.env, RIPOSTE_DATA_DIR: dir, RIPOSTE_LOG_LEVEL: 'error' },
      timeout: 120_000,
    });
    assert.match(stdout, /suspected-c2 v2 — dry run: nothing was changed, no case was created/);
    assert.match(stdout, /approval\s+dry run: block egress from 10\.20\.0\.5 to 203\.0\.113\.7: approved/);
    assert.match(stdout, /Would do:\n {2}- block egress from 10\.20\.0\.5 to 203\.0\.113\.7 \(log-only; undo: unblock-egress\)/);
    assert.match(stdout, /Not configured:/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dry-run refuses an unknown playbook and an alert that does not read', async () => {
    const err = await run(process.execPath, ['--import', 'tsx', 'scripts/playbook.ts', 'dry-run', 'nope', 'package.json'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((err as { code: number }).code, 1);
    assert.match((err as { stderr: string }).stderr, /no playbook nope/);
    const bad = await run(process.execPath, ['--import', 'tsx', 'scripts/playbook.ts', 'dry-run', 'suspected-c2', 'package.json'], { cwd: root }).catch((e: { stderr: string }) => e);
    assert.match((bad as { stderr: string }).stderr, /the alert does not read as/);
  });

  it('new scaffolds a playbook, its test and its doc page, registers it, and the scaffold runs as written', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-scaffold-'));
    for (const f of ['workflows/playbooks/index.ts', 'workflows/index.ts']) {
      fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
      fs.copyFileSync(path.join(root, f), path.join(tmp, f));
    }
    const made = scaffold(tmp, 'lateral-probe');
    assert.equal(made.workflowType, 'lateralProbePlaybook');
    assert.ok(fs.existsSync(path.join(tmp, 'workflows/playbooks/lateral-probe.ts')));
    assert.ok(fs.existsSync(path.join(tmp, 'test/workflows/lateral-probe.test.ts')));
    assert.match(fs.readFileSync(path.join(tmp, 'docs/playbooks/lateral-probe.md'), 'utf8'), /RIPOSTE_LATERAL_PROBE_APPROVAL_TIMEOUT/);
    assert.match(fs.readFileSync(path.join(tmp, 'workflows/playbooks/index.ts'), 'utf8'), /\{ meta: lateralProbe, workflowType: 'lateralProbePlaybook', workflow: lateralProbePlaybook \},\n\];/);
    assert.match(fs.readFileSync(path.join(tmp, 'workflows/index.ts'), 'utf8'), /export \{ lateralProbePlaybook \} from '\.\/playbooks\/lateral-probe\.ts';\n$/);
    assert.throws(() => scaffold(tmp, 'lateral-probe'), /exists already/);
    assert.throws(() => scaffold(tmp, 'Bad_Name'), /kebab-case/);
    assert.equal(camel('aws-instance-compromise'), 'awsInstanceCompromise');

    // The scaffolded playbook, bundled beside the real library, runs on the dev server as its own test says.
    const name = `zz-scaffold-probe-${process.pid}`;
    const file = path.join(root, 'workflows/playbooks', `${name}.ts`);
    const index = path.join(root, 'workflows', `${name}-index.ts`);
    fs.writeFileSync(file, fs.readFileSync(path.join(tmp, 'workflows/playbooks/lateral-probe.ts'), 'utf8').replaceAll('lateral-probe', name));
    fs.writeFileSync(index, `export * from './index.ts';\nexport { lateralProbePlaybook } from './playbooks/${name}.ts';\n`);
    let pb;
    try {
      const { code } = await bundleWorkflowCode({ workflowsPath: index, plugins: [testTelemetry().temporalPlugin], logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
      pb = await startPlaybookHarness('scaffold', { deps: {}, overridesForWorker: { workflowBundle: { code } } });
      const h = await pb.start('lateralProbePlaybook', playbookInput({ ...c2Alert({ remoteIp: '203.0.113.7', severity_id: 4 }), rule: { name, uid: name } }));
      await pb.awaitingApproval(h);
      await pb.decide(h, 'contain-egress', 'approve');
      const done = await pb.result(h);
      assert.equal(done.status, 'contained');
      assert.deepEqual(pb.egress.blocks.map((b) => b.addresses), [['203.0.113.7']]);
    } finally {
      await pb?.stop();
      fs.rmSync(file, { force: true });
      fs.rmSync(index, { force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
