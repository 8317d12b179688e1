// What pagerduty says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'pagerduty',
  title: 'PagerDuty Events API v2',
  category: 'notification',
  docUrl: 'https://developer.pagerduty.com/docs/events-api-v2/trigger-events/',
  activities: ['pagerdutySendEvent'],
  settings: [
    { name: 'PAGERDUTY_ROUTING_KEY', description: 'the integration key of an Events API v2 service', required: true, secret: true },
    { name: 'PAGERDUTY_BASE_URL', description: 'https://events.pagerduty.com (or events.eu.pagerduty.com)' },
  ],
  // The Events API allows 120 events a minute per integration key.
  rateLimit: { limit: 120, intervalMs: 60_000 },
};
