import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { alertIdFor } from '../../domain/entities.ts';
import { pruneCases } from '../../api/retention.ts';
import { SqliteAuditLog } from '../../store/audit.ts';
import { SqliteCaseRecordStore } from '../../store/case-record.ts';
import { SqliteAlertStore } from '../../store/sqlite.ts';
import { c2Alert } from '../helpers/alerts.ts';

const DAY = 86_400_000;

describe('case record retention', () => {
  it('deletes a case idle past the retention, whole — alerts, facts, row — keeps a case still worked on, and audits it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-retention-'));
    const store = new SqliteAlertStore(path.join(dir, 'riposte.db'));
    const record = new SqliteCaseRecordStore(path.join(dir, 'cases.db'));
    const audit = new SqliteAuditLog(path.join(dir, 'audit.db'));
    try {
      const now = new Date();
      const ingest = async (host: string, ip: string, daysAgo: number) => {
        const a = c2Alert({ uid: `ret-${host}`, hostname: host, hostIp: ip, remoteIp: `198.51.100.${ip.split('.')[3]}` });
        const alert = { ...a, id: alertIdFor('ocsf', a.sourceUid) };
        const { results } = await store.ingest([{ alert, raw: '{}', rawTruncated: false }], { now: new Date(now.getTime() - daysAgo * DAY), dedupWindowMs: DAY, correlationWindowMs: 3_600_000 });
        return results[0]?.caseId as string;
      };
      const old = await ingest('old.corp.test', '10.9.0.1', 40);
      const stillWorked = await ingest('worked.corp.test', '10.9.0.2', 40);
      const recent = await ingest('recent.corp.test', '10.9.0.3', 2);
      const fact = (caseId: string, daysAgo: number) => record.append(caseId, [{ key: `${caseId}:c`, at: new Date(now.getTime() - daysAgo * DAY).toISOString(), kind: 'comment.added', actor: 'alice', data: { text: 'x' } }]);
      await fact(old, 39);
      await fact(stillWorked, 1);
      await fact(recent, 1);

      assert.equal(await pruneCases({ store, record, audit }, 30 * DAY, now), 1);
      assert.equal(await store.getCase(old), null);
      assert.deepEqual((await record.events(old)), []);
      assert.equal((await store.caseAlerts(old, 10)).length, 0);
      for (const kept of [stillWorked, recent]) {
        assert.ok(await store.getCase(kept), kept);
        assert.equal((await record.events(kept)).length, 1);
      }
      const entry = (await audit.list({ action: 'caseRecordRetention' }))[0];
      assert.deepEqual([entry?.actor, entry?.detail?.cases], ['riposte', 1]);
      assert.equal(await pruneCases({ store, record, audit }, 30 * DAY, now), 0, 'nothing more to do');
    } finally {
      await store.close();
      await record.close();
      await audit.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
