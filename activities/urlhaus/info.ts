// What urlhaus says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'urlhaus',
  title: 'URLhaus (abuse.ch) API v1',
  category: 'enrichment',
  docUrl: 'https://urlhaus-api.abuse.ch/',
  activities: ['urlhausLookupHost', 'urlhausLookupUrl', 'urlhausRecentIndicators'],
  settings: [
    { name: 'URLHAUS_AUTH_KEY', description: 'abuse.ch Auth-Key', required: true, secret: true },
    { name: 'URLHAUS_BASE_URL', description: 'API base (https://urlhaus-api.abuse.ch)' },
  ],
  // abuse.ch publishes no hard limit for lookups; this keeps a burst polite.
  rateLimit: { limit: 60, intervalMs: 60_000 },
};
