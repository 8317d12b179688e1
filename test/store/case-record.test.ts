import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CaseRecordStore } from '../../store/case-record.ts';

describe('the case record store', () => {
  it('appends each fact once, however often a write is retried, and keeps them across reopening', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-record-test-'));
    const file = path.join(dir, 'cases.db');
    try {
      const a = new CaseRecordStore(file);
      const b = new CaseRecordStore(file); // the API and the worker, each with its own connection
      const facts = [
        { key: 'wf:0', at: '2026-12-01T10:00:00.000Z', kind: 'run.started', run: 'wf', n: 0, data: { playbook: 'p' } },
        { key: 'wf:1', at: '2026-12-01T10:00:01.000Z', kind: 'note.added', run: 'wf', n: 1, actor: 'alice', data: { index: 0, item: { message: 'x' } } },
      ];
      assert.equal(a.append('cs_1', facts), 2);
      assert.equal(b.append('cs_1', facts), 0, 'a retried write adds nothing');
      assert.equal(b.append('cs_2', [{ key: 'v:1', at: '2026-12-01T10:00:02.000Z', kind: 'verdict.set', data: { verdict: 'benign' } }]), 1);
      a.close();
      b.close();
      const again = new CaseRecordStore(file);
      const got = again.events('cs_1');
      assert.deepEqual(got.map((e) => [e.key, e.kind, e.actor, e.run, e.n]), [
        ['wf:0', 'run.started', undefined, 'wf', 0],
        ['wf:1', 'note.added', 'alice', 'wf', 1],
      ]);
      assert.deepEqual(got[1]?.data, { index: 0, item: { message: 'x' } });
      assert.deepEqual([...again.eventsOfCases(['cs_1', 'cs_2', 'cs_3']).entries()].map(([id, e]) => [id, e.length]), [['cs_1', 2], ['cs_2', 1], ['cs_3', 0]]);
      // Which runs have no end yet (the run watch asks Temporal about those): wf until it closes.
      assert.deepEqual(again.openRuns('2026-12-02T00:00:00.000Z', 10), [{ run: 'wf', caseId: 'cs_1', startedAt: '2026-12-01T10:00:00.000Z' }]);
      assert.deepEqual(again.openRuns('2026-12-01T09:00:00.000Z', 10), [], 'younger than asked: left alone');
      again.append('cs_1', [{ key: 'wf:2', at: '2026-12-01T10:05:00.000Z', kind: 'run.closed', run: 'wf', n: 2, data: { value: '2026-12-01T10:05:00.000Z' } }]);
      assert.deepEqual(again.openRuns('2026-12-02T00:00:00.000Z', 10), []);
      assert.deepEqual(again.runFacts('wf').map((e) => e.n), [0, 1, 2]);
      again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
