// What crowdstrike says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'crowdstrike',
  title: 'CrowdStrike Falcon: host containment (contain / lift); file collection by Real Time Response',
  category: 'containment',
  docUrl: 'https://developer.crowdstrike.com/docs/openapi/',
  activities: ['crowdstrikeContainHost', 'crowdstrikeLiftContainment', 'crowdstrikeCollectFile'],
  settings: [
    { name: 'CROWDSTRIKE_CLIENT_ID', description: 'API client id (scope Hosts: read, write)', required: true },
    { name: 'CROWDSTRIKE_CLIENT_SECRET', description: 'API client secret', required: true, secret: true },
    { name: 'CROWDSTRIKE_BASE_URL', description: 'the cloud: https://api.crowdstrike.com (us-1), api.us-2…, api.eu-1…' },
  ],
  // The Falcon API allows 6,000 requests a minute per customer.
  rateLimit: { limit: 100, intervalMs: 1000 },
  privileged: true,
};
