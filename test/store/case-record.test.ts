// The case record, the same on SQLite and PostgreSQL: each fact once however often it is written
// and by whom, the projections (open runs, approvals waiting), reads, retention.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type CaseRecordStore, SqliteCaseRecordStore } from '../../store/case-record.ts';
import { PgCaseRecordStore } from '../../store/postgres/case-record.ts';
import { freshPg } from '../helpers/postgres.ts';

/** Two handles on one record (the API and the worker, each with its own connection), and a third opened afterwards. */
type Backend = { name: string; open(): Promise<{ a: CaseRecordStore; b: CaseRecordStore; reopen(): Promise<CaseRecordStore>; close(): Promise<void> }> };
const backends: Backend[] = [
  {
    name: 'SQLite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-record-test-'));
      const file = path.join(dir, 'cases.db');
      const opened: CaseRecordStore[] = [new SqliteCaseRecordStore(file), new SqliteCaseRecordStore(file)];
      return {
        a: opened[0] as CaseRecordStore,
        b: opened[1] as CaseRecordStore,
        reopen: async () => {
          const s = new SqliteCaseRecordStore(file);
          opened.push(s);
          return s;
        },
        close: async () => {
          for (const s of opened) await s.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const first = await freshPg();
      const dbs = [first, await freshPg(first.schema)];
      return {
        a: await PgCaseRecordStore.open(dbs[0] as typeof first),
        b: await PgCaseRecordStore.open(dbs[1] as typeof first),
        reopen: async () => {
          const db = await freshPg(first.schema);
          dbs.push(db);
          return PgCaseRecordStore.open(db);
        },
        close: async () => {
          for (const db of dbs) await db.close();
        },
      };
    },
  },
];

const fact = (key: string, at: string, kind: string, extra: Record<string, unknown> = {}) => ({ key, at, kind, data: {}, ...extra });

for (const backend of backends) {
  describe(`the case record on ${backend.name}`, () => {
    const closers: Array<() => Promise<void>> = [];
    after(async () => {
      for (const c of closers) await c();
    });
    const open = async () => {
      const o = await backend.open();
      closers.push(o.close);
      return o;
    };

    it('appends each fact once, however often and by whichever process a write is retried, and keeps them', async () => {
      const { a, b, reopen } = await open();
      const facts = [
        { key: 'wf:0', at: '2026-12-01T10:00:00.000Z', kind: 'run.started', run: 'wf', n: 0, data: { playbook: 'p' } },
        { key: 'wf:1', at: '2026-12-01T10:00:01.000Z', kind: 'note.added', run: 'wf', n: 1, actor: 'alice', data: { index: 0, item: { message: 'x' } } },
      ];
      assert.equal(await a.append('cs_1', facts), 2);
      assert.equal(await b.append('cs_1', facts), 0, 'a retried write adds nothing');
      assert.equal(await b.append('cs_2', [{ key: 'v:1', at: '2026-12-01T10:00:02.000Z', kind: 'verdict.set', data: { verdict: 'benign' } }]), 1);
      const again = await reopen();
      const got = await again.events('cs_1');
      assert.deepEqual(got.map((e) => [e.key, e.kind, e.actor, e.run, e.n]), [
        ['wf:0', 'run.started', undefined, 'wf', 0],
        ['wf:1', 'note.added', 'alice', 'wf', 1],
      ]);
      assert.deepEqual(got[1]?.data, { index: 0, item: { message: 'x' } });
      assert.deepEqual([...(await again.eventsOfCases(['cs_1', 'cs_2', 'cs_3'])).entries()].map(([id, e]) => [id, e.length]), [['cs_1', 2], ['cs_2', 1], ['cs_3', 0]]);
      assert.deepEqual(await again.runStarted('wf'), { playbook: 'p', startedAt: '2026-12-01T10:00:00.000Z' });
      assert.equal(await again.has('v:1'), true);
      assert.equal(await again.has('v:2'), false);
      // Which runs have no end yet (the run watch asks Temporal about those): wf until it closes.
      assert.deepEqual(await again.openRuns('2026-12-02T00:00:00.000Z', 10), [{ run: 'wf', caseId: 'cs_1', startedAt: '2026-12-01T10:00:00.000Z' }]);
      assert.deepEqual(await again.openRuns('2026-12-01T09:00:00.000Z', 10), [], 'younger than asked: left alone');
      await again.append('cs_1', [{ key: 'wf:2', at: '2026-12-01T10:05:00.000Z', kind: 'run.closed', run: 'wf', n: 2, data: { value: '2026-12-01T10:05:00.000Z' } }]);
      assert.deepEqual(await again.openRuns('2026-12-02T00:00:00.000Z', 10), []);
      assert.deepEqual((await again.runFacts('wf')).map((e) => e.n), [0, 1, 2]);
    });

    it('counts approvals waiting at their latest status, even when the API and a worker write at once', async () => {
      const { a, b } = await open();
      const approval = (id: string, status: string) => ({ item: { id, status } });
      await a.append('cs_a', [fact('r1:0', '2026-12-01T10:00:00.000Z', 'approval.asked', { run: 'r1', n: 1, data: approval('block', 'pending') })]);
      await b.append('cs_b', [fact('r2:0', '2026-12-01T10:00:00.000Z', 'approval.asked', { run: 'r2', n: 1, data: approval('isolate', 'pending') })]);
      assert.equal(await a.pendingApprovals(), 2);
      // Decided by one process while the other re-sends the ask: the decision stands.
      await Promise.all([
        a.append('cs_a', [fact('r1:1', '2026-12-01T10:01:00.000Z', 'approval.updated', { run: 'r1', n: 2, data: approval('block', 'approved') })]),
        b.append('cs_a', [fact('r1:0', '2026-12-01T10:00:00.000Z', 'approval.asked', { run: 'r1', n: 1, data: approval('block', 'pending') })]),
      ]);
      assert.equal(await b.pendingApprovals(), 1);
    });

    it('tells a case still being worked from an idle one, and forgets a case whole', async () => {
      const { a } = await open();
      await a.append('cs_old', [fact('o:0', '2026-10-01T10:00:00.000Z', 'run.started', { run: 'o', n: 0, data: { playbook: 'p' } }), fact('o:1', '2026-10-01T10:00:01.000Z', 'approval.asked', { run: 'o', n: 1, data: { item: { id: 'x', status: 'pending' } } })]);
      await a.append('cs_new', [fact('n:0', '2026-12-01T10:00:00.000Z', 'comment.added')]);
      assert.equal(await a.activeSince('cs_old', '2026-11-01T00:00:00.000Z'), false);
      assert.equal(await a.activeSince('cs_new', '2026-11-01T00:00:00.000Z'), true);
      assert.equal(await a.deleteCases(['cs_old']), 2);
      assert.deepEqual(await a.events('cs_old'), []);
      assert.deepEqual(await a.openRuns('2026-12-31T00:00:00.000Z', 10), [], 'its run is gone from the projections');
      assert.equal(await a.pendingApprovals(), 0, 'and its approval');
      assert.equal((await a.events('cs_new')).length, 1);
    });

    it('says which cases changed after a point, with each one\u2019s newest fact, whoever wrote it (the console\u2019s live updates)', async () => {
      const { a, b } = await open();
      await a.append('cs_before', [fact('c:0', '2026-12-01T10:00:00.000Z', 'comment.added')]);
      const start = await b.changedSince(undefined, 10);
      assert.deepEqual(start.changes, [], 'without a point: only where the record stands');
      await a.append('cs_x', [fact('x:0', '2026-12-01T10:01:00.000Z', 'comment.added'), fact('x:1', '2026-12-01T10:01:01.000Z', 'comment.added')]);
      await b.append('cs_y', [fact('y:0', '2026-12-01T10:02:00.000Z', 'comment.added')]);
      await a.append('cs_x', [fact('x:0', '2026-12-01T10:01:00.000Z', 'comment.added')]); // written again: no new fact
      const changed = await b.changedSince(start.seq, 10);
      assert.deepEqual(changed.changes.map((c) => c.caseId), ['cs_x', 'cs_y'], 'oldest change first, cs_before not among them');
      assert.equal(changed.seq, Math.max(...changed.changes.map((c) => c.seq)), 'the newest seq seen');
      assert.ok(changed.changes.every((c) => c.seq > start.seq), 'each with its newest fact');
      assert.deepEqual((await a.changedSince(changed.seq, 10)).changes, [], 'nothing after the newest');
      assert.deepEqual((await a.changedSince(start.seq, 1)).changes.map((c) => c.caseId), ['cs_x'], 'at most `limit`');
    });
  });
}
