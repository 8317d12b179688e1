// What thehive says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'thehive',
  title: 'TheHive 5 (alert → case, comments, observables, close) — a ticket system behind ticketing*',
  category: 'ticketing',
  docUrl: 'https://docs.strangebee.com/thehive/api-docs/',
  activities: ['thehiveAddObservables'],
  settings: [
    { name: 'THEHIVE_URL', description: 'https://thehive.example:9000', required: true },
    { name: 'THEHIVE_API_KEY', description: 'an API key of a user with manageAlert and manageCase', required: true, secret: true },
    { name: 'THEHIVE_ORGANISATION', description: 'organisation, when the user belongs to several' },
  ],
  rateLimit: { limit: 20, intervalMs: 1000 },
};
