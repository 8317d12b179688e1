// The case record's own retention (RIPOSTE_CASE_RECORD_RETENTION; default: kept for ever). A case
// idle for longer — no alert and no fact since — goes whole: its facts, its alerts, its row; the
// audit trail says when and how many (the audit trail itself is never pruned).
import type { AuditLog } from '../store/audit.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import type { AlertStore } from '../store/types.ts';

const BATCH = 500;

export async function pruneCases(d: { store: AlertStore; record: CaseRecordStore; audit?: AuditLog }, retentionMs: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - retentionMs).toISOString();
  let deleted = 0;
  const seen = new Set<string>();
  for (;;) {
    const idle = (await d.store.casesIdleSince(before, BATCH)).filter((id) => !seen.has(id));
    if (idle.length === 0) break;
    for (const id of idle) seen.add(id);
    const gone: string[] = [];
    for (const id of idle) if (!(await d.record.activeSince(id, before))) gone.push(id);
    if (gone.length) {
      await d.record.deleteCases(gone);
      deleted += await d.store.deleteCases(gone);
    }
    if (idle.length < BATCH) break;
  }
  if (deleted) await d.audit?.append({ at: now.toISOString(), actor: 'riposte', action: 'caseRecordRetention', outcome: 'ok', detail: { cases: deleted, idleBefore: before } });
  return deleted;
}
