// What virustotal says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'virustotal',
  title: 'VirusTotal v3',
  category: 'enrichment',
  docUrl: 'https://docs.virustotal.com/reference/overview',
  activities: ['virustotalLookupDomain', 'virustotalLookupIp', 'virustotalLookupUrl', 'virustotalLookupFile'],
  settings: [
    { name: 'VIRUSTOTAL_API_KEY', description: 'API key', required: true, secret: true },
    { name: 'VIRUSTOTAL_BASE_URL', description: 'API base (https://www.virustotal.com/api/v3)' },
  ],
  // The public API allows 4 lookups a minute (and 500 a day); premium keys raise it with VIRUSTOTAL_RATE_LIMIT.
  rateLimit: { limit: 4, intervalMs: 60_000 },
};
