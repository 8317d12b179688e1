// What abuseipdb says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'abuseipdb',
  title: 'AbuseIPDB v2',
  category: 'enrichment',
  docUrl: 'https://docs.abuseipdb.com/#check-endpoint',
  activities: ['abuseipdbCheckIp'],
  settings: [
    { name: 'ABUSEIPDB_API_KEY', description: 'API key', required: true, secret: true },
    { name: 'ABUSEIPDB_BASE_URL', description: 'API base (https://api.abuseipdb.com/api/v2)' },
    { name: 'ABUSEIPDB_MAX_AGE_DAYS', description: 'how far back reports count (90)' },
  ],
  // The free tier allows 1,000 checks a day.
  rateLimit: { limit: 1000, intervalMs: 86_400_000 },
};
