// The audit log from the shell: `scripts/audit.ts verify` says whether the chain is intact, and
// its exit code tells intact (0) from tampered (1) from could-not-look (2); `list` prints entries.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type AuditEntry, SqliteAuditLog } from '../../store/audit.ts';

const execFileP = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { RIPOSTE_AUDIT_FILE: _f, RIPOSTE_DATA_DIR: _d, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await execFileP(process.execPath, ['--import', 'tsx', 'scripts/audit.ts', ...args], {
      cwd: root,
      env: { ...inherited, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('scripts/audit.ts', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-audit-cli-'));
    file = path.join(dir, 'audit.db');
    const log = new SqliteAuditLog(file);
    for (let i = 1; i <= 5; i++) {
      await log.append({
        at: `2026-12-01T10:00:0${i}.000Z`,
        actor: i === 3 ? 'mallory' : 'alice',
        action: i === 3 ? 'approval.decide' : 'case.verdict',
        caseId: i % 2 ? 'cs_1' : 'cs_2',
        outcome: i === 3 ? 'refused' : 'ok',
        status: i === 3 ? 403 : 200,
      });
    }
    await log.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('verify: exit 0 and the count when the chain is intact', async () => {
    const r = await cli(['verify', '--file', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `audit log ${file}: 5 entries, chain intact`);
  });

  it('finds the file through RIPOSTE_AUDIT_FILE, else audit.db in RIPOSTE_DATA_DIR', async () => {
    assert.match((await cli(['verify'], { RIPOSTE_AUDIT_FILE: file })).stdout, /5 entries, chain intact/);
    assert.match((await cli(['verify'], { RIPOSTE_DATA_DIR: dir })).stdout, /5 entries, chain intact/);
  });

  it('list: matching entries as JSON lines, newest first', async () => {
    const r = await cli(['list', '--file', file, '--case', 'cs_1', '--since', '2026-12-01T10:00:02Z', '--limit', '10']);
    assert.equal(r.code, 0, r.stderr);
    const entries = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    assert.deepEqual(entries.map((e) => [e.seq, e.actor, e.outcome]), [[5, 'alice', 'ok'], [3, 'mallory', 'refused']]);
    const one = await cli(['list', '--file', file, '--actor', 'alice', '--action', 'case.verdict', '--limit', '1']);
    assert.deepEqual(one.stdout.trim().split('\n').map((l) => (JSON.parse(l) as AuditEntry).seq), [5]);
  });

  it('usage and unreadable input exit 2, and a missing file is not created', async () => {
    const unknown = await cli(['rewrite', '--file', file]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command: rewrite\nusage:/);
    assert.equal((await cli(['list', '--file', file, '--limit', 'ten'])).code, 2);
    assert.equal((await cli(['verify', '--file', file, '--bogus'])).code, 2);
    const missing = path.join(dir, 'none', 'audit.db');
    const r = await cli(['verify', '--file', missing]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), `audit log ${missing}: no such file`);
    assert.equal(fs.existsSync(path.dirname(missing)), false);
    const notAudit = path.join(dir, 'other.db');
    new Database(notAudit).close();
    const other = await cli(['verify', '--file', notAudit]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /is not an audit log/);
  });

  it('verify: exit 1 naming the entry after one was tampered with', async () => {
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET outcome = 'ok', status = 200 WHERE seq = 3").run();
    db.close();
    const r = await cli(['verify', '--file', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^audit log ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: entry 3 does not match: `));
  });
});
