// What otx says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'otx',
  title: 'AlienVault OTX DirectConnect API v1',
  category: 'enrichment',
  docUrl: 'https://otx.alienvault.com/api',
  activities: ['otxLookupIndicator', 'otxSubscribedIndicators'],
  settings: [
    { name: 'OTX_API_KEY', description: 'OTX API key', required: true, secret: true },
    { name: 'OTX_BASE_URL', description: 'API base (https://otx.alienvault.com)' },
  ],
  // OTX allows about 10,000 requests an hour per key.
  rateLimit: { limit: 10_000, intervalMs: 3_600_000 },
};
