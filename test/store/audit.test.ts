// The audit log's promises: entries chain, filters find them by index, and verify names the
// first entry that was altered or removed behind the store's back — including when the API and a
// CLI append to the same file at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AuditLog, GENESIS, auditFile, canonicalJson, type NewAuditEntry } from '../../store/audit.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function entry(i: number, over: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    at: new Date(Date.UTC(2026, 11, 1, 10, 0, i)).toISOString(),
    actor: i % 2 ? 'alice' : 'bob',
    role: 'analyst',
    action: i % 3 ? 'approval.decide' : 'case.undo',
    target: `case:cs_${i % 2}/approval:contain-egress`,
    caseId: `cs_${i % 2}`,
    outcome: 'ok',
    status: 200,
    from: '10.0.0.9',
    detail: { decision: 'approve', n: i },
    ...over,
  };
}

/** Edits the file as someone with write access to it would: a raw connection, triggers dropped. */
function tamper(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
    assert.equal(db.prepare(sql).run(...params).changes, 1);
  } finally {
    db.close();
  }
}

describe('the audit log', () => {
  let dir: string;
  let file: string;
  const open: AuditLog[] = [];
  const log = (options?: { readonly?: boolean }) => {
    const l = new AuditLog(file, options);
    open.push(l);
    return l;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-audit-test-'));
    file = auditFile(dir);
  });
  afterEach(() => {
    for (const l of open.splice(0)) {
      try {
        l.close();
      } catch {}
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('chains each entry to the one before, in the documented format, and keeps them across reopening', () => {
    const a = log();
    const first = a.append({ at: '2026-12-01T10:00:00Z', actor: 'alice', action: 'case.verdict', caseId: 'cs_1', outcome: 'ok', detail: { z: 1, a: { y: [2, { d: 1, c: 0 }], x: null } } });
    assert.equal(first.seq, 1);
    assert.equal(first.prev, GENESIS);
    assert.equal(first.at, '2026-12-01T10:00:00.000Z', 'times are stored as UTC ISO so they compare as strings');
    // Pinned by hand, so that a verifier written elsewhere can follow the same recipe.
    const text = '{"action":"case.verdict","actor":"alice","at":"2026-12-01T10:00:00.000Z","caseId":"cs_1","detail":{"a":{"x":null,"y":[2,{"c":0,"d":1}]},"z":1},"outcome":"ok","prev":"' + GENESIS + '","seq":1}';
    assert.equal(first.hash, createHash('sha256').update(`${GENESIS}\n${text}`).digest('hex'));
    const added = [first, ...[2, 3, 4].map((i) => a.append(entry(i)))];
    added.forEach((e, i) => {
      assert.equal(e.seq, i + 1);
      if (i > 0) assert.equal(e.prev, added[i - 1]?.hash);
    });
    a.close();
    const again = log();
    assert.deepEqual(again.list().reverse(), added, 'an entry reads back exactly as append returned it');
    assert.deepEqual(again.verify(), { ok: true, entries: 4 });
  });

  it('canonical JSON does not depend on key order', () => {
    assert.equal(canonicalJson({ b: [{ y: 1, x: 2 }], a: 'é', c: undefined }), '{"a":"é","b":[{"x":2,"y":1}]}');
    assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
  });

  it('finds entries by actor, case, action and time, newest first, and pages with a seq cursor', () => {
    const a = log();
    for (let i = 1; i <= 12; i++) a.append(entry(i));
    const seqs = (f: Parameters<AuditLog['list']>[0]) => a.list(f).map((e) => e.seq);
    assert.deepEqual(seqs({}), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual(seqs({ actor: 'alice' }), [11, 9, 7, 5, 3, 1]);
    assert.deepEqual(seqs({ caseId: 'cs_0' }), [12, 10, 8, 6, 4, 2]);
    assert.deepEqual(seqs({ action: 'case.undo' }), [12, 9, 6, 3]);
    assert.deepEqual(seqs({ actor: 'alice', action: 'case.undo' }), [9, 3]);
    assert.deepEqual(seqs({ since: '2026-12-01T10:00:10Z' }), [12, 11, 10]);
    assert.deepEqual(seqs({ since: '2026-12-01T10:00:03Z', until: '2026-12-01T10:00:05Z' }), [4, 3], 'since inclusive, until exclusive');
    assert.deepEqual(seqs({ limit: 5 }), [12, 11, 10, 9, 8]);
    assert.deepEqual(seqs({ limit: 5, before: 8 }), [7, 6, 5, 4, 3]);
    assert.deepEqual(seqs({ actor: 'bob', limit: 2, before: 8 }), [6, 4]);
    assert.deepEqual(seqs({ actor: 'nobody' }), []);
    assert.throws(() => a.list({ limit: 0 }), RangeError);
    assert.throws(() => a.list({ before: Number.NaN }), RangeError);
    assert.throws(() => a.list({ since: 'yesterday' }), /since is not a time/);
  });

  it('returns at most 100 entries by default and 1000 at most', () => {
    const a = log();
    for (let i = 0; i < 1001; i++) a.append(entry(i, { at: '2026-12-01T10:00:00.000Z' }));
    assert.equal(a.list().length, 100);
    assert.equal(a.list({ limit: 5000 }).length, 1000);
    assert.deepEqual(a.verify(), { ok: true, entries: 1001 });
  });

  it('uses the indexes for the filters', () => {
    const db = new Database(log().file, { readonly: true });
    try {
      const plan = (where: string) => db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM audit WHERE ${where} ORDER BY seq DESC LIMIT 100`).all().map((r) => (r as { detail: string }).detail).join('; ');
      assert.match(plan("actor = 'a' AND seq < 9"), /USING INDEX audit_actor/);
      assert.match(plan("case_id = 'c'"), /USING INDEX audit_case/);
      assert.match(plan("action = 'x'"), /USING INDEX audit_action/);
      assert.doesNotMatch(plan("actor = 'a'"), /TEMP B-TREE/, 'no sort: the index is already in seq order');
    } finally {
      db.close();
    }
  });

  it('stores what it hashed: null optionals, odd strings and non-JSON detail still verify', () => {
    const a = log();
    a.append({ ...entry(1), role: null as unknown as string, target: undefined, actor: 'x\ud800y', from: 'a\u0000b', detail: { when: new Date(0), gone: undefined, big: 1e21, neg: -0 } });
    const [got] = a.list();
    assert.equal(got?.actor, 'x\ufffdy', 'a lone surrogate cannot be stored as UTF-8');
    assert.equal('role' in (got ?? {}), false);
    assert.deepEqual(got?.detail, { when: '1970-01-01T00:00:00.000Z', big: 1e21, neg: 0 });
    assert.deepEqual(a.verify(), { ok: true, entries: 1 });
    assert.throws(() => a.append({ ...entry(2), status: 403.5 }), /status/);
    assert.throws(() => a.append({ ...entry(2), actor: '' }), /actor/);
    assert.throws(() => a.append({ ...entry(2), at: 'soon' }), /at is not a time/);
    assert.throws(() => a.append({ ...entry(2), caseId: 7 as unknown as string }), /caseId/);
    assert.equal(a.list().length, 1, 'a refused entry leaves nothing behind');
  });

  it('refuses UPDATE and DELETE through an ordinary connection', () => {
    log().append(entry(1));
    const db = new Database(file);
    try {
      assert.throws(() => db.prepare("UPDATE audit SET outcome = 'ok'").run(), /append-only/);
      assert.throws(() => db.prepare('DELETE FROM audit').run(), /append-only/);
    } finally {
      db.close();
    }
  });

  it('names the entry whose stored field was changed', () => {
    const a = log();
    for (let i = 1; i <= 5; i++) a.append(entry(i, { outcome: i === 3 ? 'refused' : 'ok', status: i === 3 ? 403 : 200 }));
    assert.deepEqual(a.verify(), { ok: true, entries: 5 });
    tamper(file, "UPDATE audit SET outcome = 'ok' WHERE seq = 3");
    const v = a.verify();
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.firstBad, 3);
    assert.match(!v.ok ? v.reason : '', /hash does not match its content/);
    assert.equal(v.entries, 5);
  });

  it('names the next entry when the altered one was re-hashed to hide it', () => {
    const a = log();
    for (let i = 1; i <= 5; i++) a.append(entry(i));
    const third = a.list({ before: 4, limit: 1 })[0]!;
    const { hash: _old, ...body } = { ...third, outcome: 'failed' };
    const rehashed = createHash('sha256').update(`${body.prev}\n${canonicalJson(body)}`).digest('hex');
    tamper(file, "UPDATE audit SET outcome = 'failed', hash = ? WHERE seq = 3", rehashed);
    const v = a.verify();
    assert.deepEqual(v.ok ? v : { firstBad: v.firstBad, reason: v.reason }, { firstBad: 4, reason: 'prev is not the hash of entry 3' });
  });

  it('names an entry deleted from the middle, and from the end — even after more appends', () => {
    const a = log();
    for (let i = 1; i <= 5; i++) a.append(entry(i));
    tamper(file, 'DELETE FROM audit WHERE seq = 3');
    let v = a.verify();
    assert.deepEqual(v, { ok: false, entries: 4, firstBad: 3, reason: 'missing entry 3 (the next is 4)' });

    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const b = log();
    for (let i = 1; i <= 5; i++) b.append(entry(i));
    tamper(file, 'DELETE FROM audit WHERE seq = 5');
    v = b.verify();
    assert.deepEqual(v, { ok: false, entries: 4, firstBad: 5, reason: 'missing entry 5 (entries up to 5 were written)' });
    const next = b.append(entry(6));
    assert.equal(next.seq, 6, 'the removed seq is not reused, so the gap stays in the chain');
    v = b.verify();
    assert.equal(!v.ok && v.firstBad, 5);
    assert.match(!v.ok ? v.reason : '', /missing entry 5/);
  });

  it('keeps one chain when two connections append interleaved', () => {
    const a = log();
    const b = log();
    for (let i = 1; i <= 20; i++) (i % 2 ? a : b).append(entry(i, { actor: i % 2 ? 'api' : 'cli' }));
    const all = log().list().reverse();
    assert.deepEqual(all.map((e) => e.seq), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(all.map((e) => e.actor).slice(0, 4), ['api', 'cli', 'api', 'cli']);
    all.forEach((e, i) => assert.equal(e.prev, i === 0 ? GENESIS : all[i - 1]?.hash));
    assert.deepEqual(b.verify(), { ok: true, entries: 20 });
  });

  it('keeps one chain when several processes append at the same moment', async () => {
    log(); // create and migrate first, as the API would
    const script = path.join(dir, 'appender.mjs');
    fs.writeFileSync(
      script,
      `import { AuditLog } from ${JSON.stringify(pathToFileURL(path.join(root, 'store/audit.ts')).href)};
const [file, name, n] = process.argv.slice(2);
const log = new AuditLog(file);
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  for (let i = 0; i < Number(n); i++) log.append({ at: new Date().toISOString(), actor: name, action: 'case.verdict', outcome: 'ok', detail: { i } });
  log.close();
  process.exit(0);
});
`
    );
    const procs = ['p1', 'p2', 'p3', 'p4'].map((name) => spawn(process.execPath, ['--import', 'tsx', script, file, name, '100'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] }));
    // Start them together: each says ready once it has opened the file, then all are told to go.
    const ready = (p: (typeof procs)[number]) =>
      new Promise<void>((resolve, reject) => {
        p.once('error', reject);
        p.stdout.once('data', () => resolve());
      });
    await Promise.all(procs.map(ready));
    const exits = procs.map((p) => new Promise<number | null>((resolve) => p.once('exit', resolve)));
    for (const p of procs) p.stdin.write('go\n');
    assert.deepEqual(await Promise.all(exits), [0, 0, 0, 0]);
    const reader = log({ readonly: true });
    assert.deepEqual(reader.verify(), { ok: true, entries: 400 });
    const all = reader.list({ limit: 1000 });
    for (const name of ['p1', 'p2', 'p3', 'p4']) {
      assert.deepEqual(all.filter((e) => e.actor === name).map((e) => e.detail?.i).reverse(), Array.from({ length: 100 }, (_, i) => i));
    }
  });

  it('opens read-only only an existing audit log, and creates nothing', () => {
    const missing = path.join(dir, 'nope.db');
    assert.throws(() => new AuditLog(missing, { readonly: true }));
    assert.equal(fs.existsSync(missing), false);
    const other = path.join(dir, 'other.db');
    const raw = new Database(other);
    raw.exec('CREATE TABLE t (x)');
    assert.throws(() => new AuditLog(other, { readonly: true }), /is not an audit log/);
    assert.equal((raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'audit'").get() as { n: number }).n, 0, 'not migrated into');
    raw.close();
    const w = log();
    w.append(entry(1));
    const r = log({ readonly: true });
    assert.deepEqual(r.verify(), { ok: true, entries: 1 });
    assert.throws(() => r.append(entry(2)), /readonly/);
  });
});
