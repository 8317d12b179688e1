// Forensic imaging for real: dc3dd and dcfldd copy a file image and a loop device; the image's
// hash is checked against what the tool read; the chain of custody records it once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createImagingActivities } from '../../activities/imaging/index.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';

describe('disk imaging with dc3dd and dcfldd (real tools, real loop device)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-imaging-'));
  const evidenceDir = path.join(dir, 'evidence');
  const source = path.join(dir, 'disk.raw');
  let sourceSha = '';
  let loop: string | undefined;
  before(() => {
    const data = randomBytes(24 * 1024 * 1024);
    fs.writeFileSync(source, data);
    sourceSha = createHash('sha256').update(data).digest('hex');
    try {
      loop = execFileSync('losetup', ['--find', '--show', '--read-only', source], { encoding: 'utf8' }).trim();
    } catch {
      loop = undefined; // no loop devices here (not root, or a container without them)
    }
  });
  after(() => {
    if (loop) execFileSync('losetup', ['--detach', loop]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const acts = () => createImagingActivities({ evidenceDir, heartbeatMs: 20 });
  const custody = () => fs.readFileSync(path.join(evidenceDir, 'custody.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  it('dc3dd images a file with SHA-256, verifies the copy, heartbeats progress and records custody', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const beats: Array<{ bytes: number }> = [];
    env.on('heartbeat', (d: { bytes: number }) => beats.push(d));
    const record = await runActivity(env, acts().imagingAcquireDisk, { device: source, caseId: 'cs_1', requestedBy: 'suspected-c2-cs_1 (approved by alice)', idempotencyKey: 'suspected-c2-cs_1:image-disk' });
    assert.equal(record.sha256, sourceSha);
    assert.equal(record.verifiedSha256, sourceSha);
    assert.equal(record.bytes, 24 * 1024 * 1024);
    assert.equal(record.tool, 'dc3dd');
    assert.match(record.toolVersion, /^\d+\.\d+/);
    assert.equal(createHash('sha256').update(fs.readFileSync(fileURLToPath(record.uri))).digest('hex'), sourceSha);
    assert.ok(beats.length >= 1, 'progress was heartbeated');
    const ledger = custody();
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0].event, 'acquired');
    assert.equal(ledger[0].requestedBy, 'suspected-c2-cs_1 (approved by alice)');
  });

  it('a retry after success returns the same evidence without imaging again', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const input = { device: source, caseId: 'cs_1', requestedBy: 'suspected-c2-cs_1', idempotencyKey: 'suspected-c2-cs_1:image-disk' };
    const again = await runActivity(env, acts().imagingAcquireDisk, input);
    assert.equal(again.sha256, sourceSha);
    assert.equal(custody().filter((e) => e.event === 'acquired').length, 1, 'acquired once');
  });

  it('a partial image left by a worker that died mid-copy is discarded and taken again', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const key = 'wf-2:image-disk';
    const evidenceId = `ev_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
    fs.mkdirSync(path.join(evidenceDir, 'cs_2'), { recursive: true });
    fs.writeFileSync(path.join(evidenceDir, 'cs_2', `${evidenceId}.img`), randomBytes(1000));
    const record = await runActivity(env, acts().imagingAcquireDisk, { device: source, tool: 'dcfldd', caseId: 'cs_2', requestedBy: 'wf-2', idempotencyKey: key });
    assert.equal(record.evidenceId, evidenceId);
    assert.equal(record.tool, 'dcfldd');
    assert.equal(record.verifiedSha256, sourceSha);
  });

  it('images a real block device (loop device) with dcfldd', { skip: !fs.existsSync('/sbin/losetup') && !fs.existsSync('/usr/sbin/losetup') }, async () => {
    assert.ok(loop, 'a loop device could be attached (tests run as root)');
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const record = await runActivity(env, acts().imagingAcquireDisk, { device: loop, tool: 'dcfldd', caseId: 'cs_3', requestedBy: 'wf-3', idempotencyKey: 'wf-3:image-disk' });
    assert.equal(record.sha256, sourceSha);
    assert.equal(record.source.device, loop);
    assert.equal(record.bytes, 24 * 1024 * 1024);
  });

  it('verifies evidence later, and notices tampering', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const record = await runActivity(env, acts().imagingAcquireDisk, { device: source, caseId: 'cs_4', requestedBy: 'wf-4', idempotencyKey: 'wf-4:image-disk' });
    assert.equal((await runActivity(env, acts().imagingVerifyEvidence, { uri: record.uri, sha256: record.sha256 })).intact, true);
    const fd = fs.openSync(fileURLToPath(record.uri), 'r+');
    fs.writeSync(fd, Buffer.from('tampered'), 0, 8, 4096);
    fs.closeSync(fd);
    assert.equal((await runActivity(env, acts().imagingVerifyEvidence, { uri: record.uri, sha256: record.sha256 })).intact, false);
  });

  it('refuses a missing device, an unsafe case id or a path outside the evidence directory', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const base = { caseId: 'cs_5', requestedBy: 'wf-5', idempotencyKey: 'wf-5:image' };
    assert.equal((await rejection(() => runActivity(env, acts().imagingAcquireDisk, { ...base, device: '/dev/does-not-exist' }))).type, 'InvalidObservableError');
    assert.equal((await rejection(() => runActivity(env, acts().imagingAcquireDisk, { ...base, device: source, caseId: '../etc' }))).type, 'InvalidObservableError');
    // `..` and `.` as a whole case id would name the evidence directory's parent, or itself.
    for (const caseId of ['..', '.', '.hidden']) assert.equal((await rejection(() => runActivity(env, acts().imagingAcquireDisk, { ...base, device: source, caseId }))).type, 'InvalidObservableError', caseId);
    // Only configured devices: the worker's imaging takes RIPOSTE_IMAGING_DEVICES (or RIPOSTE_IMAGING_DEVICE).
    const onlyOne = createImagingActivities({ evidenceDir, heartbeatMs: 20, devices: ['/dev/sdz'] });
    const refused = await rejection(() => runActivity(env, onlyOne.imagingAcquireDisk, { ...base, device: source }));
    assert.equal(refused.type, 'InvalidObservableError');
    assert.match(refused.message, /not a device Riposte may image/);
    assert.equal(fs.readdirSync(evidenceDir).includes('cs_5'), false, 'nothing was written');
    assert.equal((await rejection(() => runActivity(env, acts().imagingVerifyEvidence, { uri: 'file:///etc/passwd', sha256: 'x' }))).type, 'InvalidObservableError');
  });
});

describe('remote disk imaging over SSH (real sshd on loopback)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-ssh-imaging-'));
  const evidenceDir = path.join(dir, 'evidence');
  const source = path.join(dir, 'remote-disk.raw');
  let sshd: Sshd;
  let sha = '';
  before(async () => {
    const data = randomBytes(8 * 1024 * 1024);
    fs.writeFileSync(source, data);
    sha = createHash('sha256').update(data).digest('hex');
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('streams the remote image over SSH, verifies its hash, and records the remote host', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const acts = createImagingActivities({ evidenceDir, heartbeatMs: 20, ssh: { key: sshd.key, knownHosts: sshd.knownHosts, user: 'root', port: sshd.port } });
    for (const tool of ['dc3dd', 'dcfldd'] as const) {
      const record = await runActivity(env, acts.imagingAcquireDisk, { device: source, host: '127.0.0.1', tool, caseId: 'cs_9', requestedBy: 'wf-9', idempotencyKey: `wf-9:image:${tool}` });
      assert.equal(record.sha256, sha, tool);
      assert.equal(record.verifiedSha256, sha, tool);
      assert.equal(record.source.host, '127.0.0.1');
      assert.equal(record.bytes, 8 * 1024 * 1024);
    }
  });

  it('refuses a host whose key is not pinned, and a device path a remote shell could misread', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const empty = path.join(dir, 'empty_known_hosts');
    fs.writeFileSync(empty, '');
    const acts = createImagingActivities({ evidenceDir, ssh: { key: sshd.key, knownHosts: empty, user: 'root', port: sshd.port } });
    const err = await rejection(() => runActivity(env, acts.imagingAcquireDisk, { device: source, host: '127.0.0.1', caseId: 'cs_10', requestedBy: 'wf-10', idempotencyKey: 'wf-10:image' }));
    assert.equal(err.type, 'IntegrationUnavailableError');
    assert.match(err.message, /ssh to 127.0.0.1 failed/);
    const bad = await rejection(() => runActivity(env, acts.imagingAcquireDisk, { device: '/dev/sda;reboot', host: '127.0.0.1', caseId: 'cs_10', requestedBy: 'wf-10', idempotencyKey: 'wf-10:image2' }));
    assert.equal(bad.type, 'InvalidObservableError');
  });
});
