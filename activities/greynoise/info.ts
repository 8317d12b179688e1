// What greynoise says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'greynoise',
  title: 'GreyNoise Community API v3',
  category: 'enrichment',
  docUrl: 'https://docs.greynoise.io/reference/getcommunityip',
  activities: ['greynoiseLookupIp'],
  settings: [
    { name: 'GREYNOISE_API_KEY', description: 'API key (community or enterprise)', required: true, secret: true },
    { name: 'GREYNOISE_BASE_URL', description: 'API base (https://api.greynoise.io)' },
  ],
  // The community tier is metered per day; 10 a minute keeps a burst of alerts from spending it at once.
  rateLimit: { limit: 10, intervalMs: 60_000 },
};
