// What case-record says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'case',
  title: "The case record: every fact of a case, kept in Riposte's store (cases.db) as it happens",
  category: 'enrichment',
  docUrl: 'docs/case-record.md',
  activities: ['caseRecordAppend'],
  settings: [],
};
