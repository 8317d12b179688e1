// The case record, written by playbooks: a run hands over the facts it gathered since it last
// wrote (a local activity, so it costs a marker in history and no task round trip). Each fact
// carries its key, so a retried or replayed write adds nothing twice.
import type { CaseEvent } from '../../core/case-events.ts';
import type { CaseRecordStore } from '../../store/case-record.ts';
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'case',
  title: "The case record: every fact of a case, kept in Riposte's store (cases.db) as it happens",
  category: 'enrichment',
  docUrl: 'docs/case-record.md',
  activities: ['caseRecordAppend'],
  settings: [],
};

export interface CaseRecordAppendInput {
  caseId: string;
  events: CaseEvent[];
}

/** The record store is opened on first use, so a worker that never writes one leaves no file. */
export function createCaseRecordActivities(deps: { store: () => CaseRecordStore }) {
  return {
    async caseRecordAppend(input: CaseRecordAppendInput): Promise<{ added: number }> {
      return { added: deps.store().append(input.caseId, input.events) };
    },
  };
}
