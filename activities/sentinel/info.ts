// What sentinel says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'sentinel',
  title: 'Microsoft Sentinel / Log Analytics KQL query',
  category: 'hunting',
  docUrl: 'https://learn.microsoft.com/en-us/rest/api/loganalytics/dataaccess/query/execute',
  activities: ['sentinelHunt'],
  settings: [
    { name: 'SENTINEL_WORKSPACE_ID', description: "the Log Analytics workspace (customer) id", required: true },
    { name: 'SENTINEL_TENANT_ID', description: 'Entra ID tenant', required: true },
    { name: 'SENTINEL_CLIENT_ID', description: 'app registration with Log Analytics Data.Read', required: true },
    { name: 'SENTINEL_CLIENT_SECRET', description: 'its client secret', required: true, secret: true },
    { name: 'SENTINEL_TABLES', description: 'tables searched, comma-separated (all)' },
    { name: 'SENTINEL_BASE_URL', description: 'https://api.loganalytics.azure.com' },
    { name: 'SENTINEL_LOGIN_URL', description: 'https://login.microsoftonline.com' },
  ],
  // The query API allows 200 requests a minute per user.
  rateLimit: { limit: 200, intervalMs: 60_000 },
};
