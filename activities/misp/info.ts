// What misp says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'misp',
  title: 'MISP (attributes/restSearch)',
  category: 'enrichment',
  docUrl: 'https://www.misp-project.org/openapi/#tag/Attributes/operation/restSearchAttributes',
  activities: ['mispLookupIndicator', 'mispRecentIndicators'],
  settings: [
    { name: 'MISP_URL', description: 'https://misp.example', required: true },
    { name: 'MISP_AUTH_KEY', description: 'an automation (auth) key', required: true, secret: true },
  ],
  rateLimit: { limit: 10, intervalMs: 1000 },
};
