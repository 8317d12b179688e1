// The case record, written by playbooks: a run hands over the facts it gathered since it last
// wrote (a local activity, so it costs a marker in history and no task round trip). Each fact
// carries its key, so a retried or replayed write adds nothing twice.
import type { CaseEvent } from '../../core/case-events.ts';
import type { CaseRecordStore } from '../../store/case-record.ts';
import type { WorkerMetrics } from '../../telemetry/metrics.ts';
import { info } from './info.ts';

export { info };

export interface CaseRecordAppendInput {
  caseId: string;
  events: CaseEvent[];
}

/** The record store is opened on first use, so a worker that never writes one leaves no file. */
export function createCaseRecordActivities(deps: { store: () => Promise<CaseRecordStore>; metrics?: Pick<WorkerMetrics, 'playbookRuns' | 'playbookDuration' | 'approvalDecision'> }) {
  return {
    async caseRecordAppend(input: CaseRecordAppendInput): Promise<{ added: number }> {
      const store = await deps.store();
      const added = await store.append(input.caseId, input.events);
      // Counted once: only when the facts were new (a retried write adds and counts nothing).
      if (added > 0 && deps.metrics) await observe(store, input.events, deps.metrics);
      return { added };
    },
  };
}

/** A run's end and its decisions, as Prometheus series. */
async function observe(store: CaseRecordStore, events: CaseEvent[], m: NonNullable<Parameters<typeof createCaseRecordActivities>[0]['metrics']>): Promise<void> {
  const status = [...events].reverse().find((e) => e.kind === 'status.changed')?.data.value as string | undefined;
  for (const e of events) {
    if (!e.run) continue;
    const started = await store.runStarted(e.run);
    if (!started) continue;
    if (e.kind === 'run.closed') {
      const outcome = status ?? 'closed';
      m.playbookRuns.inc({ playbook: started.playbook, outcome });
      m.playbookDuration.observe({ playbook: started.playbook, outcome }, Math.max(0, Date.parse(String(e.data.value)) - Date.parse(started.startedAt)) / 1000);
    }
    const a = e.data.item as { status?: string; requestedAt?: string; decidedAt?: string } | undefined;
    if (e.kind === 'approval.updated' && a?.decidedAt && a.requestedAt && a.status !== 'pending') {
      m.approvalDecision.observe({ playbook: started.playbook, outcome: String(a.status) }, Math.max(0, Date.parse(a.decidedAt) - Date.parse(a.requestedAt)) / 1000);
    }
  }
}
