// What hunting says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'hunting',
  title: 'Hunting: every configured backend at once (local log store, Elasticsearch/OpenSearch, Splunk, Sentinel)',
  category: 'hunting',
  docUrl: 'activities/hunting/README.md',
  activities: ['huntingSearch'],
  settings: [],
};
