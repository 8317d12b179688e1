// The audit log's promises, the same on SQLite (audit.db) and PostgreSQL (RIPOSTE_DATABASE_URL):
// entries chain, filters find them, and verify names the first entry that was altered or removed
// behind the store's back — including when several processes append at once. Then what only one
// backend has: SQLite's query plans, child processes on one file and the read-only opening;
// PostgreSQL's plans and its guards on the high-water mark.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type AuditEntry, type AuditLog, GENESIS, auditFile, canonicalJson, type NewAuditEntry, SqliteAuditLog } from '../../store/audit.ts';
import { PgAuditLog } from '../../store/postgres/audit.ts';
import { freshPg, testPostgresUrl } from '../helpers/postgres.ts';

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

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** One audit log under test, and ways around the store to reach its tables. */
interface Opened {
  /** A handle on the log: a connection (pool) of its own, as another process would have. */
  log(): Promise<AuditLog>;
  /** Runs one statement through an ordinary connection, triggers in place; the rows it changed. */
  raw(sql: string): Promise<number>;
  /** Runs one statement as someone with write access would, triggers out of the way. */
  tamper(sql: string): Promise<void>;
  close(): Promise<void>;
}

interface Backend {
  name: string;
  open(): Promise<Opened>;
  /** What a stored string holding U+0000 reads back as. */
  nul: string;
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    nul: '\u0000',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-audit-test-'));
      const file = auditFile(dir);
      const logs: AuditLog[] = [];
      const run = (sql: string, dropTriggers: boolean) => {
        const db = new Database(file);
        try {
          if (dropTriggers) db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
          return db.prepare(sql).run().changes;
        } finally {
          db.close();
        }
      };
      return {
        async log() {
          const l = new SqliteAuditLog(file);
          logs.push(l);
          return l;
        },
        async raw(sql) {
          return run(sql, false);
        },
        async tamper(sql) {
          assert.equal(run(sql, true), 1);
        },
        async close() {
          for (const l of logs) await l.close().catch(() => {});
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    nul: '\uFFFD',
    async open() {
      const first = await freshPg();
      const dbs = [first];
      const logs: AuditLog[] = [];
      const run = async (sql: string, disableTriggers: boolean) => {
        const client = new pg.Client({ connectionString: testPostgresUrl(), options: `-c search_path=${first.schema}` });
        await client.connect();
        try {
          // The table's owner may switch its triggers off, do the deed, and switch them back on.
          if (disableTriggers) await client.query('ALTER TABLE audit DISABLE TRIGGER ALL');
          try {
            return (await client.query(sql)).rowCount ?? 0;
          } finally {
            if (disableTriggers) await client.query('ALTER TABLE audit ENABLE TRIGGER ALL');
          }
        } finally {
          await client.end();
        }
      };
      return {
        async log() {
          const db = logs.length === 0 ? first : await freshPg(first.schema);
          if (db !== first) dbs.push(db);
          const l = await PgAuditLog.open(db);
          logs.push(l);
          return l;
        },
        raw: (sql) => run(sql, false),
        async tamper(sql) {
          assert.equal(await run(sql, true), 1);
        },
        async close() {
          for (const l of logs) await l.close();
          for (const d of dbs) await d.close();
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`the audit log on ${backend.name}`, () => {
    const opened: Opened[] = [];
    const open = async () => {
      const o = await backend.open();
      opened.push(o);
      return o;
    };
    afterEach(async () => {
      for (const o of opened.splice(0)) await o.close();
    });

    it('chains each entry to the one before, in the documented format, and keeps them across reopening', async () => {
      const o = await open();
      const a = await o.log();
      const first = await a.append({ at: '2026-12-01T10:00:00Z', actor: 'alice', action: 'case.verdict', caseId: 'cs_1', outcome: 'ok', detail: { z: 1, a: { y: [2, { d: 1, c: 0 }], x: null } } });
      assert.equal(first.seq, 1);
      assert.equal(first.prev, GENESIS);
      assert.equal(first.at, '2026-12-01T10:00:00.000Z', 'times are stored as UTC ISO so they compare as strings');
      // Pinned by hand, so that a verifier written elsewhere can follow the same recipe.
      const text = '{"action":"case.verdict","actor":"alice","at":"2026-12-01T10:00:00.000Z","caseId":"cs_1","detail":{"a":{"x":null,"y":[2,{"c":0,"d":1}]},"z":1},"outcome":"ok","prev":"' + GENESIS + '","seq":1}';
      assert.equal(first.hash, sha256(`${GENESIS}\n${text}`));
      const added = [first];
      for (const i of [2, 3, 4]) added.push(await a.append(entry(i)));
      added.forEach((e, i) => {
        assert.equal(e.seq, i + 1);
        if (i > 0) assert.equal(e.prev, added[i - 1]?.hash);
      });
      await a.close();
      const again = await o.log();
      assert.deepEqual((await again.list()).reverse(), added, 'an entry reads back exactly as append returned it');
      assert.deepEqual(await again.verify(), { ok: true, entries: 4 });
    });

    it('finds entries by actor, case, action and time, newest first, and pages with a seq cursor', async () => {
      const a = await (await open()).log();
      for (let i = 1; i <= 12; i++) await a.append(entry(i));
      const seqs = async (f: Parameters<AuditLog['list']>[0]) => (await a.list(f)).map((e) => e.seq);
      assert.deepEqual(await seqs({}), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      assert.deepEqual(await seqs({ actor: 'alice' }), [11, 9, 7, 5, 3, 1]);
      assert.deepEqual(await seqs({ caseId: 'cs_0' }), [12, 10, 8, 6, 4, 2]);
      assert.deepEqual(await seqs({ action: 'case.undo' }), [12, 9, 6, 3]);
      assert.deepEqual(await seqs({ actor: 'alice', action: 'case.undo' }), [9, 3]);
      assert.deepEqual(await seqs({ actor: 'Alice' }), [], 'names match exactly, case included');
      assert.deepEqual(await seqs({ since: '2026-12-01T10:00:10Z' }), [12, 11, 10]);
      assert.deepEqual(await seqs({ since: '2026-12-01T10:00:03Z', until: '2026-12-01T10:00:05Z' }), [4, 3], 'since inclusive, until exclusive');
      assert.deepEqual(await seqs({ since: '2026-12-01T11:00:03+01:00', until: '2026-12-01T10:00:05.000Z' }), [4, 3], 'any time zone, compared as UTC');
      assert.deepEqual(await seqs({ limit: 5 }), [12, 11, 10, 9, 8]);
      assert.deepEqual(await seqs({ limit: 5, before: 8 }), [7, 6, 5, 4, 3]);
      assert.deepEqual(await seqs({ actor: 'bob', limit: 2, before: 8 }), [6, 4]);
      assert.deepEqual(await seqs({ actor: 'nobody' }), []);
      await assert.rejects(a.list({ limit: 0 }), RangeError);
      await assert.rejects(a.list({ limit: 1.5 }), RangeError);
      await assert.rejects(a.list({ before: Number.NaN }), RangeError);
      await assert.rejects(a.list({ since: 'yesterday' }), /since is not a time/);
    });

    it('returns at most 100 entries by default and 1000 at most', async () => {
      const a = await (await open()).log();
      for (let i = 0; i < 1001; i++) await a.append(entry(i, { at: '2026-12-01T10:00:00.000Z' }));
      const page = await a.list();
      assert.equal(page.length, 100);
      assert.equal(page[0]?.seq, 1001, 'the newest first');
      const most = await a.list({ limit: 5000 });
      assert.equal(most.length, 1000);
      assert.equal(most.at(-1)?.seq, 2);
      assert.deepEqual(await a.verify(), { ok: true, entries: 1001 });
    });

    it('stores what it hashed: null optionals, odd strings and non-JSON detail still verify', async () => {
      const a = await (await open()).log();
      const appended = await a.append({
        ...entry(1),
        role: null as unknown as string,
        target: undefined,
        actor: 'x\ud800y',
        from: 'a\u0000b',
        caseId: 'cs_\u0000',
        detail: { when: new Date(0), gone: undefined, big: 1e21, neg: -0, nul: 'a\u0000b', lone: '\udc00', 'k\u0000': 1 },
      });
      const [got] = await a.list();
      assert.deepEqual(got, appended, 'what append returned is what reads back');
      assert.equal(got?.actor, 'x\ufffdy', 'a lone surrogate cannot be stored as UTF-8');
      assert.equal(got?.from, `a${backend.nul}b`);
      assert.equal('role' in (got ?? {}), false);
      assert.equal('target' in (got ?? {}), false);
      assert.deepEqual(got?.detail, { when: '1970-01-01T00:00:00.000Z', big: 1e21, neg: 0, nul: 'a\u0000b', lone: '\udc00', 'k\u0000': 1 }, 'detail is kept exactly, as JSON');
      assert.deepEqual((await a.list({ caseId: 'cs_\u0000' })).map((e) => e.seq), [1], 'a filter finds the value as it was given');
      assert.deepEqual(await a.verify(), { ok: true, entries: 1 });
      await assert.rejects(a.append({ ...entry(2), status: 403.5 }), /status/);
      await assert.rejects(a.append({ ...entry(2), actor: '' }), /actor/);
      await assert.rejects(a.append({ ...entry(2), at: 'soon' }), /at is not a time/);
      await assert.rejects(a.append({ ...entry(2), caseId: 7 as unknown as string }), /caseId/);
      await assert.rejects(a.append({ ...entry(2), detail: [1] as unknown as Record<string, unknown> }), /detail must be an object/);
      assert.equal((await a.list()).length, 1, 'a refused entry leaves nothing behind');
      assert.equal((await a.append(entry(3))).seq, 2, 'nor uses up a seq');
      assert.deepEqual(await a.verify(), { ok: true, entries: 2 });
    });

    it('refuses UPDATE and DELETE through an ordinary connection', async () => {
      const o = await open();
      const a = await o.log();
      await a.append(entry(1));
      await a.append(entry(2));
      await assert.rejects(o.raw("UPDATE audit SET outcome = 'failed'"), /append-only/);
      await assert.rejects(o.raw('DELETE FROM audit WHERE seq = 1'), /append-only/);
      await assert.rejects(o.raw('DELETE FROM audit'), /append-only/);
      assert.deepEqual((await a.list()).map((e) => [e.seq, e.outcome]), [[2, 'ok'], [1, 'ok']]);
      assert.deepEqual(await a.verify(), { ok: true, entries: 2 });
    });

    it('names the entry whose stored field was changed', async () => {
      const o = await open();
      const a = await o.log();
      for (let i = 1; i <= 5; i++) await a.append(entry(i, { outcome: i === 3 ? 'refused' : 'ok', status: i === 3 ? 403 : 200 }));
      assert.deepEqual(await a.verify(), { ok: true, entries: 5 });
      await o.tamper("UPDATE audit SET outcome = 'ok' WHERE seq = 3");
      const v = await a.verify();
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.firstBad, 3);
      assert.match(!v.ok ? v.reason : '', /hash does not match its content/);
      assert.equal(v.entries, 5);
    });

    it('names an entry whose detail is no longer JSON', async () => {
      const o = await open();
      const a = await o.log();
      for (let i = 1; i <= 3; i++) await a.append(entry(i));
      await o.tamper("UPDATE audit SET detail = '{\"decision\":' WHERE seq = 2");
      assert.deepEqual(await a.verify(), { ok: false, entries: 3, firstBad: 2, reason: 'detail is not JSON' });
    });

    it('names the next entry when the altered one was re-hashed to hide it', async () => {
      const o = await open();
      const a = await o.log();
      for (let i = 1; i <= 5; i++) await a.append(entry(i));
      const third = (await a.list({ before: 4, limit: 1 }))[0] as AuditEntry;
      const { hash: _old, ...body } = { ...third, outcome: 'failed' };
      const rehashed = sha256(`${body.prev}\n${canonicalJson(body)}`);
      await o.tamper(`UPDATE audit SET outcome = 'failed', hash = '${rehashed}' WHERE seq = 3`);
      const v = await a.verify();
      assert.deepEqual(v.ok ? v : { firstBad: v.firstBad, reason: v.reason }, { firstBad: 4, reason: 'prev is not the hash of entry 3' });
    });

    it('names a first entry that does not start the chain', async () => {
      const o = await open();
      const a = await o.log();
      for (let i = 1; i <= 2; i++) await a.append(entry(i));
      await o.tamper(`UPDATE audit SET prev = '${'1'.repeat(64)}' WHERE seq = 1`);
      assert.deepEqual(await a.verify(), { ok: false, entries: 2, firstBad: 1, reason: 'prev is not the start of the chain' });
    });

    it('names an entry deleted from the middle, and from the end — even after more appends', async () => {
      const o = await open();
      const a = await o.log();
      for (let i = 1; i <= 5; i++) await a.append(entry(i));
      await o.tamper('DELETE FROM audit WHERE seq = 3');
      assert.deepEqual(await a.verify(), { ok: false, entries: 4, firstBad: 3, reason: 'missing entry 3 (the next is 4)' });

      const o2 = await open();
      const b = await o2.log();
      for (let i = 1; i <= 5; i++) await b.append(entry(i));
      await o2.tamper('DELETE FROM audit WHERE seq = 5');
      assert.deepEqual(await b.verify(), { ok: false, entries: 4, firstBad: 5, reason: 'missing entry 5 (entries up to 5 were written)' });
      await o2.tamper('DELETE FROM audit WHERE seq = 4');
      assert.deepEqual(await b.verify(), { ok: false, entries: 3, firstBad: 4, reason: 'missing entries 4 to 5 (entries up to 5 were written)' });
      const next = await (await o2.log()).append(entry(6));
      assert.equal(next.seq, 6, 'the removed seqs are not reused, so the gap stays in the chain');
      assert.equal(next.prev, (await b.list({ limit: 1, before: 6 }))[0]?.hash, 'chained onto the newest entry left');
      const v = await b.verify();
      assert.deepEqual(v, { ok: false, entries: 4, firstBad: 4, reason: 'missing entries 4 to 5 (the next is 6)' });
    });

    it('keeps one chain when two connections append interleaved', async () => {
      const o = await open();
      const a = await o.log();
      const b = await o.log();
      for (let i = 1; i <= 20; i++) await (i % 2 ? a : b).append(entry(i, { actor: i % 2 ? 'api' : 'cli' }));
      const all = (await (await o.log()).list()).reverse();
      assert.deepEqual(all.map((e) => e.seq), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.deepEqual(all.map((e) => e.actor).slice(0, 4), ['api', 'cli', 'api', 'cli']);
      all.forEach((e, i) => assert.equal(e.prev, i === 0 ? GENESIS : all[i - 1]?.hash));
      assert.deepEqual(await b.verify(), { ok: true, entries: 20 });
    });
  });
}

describe('the audit log on SQLite', () => {
  let dir: string;
  let file: string;
  const open: AuditLog[] = [];
  const log = (options?: { readonly?: boolean }) => {
    const l = new SqliteAuditLog(file, options);
    open.push(l);
    return l;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-audit-test-'));
    file = auditFile(dir);
  });
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('canonical JSON does not depend on key order', () => {
    assert.equal(canonicalJson({ b: [{ y: 1, x: 2 }], a: 'é', c: undefined }), '{"a":"é","b":[{"x":2,"y":1}]}');
    assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
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

  it('keeps one chain when several processes append at the same moment', async () => {
    log(); // create and migrate first, as the API would
    const script = path.join(dir, 'appender.mjs');
    fs.writeFileSync(
      script,
      `import { SqliteAuditLog } from ${JSON.stringify(pathToFileURL(path.join(root, 'store/audit.ts')).href)};
const [file, name, n] = process.argv.slice(2);
const log = new SqliteAuditLog(file);
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  for (let i = 0; i < Number(n); i++) await log.append({ at: new Date().toISOString(), actor: name, action: 'case.verdict', outcome: 'ok', detail: { i } });
  await log.close();
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
    assert.deepEqual(await reader.verify(), { ok: true, entries: 400 });
    const all = await reader.list({ limit: 1000 });
    for (const name of ['p1', 'p2', 'p3', 'p4']) {
      assert.deepEqual(all.filter((e) => e.actor === name).map((e) => e.detail?.i).reverse(), Array.from({ length: 100 }, (_, i) => i));
    }
  });

  it('opens read-only only an existing audit log, and creates nothing', async () => {
    const missing = path.join(dir, 'nope.db');
    assert.throws(() => new SqliteAuditLog(missing, { readonly: true }));
    assert.equal(fs.existsSync(missing), false);
    const other = path.join(dir, 'other.db');
    const raw = new Database(other);
    raw.exec('CREATE TABLE t (x)');
    assert.throws(() => new SqliteAuditLog(other, { readonly: true }), /is not an audit log/);
    assert.equal((raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'audit'").get() as { n: number }).n, 0, 'not migrated into');
    raw.close();
    const w = log();
    await w.append(entry(1));
    const r = log({ readonly: true });
    assert.deepEqual(await r.verify(), { ok: true, entries: 1 });
    await assert.rejects(r.append(entry(2)), /readonly/);
  });
});

describe('the audit log on PostgreSQL', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  /** n handles on one fresh schema, each with its own pool, as n processes would have. */
  const replicas = async (n: number) => {
    const first = await freshPg();
    const dbs = [first];
    while (dbs.length < n) dbs.push(await freshPg(first.schema));
    closers.push(async () => {
      for (const d of dbs) await d.close();
    });
    const logs: PgAuditLog[] = [];
    for (const d of dbs) logs.push(await PgAuditLog.open(d)); // the first migrates, the rest find it done
    return { logs, db: first };
  };

  it('keeps one chain when several processes append at the same moment', async () => {
    const { logs } = await replicas(4);
    const names = ['p1', 'p2', 'p3', 'p4'];
    // Each appender in order, all four at once: 400 appends contending for the tip.
    await Promise.all(
      logs.map(async (l, k) => {
        for (let i = 0; i < 100; i++) await l.append({ at: new Date().toISOString(), actor: names[k] as string, action: 'case.verdict', outcome: 'ok', detail: { i } });
      })
    );
    // And a burst with no order at all, each from whichever replica.
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => (logs[i % 4] as PgAuditLog).append(entry(i, { actor: 'burst' }))));
    assert.equal(new Set(burst.map((e) => e.seq)).size, 40, 'no seq handed out twice');
    assert.deepEqual(await (logs[0] as PgAuditLog).verify(), { ok: true, entries: 440 });
    const all = (await (logs[1] as PgAuditLog).list({ limit: 1000 })).reverse();
    assert.deepEqual(all.map((e) => e.seq), Array.from({ length: 440 }, (_, i) => i + 1), 'no gaps');
    all.forEach((e, i) => assert.equal(e.prev, i === 0 ? GENESIS : all[i - 1]?.hash, `entry ${e.seq} chains onto ${i}`));
    for (const name of names) {
      assert.deepEqual(all.filter((e) => e.actor === name).map((e) => e.detail?.i), Array.from({ length: 100 }, (_, i) => i), `${name}'s entries in its order`);
    }
  });

  it('refuses TRUNCATE, and keeps the high-water mark from going down or away', async () => {
    const { logs, db } = await replicas(1);
    const log = logs[0] as PgAuditLog;
    for (let i = 1; i <= 3; i++) await log.append(entry(i));
    await assert.rejects(db.query('TRUNCATE audit'), /append-only/);
    await assert.rejects(db.query('UPDATE audit_high_water SET seq = 2'), /append-only/);
    await assert.rejects(db.query('DELETE FROM audit_high_water'), /append-only/);
    await assert.rejects(db.query('TRUNCATE audit_high_water'), /append-only/);
    await assert.rejects(db.query('INSERT INTO audit_high_water (one, seq) VALUES (false, 0)'), /check constraint/);
    assert.deepEqual(await log.verify(), { ok: true, entries: 3 });
    assert.equal((await log.append(entry(4))).seq, 4);
  });

  it('the filters use the indexes, and a busy filter reads in seq order without sorting', async () => {
    const { logs, db } = await replicas(1);
    await (logs[0] as PgAuditLog).append(entry(1));
    // A long log in which one person, case or action is a few entries among many, and one actor
    // ('busy') a tenth of them (rows inserted directly: the plan, not the chain, is under test).
    await db.query(
      `INSERT INTO audit (seq, at, actor, action, case_id, outcome, prev, hash)
       SELECT g, '2026-12-01T10:00:00.000Z', CASE WHEN g % 10 = 0 THEN 'busy' ELSE 'actor' || (g % 1000) END,
              'action' || (g % 500), 'cs_' || (g % 2000), 'ok', '', ''
         FROM generate_series(2, 20000) g`
    );
    await db.query('ANALYZE audit');
    type PlanNode = { 'Node Type': string; 'Index Name'?: string; 'Scan Direction'?: string; Plans?: PlanNode[] };
    /** Every node of the plan of the list query with this filter. */
    const plan = async (where: string): Promise<PlanNode[]> => {
      const [row] = await db.rows<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) SELECT * FROM audit WHERE ${where} ORDER BY seq DESC LIMIT 100`);
      const nodes: PlanNode[] = [];
      const walk = (n: PlanNode) => (nodes.push(n), n.Plans?.forEach(walk));
      walk((row?.['QUERY PLAN'][0] as { Plan: PlanNode }).Plan);
      return nodes;
    };
    // A few entries among many: found through the filter's own index, not by reading the log.
    for (const [where, index] of [
      ["actor = 'actor7'", 'audit_actor'],
      ["actor = 'actor7' AND seq < 15000", 'audit_actor'],
      ["case_id = 'cs_7'", 'audit_case'],
      ["action = 'action7'", 'audit_action'],
    ] as const) {
      const nodes = await plan(where);
      assert.ok(nodes.some((n) => n['Index Name'] === index), `${where}: ${JSON.stringify(nodes)}`);
      assert.ok(!nodes.some((n) => n['Node Type'] === 'Seq Scan'), `${where}: ${JSON.stringify(nodes)}`);
    }
    // Thousands of matches: read in seq order through an index and stopped at the limit, never all sorted.
    for (const where of ["actor = 'busy'", "actor = 'busy' AND seq < 15000"]) {
      const nodes = await plan(where);
      assert.ok(nodes.some((n) => n['Node Type'] === 'Index Scan' && n['Scan Direction'] === 'Backward'), `${where}: ${JSON.stringify(nodes)}`);
      assert.ok(!nodes.some((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Seq Scan'), `${where}: ${JSON.stringify(nodes)}`);
    }
  });
});
