// What elasticdefend says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'elasticdefend',
  title: 'Elastic Defend response actions (memory_dump)',
  category: 'imaging',
  docUrl: 'https://www.elastic.co/docs/api/doc/kibana/operation/operation-endpointmemorydumpaction',
  activities: ['elasticdefendMemoryDump'],
  settings: [
    { name: 'KIBANA_URL', description: 'https://kibana.example:5601', required: true },
    { name: 'KIBANA_AUTHORIZATION', description: 'the Authorization header: `ApiKey <base64>`', required: true, secret: true },
  ],
  rateLimit: { limit: 10, intervalMs: 1000 },
  privileged: true,
};
