// What servicenow says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'servicenow',
  title: 'ServiceNow Table API (incident) — a ticket system behind ticketing*',
  category: 'ticketing',
  docUrl: 'https://www.servicenow.com/docs/bundle/zurich-api-reference/page/integrate/inbound-rest/concept/c_TableAPI.html',
  activities: [],
  settings: [
    { name: 'SERVICENOW_URL', description: 'https://<instance>.service-now.com', required: true },
    { name: 'SERVICENOW_USERNAME', description: 'an integration user with itil (or sn_si) rights', required: true },
    { name: 'SERVICENOW_PASSWORD', description: 'its password', required: true, secret: true },
    { name: 'SERVICENOW_TABLE', description: 'incident (or sn_si_incident for Security Incident Response)' },
    { name: 'SERVICENOW_CLOSE_CODE', description: 'close_code used when resolving (Solution provided)' },
  ],
  rateLimit: { limit: 20, intervalMs: 1000 },
};
