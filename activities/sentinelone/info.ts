// What sentinelone says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'sentinelone',
  title: 'SentinelOne network quarantine (disconnect / connect)',
  category: 'containment',
  docUrl: 'https://usea1-partners.sentinelone.net/api-doc/overview',
  activities: ['sentineloneDisconnectAgent', 'sentineloneReconnectAgent'],
  settings: [
    { name: 'SENTINELONE_URL', description: 'the management console, https://<tenant>.sentinelone.net', required: true },
    { name: 'SENTINELONE_API_TOKEN', description: 'an API token allowed to disconnect and connect agents', required: true, secret: true },
  ],
  rateLimit: { limit: 25, intervalMs: 1000 },
  privileged: true,
};
