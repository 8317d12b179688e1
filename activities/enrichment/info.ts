// What enrichment says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'enrichment',
  title: 'Enrichment: every configured reputation source per observable type, one merged verdict',
  category: 'enrichment',
  docUrl: 'activities/enrichment/README.md',
  activities: ['enrichmentLookup'],
  settings: [],
};
